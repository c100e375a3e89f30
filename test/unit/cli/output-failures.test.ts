// What the user or the machine did is never shown as a crash: write errors are
// one line with a non-zero status, a closed pipe ends the command quietly,
// nothing written is lost at exit, long lists are cut, huge inputs refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './run-kipvs.js';

const kipvs = resolve(repoRoot, 'bin/kipvs');

/** Runs kipvs with its standard output going to `path` (a device such as /dev/full). */
function withStdoutTo(path: string, args: readonly string[]) {
  const fd = openSync(path, 'w');
  try {
    return spawnSync(kipvs, args, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
  } finally {
    closeSync(fd);
  }
}

describe('output failures', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kipvs-output-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['config', 'defaults']],
    [['proxy', '--version']],
    [['--version']],
    [['restore', '--dry-run', '/dev/null']],
  ])('a full disk under `kipvs %p` is one line and status 1', (args) => {
    const input = join(dir, 'one-rule');
    writeFileSync(input, '-A -t 10.0.0.1:80 -s rr\n');
    const result = withStdoutTo(
      '/dev/full',
      args.map((a) => (a === '/dev/null' ? input : a)),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kipvs: cannot write to standard output: no space left on device (ENOSPC)\n');
  });

  it('a missing directory for --write-config-to is one line with the path, status 1', () => {
    const result = spawnSync(kipvs, ['proxy', '--write-config-to=/nonexistent/dir/x.yaml'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^kipvs: cannot write the configuration to \/nonexistent\/dir\/x\.yaml: no such file or directory \(ENOENT\)\n$/m,
    );
    expect(result.stderr).not.toContain('internal error');
  });

  it('a reader that goes away ends the command quietly, as a closed pipe ends cat', async () => {
    const rules = join(dir, 'many-rules');
    writeFileSync(
      rules,
      Array.from({ length: 20_000 }, (_, i) => `-A -t 10.0.${i >> 8}.${i & 255}:80 -s rr\n`).join(''),
    );
    const child = spawn(kipvs, ['restore', '--dry-run', rules], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => child.on('close', done));
    expect({ status, stderr }).toEqual({ status: 141, stderr: '' });
  });

  it('delivers every line and the summary to a slow reader, and cuts a long list of problems', async () => {
    const bad = join(dir, 'bad-lines');
    writeFileSync(bad, Array.from({ length: 5001 }, (_, i) => `bad line ${i}\n`).join(''));
    // A reader that reads nothing until kipvs has written everything and tried to exit; the
    // pipeline's status is kipvs's (pipefail).
    const script = 'set -o pipefail; "$0" restore --dry-run "$1" 2>&1 >/dev/null | { sleep 1.5; cat; }';
    const child = spawn('bash', ['-c', script, kipvs, bad], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise<number | null>((done) => child.on('close', done));
    const lines = stderr.trimEnd().split('\n');
    expect(status).toBe(1);
    expect(lines).toHaveLength(52);
    expect(lines.slice(-2)).toEqual([
      'kipvs: ... and 4951 more',
      `kipvs: 5001 invalid lines in ${bad}; nothing was applied`,
    ]);
  });

  it('refuses an input larger than the bound instead of exhausting the memory', () => {
    const result = spawnSync(kipvs, ['restore', '--dry-run', '/dev/zero'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('kipvs: /dev/zero: larger than 256 MiB, the most kipvs reads; refused\n');
  });
});
