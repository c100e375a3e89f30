// The helper's side of command-protocol.ts: read commands from stdin, one at a time in arrival
// order, and write each one's reply to stdout. When stdin ends (the test closed the helper), the
// helper cleans up and exits.
import { createInterface } from 'node:readline';
import { isRecord, type Command, type ReadyLine, type Replies, type ReplyEnvelope } from './command-protocol.js';

export interface CommandHandler<C extends Command, R extends Replies<C>> {
  /** Checks one command as received; undefined when it is not a command of this helper. */
  parse(value: unknown): C | undefined;
  /** Does one command; its result is the reply (the parent's types say which result goes with which op). */
  handle(command: C): Promise<R[C['op']]>;
  /** Runs once, when stdin ends, before the process exits. */
  close(): Promise<void>;
}

function write(line: ReplyEnvelope | ReadyLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function answer<C extends Command, R extends Replies<C>>(
  handler: CommandHandler<C, R>,
  line: string,
): Promise<void> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(line);
  } catch {
    process.stderr.write(`not a JSON line: ${line}\n`);
    return;
  }
  const id = isRecord(envelope) ? envelope['id'] : undefined;
  if (!isRecord(envelope) || typeof id !== 'number') {
    process.stderr.write(`not a command envelope: ${line}\n`);
    return;
  }
  const raw = envelope['command'];
  const command = handler.parse(raw);
  if (command === undefined) {
    write({ id, ok: false, error: `not a command of this helper: ${JSON.stringify(raw)}` });
    return;
  }
  try {
    const result = await handler.handle(command);
    write({ id, ok: true, result: result ?? null });
  } catch (err) {
    write({ id, ok: false, error: errorText(err) });
  }
}

/** Serves commands until stdin ends, then closes the handler and exits. */
export function serveCommands<C extends Command, R extends Replies<C>>(handler: CommandHandler<C, R>): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // One command at a time: a test's commands are steps (add pods, then read a report).
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(() => answer(handler, line));
  });
  lines.on('close', () => {
    queue = queue
      .then(() => handler.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`closing failed: ${errorText(err)}\n`);
          process.exit(1);
        },
      );
  });
  write({ ready: true });
}
