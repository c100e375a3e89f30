// A command's input: a file, or standard input for "-", read whole, up to a
// bound. An input beyond it (a wrong file, /dev/zero, a runaway pipe) is
// refused with a message before it exhausts the memory: the largest real
// inputs (`ipvsadm -S` of 100,000 virtual servers, `kubectl get -o json` of a
// large cluster's Services and EndpointSlices) are far below it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { systemErrorText } from '../config/index.js';

const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** The input could not be read, or is too large; `message` names it. */
class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }

  /** Read by src/cli/exit.ts: printed as is, and the process exits 1. */
  get userMessage(): string {
    return this.message;
  }
}

/** How `path` is named in messages. */
export function inputName(path: string): string {
  return path === '-' ? 'standard input' : path;
}

function tooLarge(path: string, maxBytes: number): InputError {
  return new InputError(
    `${inputName(path)}: larger than ${maxBytes / (1024 * 1024)} MiB, the most kipvs reads; refused`,
  );
}

/** The bytes of `path` ("-": standard input) as UTF-8 text. */
export async function readInput(path: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  try {
    return (path === '-' ? await readStream(process.stdin, path, maxBytes) : readFileBounded(path, maxBytes)).toString(
      'utf8',
    );
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${inputName(path)}: ${systemErrorText(err)}`);
  }
}

/**
 * Read synchronously: an asynchronous read would start libuv's four file threads for one read
 * (in User-Mode Linux, threads and their stacks cost a start-up's tenth). A regular file's size
 * is known before reading; a device or FIFO is read until the bound.
 */
function readFileBounded(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(path, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(stat.isFile() ? Math.max(stat.size + 1 - total, 1 << 16) : 1 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(path, maxBytes);
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

async function readStream(stream: NodeJS.ReadableStream, path: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > maxBytes) throw tooLarge(path, maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}
