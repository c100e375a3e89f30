// Writing a command's whole output at once. stdout to a file, pipe or terminal is
// synchronous on Linux, so one large write costs few syscalls however big the
// table; a reader that goes away early (`kipvs dump | head`) ends the command
// quietly instead of with an EPIPE stack trace.
import { once } from 'node:events';

let quietOnEpipe = false;

export async function writeOutput(text: string): Promise<void> {
  if (!quietOnEpipe) {
    quietOnEpipe = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  if (text === '') return;
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
