// One help style for every command: wrapped to 80 columns off a terminal, the
// command's own options first and kube-proxy's flags after them, doctor's help
// without the proxy flags it accepts.
import { describe, expect, it } from '@jest/globals';
import { runKipvs } from './run-kipvs.js';

const COMMANDS = [
  [],
  ['proxy'],
  ['dump'],
  ['restore'],
  ['plan'],
  ['doctor'],
  ['config'],
  ['config', 'validate'],
  ['config', 'defaults'],
];

describe('kipvs help', () => {
  it.each(COMMANDS)('%s: wrapped to 80 columns, with the same help option', async (...command) => {
    const { status, stdout } = await runKipvs([...command, '--help']);
    expect(status).toBe(0);
    expect(stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
    expect(stdout).toMatch(/^ {2}-h, --help {2,}show this help$/m);
  });

  it("plan: the command's own options first, kube-proxy's flags after them", async () => {
    const { stdout } = await runKipvs(['plan', '--help']);
    const flags = stdout.indexOf("kube-proxy's flags");
    expect(flags).toBeGreaterThan(stdout.indexOf('show this help'));
    expect(stdout.indexOf('--ipvs-scheduler')).toBeGreaterThan(flags);
  });

  it("doctor's help lists its own options and points to proxy's for the flags it also takes", async () => {
    const { stdout } = await runKipvs(['doctor', '--help']);
    expect(stdout).toContain('--host-root <dir>');
    expect(stdout).not.toContain('--ipvs-scheduler');
    expect(stdout).toContain('kipvs proxy --help');
    expect(stdout.split('\n').length).toBeLessThan(30);
  });

  it('plan says what its exit statuses mean', async () => {
    const { stdout } = await runKipvs(['plan', '--help']);
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      'Exit status: 0 when every object was used, 2 when some were dropped as invalid',
    );
  });
});
