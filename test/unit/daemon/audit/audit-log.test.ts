import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEntry, type AuditedChange } from '../../../../src/daemon/audit/audit-entry.js';
import { AuditLog, type AuditWriteError } from '../../../../src/daemon/audit/audit-log.js';

const TIME = Date.UTC(2024, 10, 23, 17, 40, 0, 123);
const added: AuditedChange = {
  kind: 'ipvs',
  op: 'add-real-server',
  target: '-t 10.96.0.10:80 -r 10.244.1.5:8080',
  cause: { service: { namespace: 'default', name: 'web', port: 'http', protocol: 'tcp' }, reason: 'endpoint added' },
};

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'kipvs-audit-'));
  return dir;
}

describe('auditEntry', () => {
  it('names the change, its Service port, its reason and its sync', () => {
    expect(auditEntry(added, 'sync-7', TIME)).toEqual({
      time: '2024-11-23T17:40:00.123Z',
      sync: 'sync-7',
      kind: 'ipvs',
      op: 'add-real-server',
      target: '-t 10.96.0.10:80 -r 10.244.1.5:8080',
      service: 'default/web:http/tcp',
      reason: 'endpoint added',
      result: 'ok',
    });
  });

  it("carries a failure's text, and no Service for state no Service claims", () => {
    const stale: AuditedChange = {
      kind: 'address',
      op: 'delete-address',
      target: '10.96.0.99/32 dev kube-ipvs0',
      cause: { reason: 'stale address' },
      error: new Error('EADDRNOTAVAIL'),
    };
    const entry = auditEntry(stale, 'sync-8', TIME);
    expect(entry).toMatchObject({ result: 'error', error: 'EADDRNOTAVAIL', reason: 'stale address' });
    expect(entry).not.toHaveProperty('service');
  });
});

describe('AuditLog', () => {
  it('appends one JSON line per entry to a file it creates with mode 0600', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const failures: AuditWriteError[] = [];
    const log = new AuditLog(path, (f) => failures.push(f));
    log.record(auditEntry(added, 'sync-1', TIME));
    log.record(auditEntry({ ...added, op: 'delete-real-server' }, 'sync-1', TIME));
    await log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { op: string }).op)).toEqual([
      'add-real-server',
      'delete-real-server',
    ]);
    expect(failures).toEqual([]);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    writeFileSync(path, '{"earlier":true}\n', { mode: 0o600 });
    const log = new AuditLog(path, () => undefined);
    log.record(auditEntry(added, 'sync-2', TIME));
    await log.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
  });

  it('reports a failing destination once, and keeps accepting entries without throwing', async () => {
    const failures: AuditWriteError[] = [];
    // A directory cannot be opened for append.
    const log = new AuditLog(tempDir(), (f) => failures.push(f));
    log.record(auditEntry(added, 'sync-3', TIME));
    await new Promise((resolve) => setTimeout(resolve, 50));
    log.record(auditEntry(added, 'sync-3', TIME));
    log.record(auditEntry(added, 'sync-4', TIME));
    await log.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      kind: 'audit-write-failed',
      reason: 'EISDIR; further audit entries are dropped',
      destination: dir,
    });
    // The two entries after the failure was known are counted for kipvs_audit_entries_dropped_total.
    expect(log.droppedEntries).toBe(2);
  });

  it('returns from record before the entry reaches the disk', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const log = new AuditLog(path, () => undefined);
    for (let i = 0; i < 1000; i += 1) log.record(auditEntry(added, `sync-${i}`, TIME));
    // Nothing written yet (the file may not even be open): the writes are queued, not made in the caller's turn.
    expect(existsSync(path) ? readFileSync(path, 'utf8') : '').toBe('');
    await log.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(1001);
  });
});

describe('AuditLog.recordAll', () => {
  /** Bounds small enough that a few thousand lines overrun them. */
  const SMALL = { maxBufferedBytes: 64 * 1024, chunkCharacters: 4 * 1024, drainTimeoutMs: 5_000 };
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      auditEntry({ ...added, target: `-t 10.96.0.10:80 -r 10.244.${i >> 8}.${i & 255}:8080` }, 'sync-1', TIME),
    );

  it('writes every line of a bulk sync, in order, however far past the buffer bound it goes', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const failures: AuditWriteError[] = [];
    const log = new AuditLog(path, (f) => failures.push(f), SMALL);
    const entries = many(5_000); // about 1.2 MB of text: 18 times the bound
    await log.recordAll(entries);
    await log.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { target: string }).target)).toEqual(entries.map((e) => e.target));
    expect(log.droppedEntries).toBe(0);
    expect(failures).toEqual([]);
  });

  it('drops, counts and reports once what one-at-a-time records queue past the bound', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const failures: AuditWriteError[] = [];
    const log = new AuditLog(path, (f) => failures.push(f), SMALL);
    for (const entry of many(5_000)) log.record(entry);
    await log.close();
    const written = readFileSync(path, 'utf8').split('\n').length - 1;
    expect(log.droppedEntries).toBe(5_000 - written);
    expect(log.droppedEntries).toBeGreaterThan(0);
    expect(failures.map((f) => f.reason)).toEqual(['writes fall behind; entries are dropped while 0.0625 MiB wait']);
  });

  it('counts the lines of a failed destination as dropped', async () => {
    const log = new AuditLog(tempDir(), () => undefined, SMALL);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await log.recordAll(many(100));
    await log.close();
    expect(log.droppedEntries).toBe(100);
  });
});
