// `kipvs restore` up to the kernel: reading, checking and --dry-run need no IPVS and no root.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKipvs } from './run-kipvs.js';

const RULES = [
  '-A -t 10.0.0.1:80 -s rr -p',
  '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3 -x 10',
  'ipvsadm -A -f -1 -s sh -b sh-port',
  '--set 900 120 300',
  '',
].join('\n');

describe('kipvs restore', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kipvs-restore-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--dry-run prints each operation as an ipvsadm line, with ipvsadm -R defaults filled in', async () => {
    const file = join(dir, 'rules');
    await writeFile(file, RULES);
    const result = await runKipvs(['restore', '--dry-run', file]);
    expect(result).toEqual({
      status: 0,
      stdout: [
        '-A -t 10.0.0.1:80 -s rr -p 360',
        '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3 -x 10',
        '-A -f -1 -s sh -b sh-port',
        '--set 900 120 300',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('reads standard input by default and with -', async () => {
    const implicit = await runKipvs(['restore', '--dry-run'], RULES);
    const dash = await runKipvs(['restore', '--dry-run', '-'], RULES);
    expect(implicit.status).toBe(0);
    expect(implicit.stdout.split('\n')).toHaveLength(5);
    expect(dash).toEqual(implicit);
  });

  test('bad lines: every one reported with its number, exit status 1, no stack trace', async () => {
    const result = await runKipvs(
      ['restore', '--dry-run'],
      '-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s fastest\n\n-a -t 10.0.0.1:80 -r 10.1.0.1 -w heavy\n',
    );
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        'kipvs: standard input: line 2: unknown scheduler "fastest"',
        'kipvs: standard input: line 4: invalid weight "heavy" for -w (expected 0-2147483647)',
        'kipvs: 2 invalid lines in standard input; nothing was applied',
        '',
      ].join('\n'),
    });
  });

  test('a file that cannot be read is one sentence', async () => {
    const result = await runKipvs(['restore', join(dir, 'missing')]);
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `kipvs: cannot read ${join(dir, 'missing')}: no such file or directory (ENOENT)\n`,
    });
  });
});
