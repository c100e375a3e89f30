// The other sections of a realistic plan in the tools they are written for: the IPVS
// table read back by ipvsadm -Sn, the kube-ipvs0 addresses by ip, the sysctls by sysctl.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFreshNetns } from '../uml/netns.js';
import { PLAN_CONFIGS, planSection, planText, withoutComments } from './plan-text.js';

describe('kipvs plan sections in their tools', () => {
  test('a dual-stack plan with the mh scheduler', async () => {
    const plan = await planText(PLAN_CONFIGS.dualStack);
    await withFreshNetns('plan-tools', async (ns) => {
      // ipvsadm -R takes no comment lines.
      const table = withoutComments(planSection(plan, 'IPVS'));
      expect(table).toContain(' -s mh -b mh-port\n');
      await ns.run('ipvsadm', ['-R'], { input: table });
      expect(await ns.ipvsSave()).toBe(table);

      await ns.run('ip', ['link', 'add', 'kube-ipvs0', 'type', 'dummy']);
      const addresses = planSection(plan, 'kube-ipvs0');
      await ns.run('ip', ['-batch', '-'], { input: addresses });
      const shown = (await ns.run('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout;
      const bound = [...shown.matchAll(/ inet6? (\S+) /g)].map((m) => m[1]);
      const planned = [...addresses.matchAll(/^addr add (\S+) dev kube-ipvs0$/gm)].map((m) => m[1]);
      expect(bound.sort()).toEqual(planned.sort());

      // sysctl -p reads a file (its standard input here is a socket, which /dev/stdin cannot open).
      const sysctls = planSection(plan, 'sysctls');
      const dir = mkdtempSync(join(tmpdir(), 'kipvs-plan-'));
      try {
        writeFileSync(join(dir, 'sysctl.conf'), sysctls);
        await ns.run('sysctl', ['-p', join(dir, 'sysctl.conf')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      for (const [, name, value] of sysctls.matchAll(/^(\S+) = (\d+)$/gm)) {
        expect(`${name} = ${(await ns.run('sysctl', ['-n', name ?? ''])).stdout.trim()}`).toBe(`${name} = ${value}`);
      }
    });
  });
});
