// One watch request read by kipvs itself: the API server's watch is an HTTP stream of
// JSON events, one a line. client-node's Watch is not used for it because it drops a
// line it cannot parse, and an exception thrown by the event callback, without a word
// (its dist/watch.js): here every line reaches the caller, which decides what a broken
// one means. The request goes through api-request.ts, so it has the same credentials
// and TLS checks as the lists.
import type { KubeConfig } from '@kubernetes/client-node';
import { classifyFailure } from './api-error.js';
import { abortWith, failedAnswer, HttpMethod, openApiStream, timedOut } from './api-request.js';
import { listeningTimeout } from './listening-timeout.js';
import type { WatchedResource } from './resources.js';

export interface WatchRequest {
  readonly resource: WatchedResource;
  readonly query: Readonly<Record<string, string>>;
  /** Ends the watch (the caller is stopping, or a line told it to relist). */
  readonly signal: AbortSignal;
  /** How long the server has to answer the request. */
  readonly timeoutMs: number;
  /**
   * How long an open stream may stay silent before it is taken for dead (a connection
   * that vanished without a FIN). The API server sends a BOOKMARK every minute to a
   * watch that asks for them, so a live stream is never silent that long. (Taken for dead
   * between idleMs and twice idleMs after the last data: listening-timeout.ts.)
   */
  readonly idleMs: number;
  /** The server answered 200: events follow. */
  readonly onOpen: () => void;
  /** Each line as it arrives, without its newline (empty lines are skipped). */
  readonly onLine: (line: string) => void;
}

/** Why an open watch ended: the server closed it, it was silent for idleMs, or the caller ended it. */
export type WatchEnd = 'closed' | 'idle' | 'ended';

/** Reads one watch until it ends; rejects with an ApiError when it cannot be opened or breaks. */
export async function readWatch(config: KubeConfig, watch: WatchRequest): Promise<WatchEnd> {
  const { resource } = watch;
  // One controller ends the request: the caller's signal, no answer in time, or silence.
  const { controller, release } = abortWith(watch.signal);
  const signal = controller.signal;
  let silent = false;
  let timer = listeningTimeout(watch.timeoutMs, () => controller.abort(timedOut()));
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const stream = await openApiStream(config, {
      method: HttpMethod.GET,
      path: resource.path,
      query: { ...watch.query, watch: 'true' },
      signal,
      resource: resource.kind,
      request: 'watch',
    });
    if (stream.status !== 200) {
      const body = await new Response(stream.body).text().catch(() => '');
      throw failedAnswer(stream, body, resource.kind, 'watch');
    }
    watch.onOpen();
    timer.cancel();
    const idle = listeningTimeout(watch.idleMs, () => {
      silent = true;
      controller.abort();
    });
    timer = idle;
    reader = stream.body.getReader();
    return await readLines(reader, signal, watch.onLine, () => idle.heard());
  } catch (err) {
    if (watch.signal.aborted) return 'ended';
    if (silent) return 'idle';
    throw classifyFailure(err, resource.kind, 'watch');
  } finally {
    timer.cancel();
    release();
    // Ends the request whatever stopped the reading (a no-op on a stream that has ended).
    await reader?.cancel().catch(() => undefined);
  }
}

/**
 * Hands each line of the stream to onLine until it ends, or `signal` is aborted (then rejects).
 * Lines are found in the bytes and each is decoded on its own: a newline byte is never part of
 * a multi-byte UTF-8 character, so no character is cut, and no text is decoded, joined or
 * sliced twice (a 50,000-Service streaming list is hundreds of MB of lines).
 */
export async function readLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
  onLine: (line: string) => void,
  onChunk: () => void,
): Promise<'closed'> {
  /** The start of a line whose end has not arrived yet. */
  let carry: Buffer | undefined;
  /** Delivers the whole lines of `bytes`; returns where the unfinished one starts. */
  const deliver = (bytes: Buffer): number => {
    let start = 0;
    let newline = bytes.indexOf(NEWLINE, start);
    while (newline >= 0 && !signal.aborted) {
      const line = bytes.toString('utf8', start, newline);
      if (line.trim() !== '') onLine(line);
      start = newline + 1;
      newline = bytes.indexOf(NEWLINE, start);
    }
    return start;
  };
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    onChunk();
    const value = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
    const bytes = carry === undefined ? value : Buffer.concat([carry, value]);
    const used = deliver(bytes);
    carry = used < bytes.length ? Buffer.from(bytes.subarray(used)) : undefined;
  }
  // A last line without its newline is an event cut short: the caller hears of it.
  if (carry !== undefined && !signal.aborted) {
    const line = carry.toString('utf8');
    if (line.trim() !== '') onLine(line);
  }
  return 'closed';
}

const NEWLINE = 0x0a;
