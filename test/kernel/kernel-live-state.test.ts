// readLiveState against a state the tools built, compared with what the tools print:
// ipvsadm -Sn, ip -o addr/link, ipset save and iptables-save (of this boot's backend).
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { describe, expect, test } from '@jest/globals';
import { withFreshNetns, type Netns } from '../uml/netns.js';
import type { ReadOutput } from './kernel-layer-child.js';

const IPVS_RULES = `-A -t 10.96.0.10:53 -s rr
-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
-a -t 10.96.0.10:53 -r 10.244.2.6:53 -m -w 0
-A -u 10.96.0.10:53 -s wrr
-A -f 7 -s rr
-A -t [fd00::10]:443 -s sh -b flag-1,flag-2
-a -t [fd00::10]:443 -r [fd00:1::5]:8443 -m -w 1
`;

const IPSETS = `create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
add KUBE-CLUSTER-IP 10.96.0.10,udp:53
create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
add KUBE-6-CLUSTER-IP fd00::10,tcp:443
create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
add KUBE-NODE-PORT-TCP 30080
create SOMEONE-ELSES hash:ip family inet hashsize 1024 maxelem 65536
add SOMEONE-ELSES 192.0.2.1
`;

const NAT = (family: 'inet' | 'inet6') => `*nat
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -m set --match-set ${family === 'inet' ? 'KUBE-CLUSTER-IP' : 'KUBE-6-CLUSTER-IP'} dst,dst -j ACCEPT
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
COMMIT
*filter
:KUBE-FORWARD - [0:0]
-A FORWARD -j KUBE-FORWARD
-A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT
COMMIT
`;

async function lines(ns: Netns, program: string, args: string[]): Promise<string[]> {
  return (await ns.run(program, args)).stdout.split('\n').filter((line) => line !== '');
}

/** iptables-save -t TABLE as chains -> "-A" lines, from the tool's own text. */
async function savedChains(ns: Netns, save: string, table: string): Promise<Record<string, string[]>> {
  const chains: Record<string, string[]> = {};
  for (const line of await lines(ns, save, ['-t', table])) {
    if (line.startsWith(':')) chains[line.slice(1).split(' ')[0] ?? ''] = [];
    if (line.startsWith('-A ')) chains[line.split(' ')[1] ?? '']?.push(line);
  }
  return chains;
}

describe('readLiveState', () => {
  test('reads what ipvsadm, ip, ipset and iptables-restore built, as those tools print it', async () => {
    await withFreshNetns('kernel-read', async (ns) => {
      await ns.run('ipvsadm', ['-R'], { input: IPVS_RULES });
      await ns.run('ipvsadm', ['--set', '900', '120', '300']);
      await ns.run('ip', ['link', 'add', 'kube-ipvs0', 'type', 'dummy']);
      await ns.run('ip', ['addr', 'add', '10.96.0.10/32', 'dev', 'kube-ipvs0']);
      await ns.run('ip', ['addr', 'add', '10.96.0.11/32', 'dev', 'kube-ipvs0']);
      await ns.run('ip', ['addr', 'add', 'fd00::10/128', 'dev', 'kube-ipvs0']);
      await ns.run('ipset', ['restore'], { input: IPSETS });
      await ns.run(TEST_IPTABLES.inet.restore, ['--noflush'], { input: NAT('inet') });
      await ns.run(TEST_IPTABLES.inet6.restore, ['--noflush'], { input: NAT('inet6') });

      const { stdout } = await ns.node(['build/test/kernel/kernel-layer-child.js', 'read', 'inet,inet6']);
      const state = JSON.parse(stdout) as ReadOutput;

      // The link: its index and state as ip prints them (a dummy link left down).
      const [link = ''] = await lines(ns, 'ip', ['-o', 'link', 'show', 'kube-ipvs0']);
      expect(state.link).toEqual({ index: Number(link.split(':')[0]), up: false });
      expect(link).toContain('state DOWN');

      // The timeouts, as ipvsadm -L --timeout prints them.
      const [timeouts = ''] = await lines(ns, 'ipvsadm', ['-L', '--timeout']);
      const { tcp, tcpFin, udp } = state.ipvsTimeouts;
      expect(timeouts).toBe(`Timeout (tcp tcpfin udp): ${tcp} ${tcpFin} ${udp}`);
      expect(state.ipvsTimeouts).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });

      const [inet, inet6] = state.families;
      expect([inet?.family, inet6?.family]).toEqual(['inet', 'inet6']);

      // Virtual servers: each family's, together exactly ipvsadm -Sn.
      const ipvsSave = await lines(ns, 'ipvsadm', ['-Sn']);
      expect(
        `${inet?.ipvsSave}${inet6?.ipvsSave}`
          .split('\n')
          .filter((l) => l !== '')
          .sort(),
      ).toEqual([...ipvsSave].sort());
      expect(inet6?.ipvsSave).toContain('[fd00::10]:443');
      expect(inet?.ipvsSave).not.toContain('fd00');

      // Addresses: each family's, together exactly those ip lists on the link.
      const ipAddresses = (await lines(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).map(
        (l) => l.split(/\s+/)[3],
      );
      expect([...(inet?.linkAddresses ?? []), ...(inet6?.linkAddresses ?? [])].sort()).toEqual([...ipAddresses].sort());
      expect(inet?.linkAddresses).toEqual(['10.96.0.10/32', '10.96.0.11/32']);

      // Sets: kube-proxy's names only, with their entries as ipset save prints them.
      const saved = await lines(ns, 'ipset', ['save']);
      const kubeEntries = saved.filter((l) => l.startsWith('add KUBE-'));
      expect([...(inet?.ipsetEntries ?? []), ...(inet6?.ipsetEntries ?? [])].sort()).toEqual([...kubeEntries].sort());
      expect([...(inet?.ipsetNames ?? [])].sort()).toEqual(['KUBE-CLUSTER-IP', 'KUBE-NODE-PORT-TCP']);
      expect(inet6?.ipsetNames).toEqual(['KUBE-6-CLUSTER-IP']);

      // iptables: every chain of nat and filter with its rules as iptables-save prints them.
      for (const [family, save] of [
        [inet, TEST_IPTABLES.inet.save],
        [inet6, TEST_IPTABLES.inet6.save],
      ] as const) {
        expect(family?.nat).toEqual(await savedChains(ns, save, 'nat'));
        expect(family?.filter).toEqual(await savedChains(ns, save, 'filter'));
      }
      expect(inet?.nat['KUBE-MARK-MASQ']).toEqual(['-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000']);
    });
  });

  test('reads an empty namespace as nothing: no link, no sets, only built-in chains', async () => {
    await withFreshNetns('kernel-read-empty', async (ns) => {
      const { stdout } = await ns.node(['build/test/kernel/kernel-layer-child.js', 'read', 'inet']);
      const state = JSON.parse(stdout) as ReadOutput;
      expect(state.link).toBeUndefined();
      expect(state.families).toEqual([
        {
          family: 'inet',
          ipvsSave: '',
          linkAddresses: [],
          ipsetNames: [],
          ipsetEntries: [],
          nat: { PREROUTING: [], INPUT: [], OUTPUT: [], POSTROUTING: [] },
          filter: { INPUT: [], FORWARD: [], OUTPUT: [] },
        },
      ]);
    });
  });
});
