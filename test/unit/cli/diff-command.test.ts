// `kipvs diff`'s exit status for errors, on this host (whose kernel has no IPVS): 2 or more,
// never 1, which means "something would change" (as in diff(1) and kubectl diff). Statuses 0
// and 1 need a kernel with IPVS: test/kernel/takeover.test.ts.
import { describe, expect, it } from '@jest/globals';
import { runKipvs } from './run-kipvs.js';

describe('kipvs diff, errors', () => {
  it('exits 0 for --help', async () => {
    const { status, stdout } = await runKipvs(['diff', '--help']);
    expect(status).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toContain('exit 0 when nothing, 1 when something would change, 2 on error');
  });

  it.each([
    ['an unknown flag', ['--bogus'], "unknown option '--bogus'"],
    ['an argument', ['extra'], 'too many arguments'],
    ['an invalid flag value', ['--ipvs-scheduler', 'fastest', '-f', 'test/fixtures/plan/list.yaml'], 'fastest'],
    [
      'a file that cannot be read',
      ['-f', 'test/fixtures/plan/missing.yaml'],
      'cannot read test/fixtures/plan/missing.yaml: no such file or directory',
    ],
    [
      'a kernel without IPVS',
      ['-f', 'test/fixtures/plan/list.yaml', '--hostname-override=node-a', '--iptables-backend=legacy'],
      'IPVS is not available in this kernel',
    ],
  ])('exits 2 for %s', async (_, args, message) => {
    const { status, stderr } = await runKipvs(['diff', ...args]);
    expect({ status, says: stderr.includes(message) }).toEqual({ status: 2, says: true });
  });
});
