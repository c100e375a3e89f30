// The audit stream: AuditEntry lines to their own file (appended to, created
// 0600: it shows the cluster's topology) or to stdout, never to the logs on
// stderr. Writes go through a buffered stream. A sync's lines go in with
// recordAll: many lines a write, and past the stream's high-water mark it waits
// for the disk (a first sync of 50,000 Services is 600,000 lines, 150 MB of
// text: queued at once they were dropped past MAX_BUFFERED_BYTES), so the
// trail keeps up with a bulk sync without holding it all in memory; the event
// loop turns while it waits. When the file fails (a full disk, a removed
// directory) or stops taking writes for DRAIN_TIMEOUT_MS, the failure is
// reported once and later entries are dropped: the daemon keeps proxying
// without its audit trail rather than stopping.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditEntry } from './audit-entry.js';

/** Audit to stdout instead of a file. */
export const AUDIT_TO_STDOUT = '-';

/**
 * Past this much unwritten audit text, entries are dropped rather than held in memory. A first
 * sync of a large cluster writes about 250 bytes for each of 100,000+ changes at once (25 MB,
 * flushed in under half a second to a local disk): the bound leaves room for that.
 */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** recordAll's lines go out in writes of about this much text. */
const CHUNK_CHARACTERS = 256 * 1024;

/** How long recordAll waits for a destination that takes no more writes before it drops entries. */
const DRAIN_TIMEOUT_MS = 30_000;

/** The bounds above (smaller ones for tests). */
export interface AuditLogLimits {
  readonly maxBufferedBytes: number;
  readonly chunkCharacters: number;
  readonly drainTimeoutMs: number;
}

const LIMITS: AuditLogLimits = {
  maxBufferedBytes: MAX_BUFFERED_BYTES,
  chunkCharacters: CHUNK_CHARACTERS,
  drainTimeoutMs: DRAIN_TIMEOUT_MS,
};

export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
  readonly kind = 'audit-write-failed';
  constructor(
    readonly destination: string,
    readonly reason: string,
  ) {
    super(`audit log ${destination}: ${reason}`);
  }
}

export class AuditLog {
  private readonly stream: WriteStream;
  private failed = false;
  private dropped = 0;

  /**
   * `destination`: a file path, or "-" for stdout (through its own asynchronous stream, since
   * process.stdout writes synchronously to pipes on Linux). `onFailure` is called once.
   */
  constructor(
    private readonly destination: string,
    private readonly onFailure: (error: AuditWriteError) => void,
    private readonly limits: AuditLogLimits = LIMITS,
  ) {
    // A few of recordAll's writes in flight before it waits.
    const highWaterMark = 4 * limits.chunkCharacters;
    this.stream =
      destination === AUDIT_TO_STDOUT
        ? createWriteStream('', { fd: 1, autoClose: false, highWaterMark })
        : createWriteStream(destination, { flags: 'a', mode: 0o600, highWaterMark });
    this.stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? error.message));
  }

  record(entry: AuditEntry): void {
    this.write(`${JSON.stringify(entry)}\n`, 1);
  }

  /**
   * Every entry, in order, in writes of many lines; waits whenever the stream holds more than
   * its high-water mark, so that a bulk sync's trail is written whole (resolves once the last
   * line is handed to the stream, not when it is on disk).
   */
  async recordAll(entries: Iterable<AuditEntry>): Promise<void> {
    let chunk = '';
    let lines = 0;
    let waiting = true;
    for (const entry of entries) {
      chunk += `${JSON.stringify(entry)}\n`;
      lines += 1;
      if (chunk.length < this.limits.chunkCharacters) continue;
      this.write(chunk, lines);
      chunk = '';
      lines = 0;
      // A destination that took nothing for DRAIN_TIMEOUT_MS is not waited for again in this call.
      if (waiting && this.stream.writableNeedDrain) waiting = await this.drained();
    }
    if (lines > 0) this.write(chunk, lines);
  }

  private write(text: string, lines: number): void {
    if (this.failed) {
      this.dropped += lines;
      return;
    }
    if (this.stream.writableLength > this.limits.maxBufferedBytes) {
      const first = this.dropped === 0;
      this.dropped += lines;
      if (first)
        this.onFailure(
          new AuditWriteError(
            this.destination,
            `writes fall behind; entries are dropped while ${this.limits.maxBufferedBytes / 2 ** 20} MiB wait`,
          ),
        );
      return;
    }
    this.stream.write(text);
  }

  /** Whether the stream drained (or failed) within DRAIN_TIMEOUT_MS. */
  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (drained: boolean) => (): void => {
        clearTimeout(timer);
        this.stream.off('drain', settled).off('error', settled).off('close', settled);
        resolve(drained);
      };
      const settled = done(true);
      const timer = setTimeout(done(false), this.limits.drainTimeoutMs);
      this.stream.once('drain', settled).once('error', settled).once('close', settled);
    });
  }

  /** Entries not written: the destination failed, or fell behind (kipvs_audit_entries_dropped_total). */
  get droppedEntries(): number {
    return this.dropped;
  }

  /** Flushes what is buffered and closes the file (stdout stays open). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) resolve();
      else this.stream.end(() => resolve());
    });
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onFailure(new AuditWriteError(this.destination, `${reason}; further audit entries are dropped`));
  }
}
