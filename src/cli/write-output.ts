// The command's two output streams. Every write failure is the machine's or the
// reader's doing, never a bug, so none ends in a stack trace:
// - a reader that goes away early (`kipvs dump | head`) ends the command
//   quietly, with the status a process killed by SIGPIPE has (141), as `cat` or
//   `grep` end there;
// - any other failure (a full disk: `>/dev/full` gives ENOSPC) is one line on
//   standard error naming the stream, and exit status 1.
// And nothing written is lost when the command exits: flushOutput() resolves once
// both streams have handed every byte to the kernel (pipes can be asynchronous).
import { systemErrorText } from '../config/system-error.js';

/** 128 + SIGPIPE: what a shell reports for a process killed by a closed pipe. */
const EXIT_BROKEN_PIPE = 141;
/** A write to standard output or standard error failed. */
const EXIT_OUTPUT_FAILED = 1;

let guarded = false;

/** Handle write errors on stdout and stderr from now on (main() calls it first). */
export function guardOutputStreams(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    // Said on stderr, which may still work; the status says it either way.
    process.stderr.write(`kipvs: cannot write to standard output: ${systemErrorText(err)}\n`, () =>
      process.exit(EXIT_OUTPUT_FAILED),
    );
  });
  // Nowhere left to say it: the status alone tells.
  process.stderr.on('error', () => process.exit(EXIT_OUTPUT_FAILED));
}

/** Writes `text` (or its bytes) to stdout and resolves once it has left the process. */
export async function writeOutput(text: string | Uint8Array): Promise<void> {
  guardOutputStreams();
  if (text.length === 0) return;
  await written(process.stdout, text);
}

/** Resolves once everything written so far to stdout and stderr has left the process. */
export async function flushOutput(): Promise<void> {
  await Promise.all([written(process.stdout, ''), written(process.stderr, '')]);
}

/**
 * A write's callback runs once it and every write before it are done. A stream that failed
 * never calls back: its error handler ends the process.
 */
function written(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write(text, (err) => {
      if (!err) resolve();
    });
  });
}
