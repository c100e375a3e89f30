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

function loadedIpvsModules(): string[] {
  return readFileSync('/proc/modules', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name === 'ip_vs' || name.startsWith('ip_vs_'));
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
    await ownNetns().run('modprobe', [...MODULE_ROOT, '-r', 'ip_vs_mh']);
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
    // Schedulers and helpers first: they hold references to ip_vs.
    await ownNetns().run('modprobe', [...MODULE_ROOT, '-r', ...loadedIpvsModules().filter((m) => m !== 'ip_vs'), 'ip_vs']);
    expect(loadedIpvsModules()).toEqual([]);
    const sentence = { status: 1, stdout: '', stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n' };
    expect(await kipvs(ownNetns(), ['dump'])).toEqual(sentence);
    expect(await kipvs(ownNetns(), ['dump', '-o', 'save'])).toEqual(sentence);
    expect(await kipvs(ownNetns(), ['restore'], { input: '-A -t 10.0.0.1:80 -s rr\n' })).toEqual(sentence);
  });
});
