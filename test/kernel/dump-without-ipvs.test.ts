// What kipvs says when the kernel lacks IPVS, or one of its scheduler modules. Only inside
// User-Mode Linux: the test unloads the ip_vs modules of the running kernel (and loads them
// again), which must never happen on a real host. Outside UML the tests are reported as skipped.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ownNetns } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

const inUml = process.env.KIPVS_IN_UML === '1';
/** Where test/uml/init.sh points modprobe: the UML kernel's modules under /run/mods/lib/modules. */
const MODULE_ROOT = ['-d', '/run/mods'];

/**
 * Unloads modules, retrying while the kernel still holds them: every IPVS service, including
 * those of namespaces being torn down and those kept alive by real servers in IPVS's trash (for
 * up to about three minutes after deletion), holds a reference to ip_vs and its scheduler.
 */
async function unload(modules: readonly string[]): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const result = await ownNetns().run('modprobe', [...MODULE_ROOT, '-r', ...modules], { allowFailure: true });
    if (result.status === 0) return;
    if (Date.now() > deadline)
      throw new Error(`cannot unload ${modules.join(' ')} in 5 minutes: ${result.stderr.trim()}`);
    await new Promise((done) => setTimeout(done, 5_000));
  }
}

/** ip_vs and every loaded module that uses it (schedulers, xt_ipvs, ...), users first: the order to unload them in. */
function loadedIpvsModules(): string[] {
  const usedBy = new Map(
    readFileSync('/proc/modules', 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [name = '', , , users = '-'] = line.split(' ');
        return [name, users.split(',').filter((user) => user !== '' && user !== '-')] as const;
      }),
  );
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name) || !usedBy.has(name)) return;
    for (const user of usedBy.get(name) ?? []) visit(user);
    order.push(name);
  };
  visit('ip_vs');
  return order;
}

(inUml ? describe : describe.skip)('in User-Mode Linux, with IPVS modules unloaded', () => {
  let modules: string[] = [];
  beforeAll(() => {
    modules = loadedIpvsModules();
    expect(modules).toContain('ip_vs_mh');
  });
  afterAll(async () => {
    await ownNetns().run('modprobe', [...MODULE_ROOT, '-a', ...modules]);
    expect(loadedIpvsModules().sort()).toEqual([...modules].sort());
  });

  test('a missing scheduler module is named in the failure of the line that needs it', async () => {
    await unload(['ip_vs_mh']);
    const result = await kipvs(ownNetns(), ['restore'], { input: '-A -t 10.0.0.1:80 -s mh\n' });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        "kipvs: line 1: add-service tcp 10.0.0.1:80: scheduler 'mh' not found (is the kernel module ip_vs_mh available?) (ENOENT)",
        'kipvs: 1 operation of 1 failed; the others were applied',
        '',
      ].join('\n'),
    });
  });

  test('no IPVS at all: one sentence saying what to do, exit status 1', async () => {
    await unload(loadedIpvsModules());
    expect(loadedIpvsModules()).toEqual([]);
    const sentence = {
      status: 1,
      stdout: '',
      stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n',
    };
    expect(await kipvs(ownNetns(), ['dump'])).toEqual(sentence);
    expect(await kipvs(ownNetns(), ['dump', '-o', 'save'])).toEqual(sentence);
    expect(await kipvs(ownNetns(), ['restore'], { input: '-A -t 10.0.0.1:80 -s rr\n' })).toEqual(sentence);
  });
});
