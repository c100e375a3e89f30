// bin/kipvs starts the daemon with V8 bounds taken from the container's memory limit: a
// preloaded script reports the flags and V8's heap limit the process really got.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './run-kipvs.js';

const preload = join(mkdtempSync(join(tmpdir(), 'kipvs-heap-')), 'report.cjs');
writeFileSync(
  preload,
  'process.stderr.write(JSON.stringify({ argv: process.execArgv, limit: require("v8").getHeapStatistics().heap_size_limit }) + "\\n");',
);

/** The flags and heap limit of `bin/kipvs ARGS` (each command prints its version and ends). */
function started(args: readonly string[], memoryLimit?: string): { argv: string[]; limit: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${preload}` };
  if (memoryLimit === undefined) delete env['KIPVS_MEMORY_LIMIT'];
  else env['KIPVS_MEMORY_LIMIT'] = memoryLimit;
  const run = spawnSync(resolve(repoRoot, 'bin/kipvs'), args, { cwd: repoRoot, env, encoding: 'utf8' });
  expect(run.status).toBe(0);
  const line = run.stderr.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no report from the preload: ${run.stderr}`);
  return JSON.parse(line) as { argv: string[]; limit: number };
}

const MiB = 2 ** 20;
const CGROUP_MEMORY_MAX = '/sys/fs/cgroup/memory.max';

describe('bin/kipvs', () => {
  it("bounds the daemon's old generation by three fifths of the memory limit", () => {
    const run = started(['proxy', '--version'], String(512 * MiB));
    expect(run.argv).toEqual(['--max-semi-space-size=8', '--max-old-space-size=307']);
    // V8's limit counts the young generation too (three 8 MB semi-spaces).
    expect(run.limit).toBeLessThan(350 * MiB);
  });

  it("takes cgroup v2's memory.max without KIPVS_MEMORY_LIMIT, and no bound where there is none", () => {
    // This machine's own cgroup decides what the daemon gets here.
    const cgroup = existsSync(CGROUP_MEMORY_MAX) ? readFileSync(CGROUP_MEMORY_MAX, 'utf8').trim() : 'max';
    const bound = /^\d+$/.test(cgroup)
      ? [`--max-old-space-size=${Math.floor((Math.floor(Number(cgroup) / MiB) * 3) / 5)}`]
      : [];
    expect(started(['proxy', '--version']).argv).toEqual(['--max-semi-space-size=8', ...bound]);
  });

  it('ignores a limit that is not a number of bytes', () => {
    expect(started(['proxy', '--version'], 'max').argv).toEqual(['--max-semi-space-size=8']);
  });

  it('gives the one-shot commands small semi-spaces and no bound from the limit', () => {
    expect(started(['--version'], String(512 * MiB)).argv).toEqual(['--max-semi-space-size=2']);
  });
});
