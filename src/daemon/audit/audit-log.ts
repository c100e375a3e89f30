// The audit stream: AuditEntry lines to their own file (appended to, created
// 0600: it shows the cluster's topology) or to stdout, never to the logs on
// stderr. Writes go through a buffered stream and never wait for the disk, so
// the sync they record is never slowed by them. When the file fails (a full
// disk, a removed directory), the failure is reported once and later entries
// are dropped: the daemon keeps proxying without its audit trail rather than
// stopping.
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
  ) {
    this.stream =
      destination === AUDIT_TO_STDOUT
        ? createWriteStream('', { fd: 1, autoClose: false })
        : createWriteStream(destination, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? error.message));
  }

  record(entry: AuditEntry): void {
    if (this.failed) {
      this.dropped += 1;
      return;
    }
    if (this.stream.writableLength > MAX_BUFFERED_BYTES) {
      this.dropped += 1;
      if (this.dropped === 1) this.onFailure(new AuditWriteError(this.destination, 'writes fall behind; entries are dropped while 64 MiB wait'));
      return;
    }
    this.stream.write(`${JSON.stringify(entry)}\n`);
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
