// applyPlan in a fresh namespace: a hand-written plan of every phase, checked with the
// tools (ipvsadm -Sn, ip -o addr, ipset save, iptables-save of this boot's backend), with one bad change
// that must fail alone, and read back by readLiveState.
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { describe, expect, test } from '@jest/globals';
import { KernelClients, applyPlan, type ConntrackFlowDeleter } from '../../src/kernel/index.js';
import type { ConntrackDeletion } from '../../src/contracts/plan.js';
import type { Plan } from '../../src/contracts/plan.js';
import { withFreshNetns, type Netns } from '../uml/netns.js';
import type { ApplyOutput, ReadOutput } from './kernel-layer-child.js';
import { realServer, service, tcp, udp } from './ipvs-support.js';

const dnsTcp = tcp('10.96.0.10', 53);
const dnsUdp = udp('10.96.0.10', 53);
const cause = {
  service: { namespace: 'kube-system', name: 'kube-dns', port: 'dns', protocol: 'tcp' as const },
  reason: 'new virtual server',
};

const NAT_RESTORE = `*nat
:KUBE-SERVICES - [0:0]
-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
COMMIT
`;

const PLAN: Plan = {
  createLink: true,
  ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
  phases: [
    {
      kind: 'ipset',
      changes: [
        {
          op: {
            op: 'create-set',
            set: {
              name: 'KUBE-CLUSTER-IP',
              type: 'hash:ip,port',
              family: 'inet',
              options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
            },
          },
          cause,
        },
        {
          op: { op: 'add-entry', set: 'KUBE-CLUSTER-IP', entry: { ip: '10.96.0.10', protocol: 'tcp', port: 53 } },
          cause,
        },
        {
          op: { op: 'add-entry', set: 'KUBE-CLUSTER-IP', entry: { ip: '10.96.0.10', protocol: 'udp', port: 53 } },
          cause,
        },
      ],
    },
    {
      kind: 'ipvs',
      changes: [
        { op: { op: 'add-service', service: service(dnsTcp) }, cause },
        {
          op: { op: 'add-real-server', service: dnsTcp, realServer: realServer('10.244.1.5', 53) },
          cause: { ...cause, reason: 'endpoint added' },
        },
        // The bad change: a real server of a virtual server that does not exist.
        {
          op: { op: 'add-real-server', service: dnsUdp, realServer: realServer('10.244.1.5', 53) },
          cause: { ...cause, reason: 'endpoint added' },
        },
        {
          op: { op: 'add-real-server', service: dnsTcp, realServer: realServer('10.244.2.6', 53) },
          cause: { ...cause, reason: 'endpoint added' },
        },
      ],
    },
    { kind: 'address', changes: [{ op: { op: 'add-address', address: '10.96.0.10', prefixLength: 32 }, cause }] },
    {
      kind: 'iptables',
      rewrites: [{ family: 'inet', table: 'nat', restore: NAT_RESTORE, cause: { reason: 'rules changed' } }],
    },
    {
      kind: 'conntrack',
      changes: [
        {
          op: { family: 'inet', protocol: 'udp', destination: '10.96.0.10', destinationPort: 53 },
          cause: { reason: 'stale virtual server' },
        },
      ],
    },
  ],
};

async function apply(ns: Netns, plan: Plan): Promise<ApplyOutput> {
  return JSON.parse(
    (await ns.node(['build/test/kernel/kernel-layer-child.js', 'apply'], { input: JSON.stringify(plan) })).stdout,
  ) as ApplyOutput;
}

describe('applyPlan', () => {
  test('applies every phase, reports each change, and fails only the bad one', async () => {
    await withFreshNetns('kernel-apply', async (ns) => {
      const report = await apply(ns, PLAN);

      expect(report.changes).toEqual([
        { description: 'create dummy link kube-ipvs0 (down)', reason: 'missing link' },
        { description: 'set IPVS timeouts tcp 900 tcpfin 120 udp 300', reason: 'configured IPVS timeouts' },
        { description: 'create set KUBE-CLUSTER-IP hash:ip,port family inet', reason: 'new virtual server' },
        { description: 'add 10.96.0.10,tcp:53 to set KUBE-CLUSTER-IP', reason: 'new virtual server' },
        { description: 'add 10.96.0.10,udp:53 to set KUBE-CLUSTER-IP', reason: 'new virtual server' },
        { description: 'add virtual server TCP 10.96.0.10:53 scheduler rr', reason: 'new virtual server' },
        { description: 'add real server TCP 10.96.0.10:53 -> 10.244.1.5:53 weight 1', reason: 'endpoint added' },
        {
          description: 'add real server UDP 10.96.0.10:53 -> 10.244.1.5:53 weight 1',
          reason: 'endpoint added',
          errorKind: 'ESRCH',
          error: 'add-real-server udp 10.96.0.10:53 -> 10.244.1.5:53: no such service (ESRCH)',
        },
        { description: 'add real server TCP 10.96.0.10:53 -> 10.244.2.6:53 weight 1', reason: 'endpoint added' },
        { description: 'bind 10.96.0.10/32 to kube-ipvs0', reason: 'new virtual server' },
        { description: 'rewrite iptables nat table: 1 chain, 1 rule', reason: 'rules changed' },
        {
          description: 'delete UDP conntrack flows to 10.96.0.10:53',
          reason: 'stale virtual server',
          errorKind: 'no-conntrack-client',
          error: 'no conntrack client: the flows were not deleted',
        },
      ]);
      expect(report.failed).toBe(2);
      // One batch per phase: a handful of sendmsg calls for all the netlink changes.
      expect(report.netlink.messagesSent).toBeGreaterThanOrEqual(9);
      expect(report.netlink.sendCalls).toBeLessThanOrEqual(12);

      expect(await ns.ipvsSave()).toBe(
        '-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1\n-a -t 10.96.0.10:53 -r 10.244.2.6:53 -m -w 1\n',
      );
      expect((await ns.run('ipvsadm', ['-L', '--timeout'])).stdout).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
      const link = (await ns.run('ip', ['-o', 'link', 'show', 'kube-ipvs0'])).stdout;
      expect(link).toContain('state DOWN');
      expect(link).toContain('link/ether');
      expect((await ns.run('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout.split(/\s+/)[3]).toBe(
        '10.96.0.10/32',
      );
      expect(
        (await ns.run('ipset', ['save', 'KUBE-CLUSTER-IP'])).stdout
          .split('\n')
          .filter((l) => l.startsWith('add '))
          .sort(),
      ).toEqual(['add KUBE-CLUSTER-IP 10.96.0.10,tcp:53', 'add KUBE-CLUSTER-IP 10.96.0.10,udp:53']);
      const nat = (await ns.run(TEST_IPTABLES.inet.save, ['-t', 'nat'])).stdout;
      expect(nat).toContain(':KUBE-SERVICES - [0:0]\n');
      expect(nat).toContain(NAT_RESTORE.split('\n')[2]);

      // Read back: the kernel layer sees what it applied.
      const state = JSON.parse(
        (await ns.node(['build/test/kernel/kernel-layer-child.js', 'read', 'inet'])).stdout,
      ) as ReadOutput;
      expect(state.families[0]?.ipvsSave).toBe(await ns.ipvsSave());
      expect(state.families[0]?.linkAddresses).toEqual(['10.96.0.10/32']);
      expect(state.families[0]?.nat['KUBE-SERVICES']).toEqual([NAT_RESTORE.split('\n')[2]]);

      // The same netlink changes again: what exists fails with EEXIST, each on its own;
      // setting the timeouts again is no error.
      const again = await apply(ns, {
        ...PLAN,
        phases: PLAN.phases.filter((p) => p.kind === 'ipvs' || p.kind === 'address'),
      });
      expect(again.changes.map((c) => c.errorKind ?? 'ok')).toEqual([
        'EEXIST',
        'ok',
        'EEXIST',
        'EEXIST',
        'ESRCH',
        'EEXIST',
        'EEXIST',
      ]);
    });
  });

  test('addresses of a plan that neither finds nor creates the link fail as such, the rest is applied', async () => {
    await withFreshNetns('kernel-apply-nolink', async (ns) => {
      const report = await apply(ns, {
        createLink: false,
        phases: [
          { kind: 'address', changes: [{ op: { op: 'add-address', address: '10.96.0.10', prefixLength: 32 }, cause }] },
          {
            kind: 'iptables',
            rewrites: [
              {
                family: 'inet',
                table: 'nat',
                restore: '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n',
                cause,
              },
            ],
          },
          {
            kind: 'iptables',
            rewrites: [{ family: 'inet', table: 'nat', restore: '*nat\n-A KUBE-NOWHERE -j RETURN\nCOMMIT\n', cause }],
          },
        ],
      });
      expect(report.changes.map((c) => c.errorKind ?? 'ok')).toEqual(['link-missing', 'ok', 'failed']);
      expect(report.changes[0]?.error).toBe('kube-ipvs0 does not exist (the plan did not create it)');
      // iptables-restore's own words reach the report.
      expect(report.changes[2]?.error).toMatch(
        new RegExp(`^${TEST_IPTABLES.inet.restore} -w 5 -W 100000 --noflush --counters: exited with status 1: .*`),
      );
      expect((await ns.run(TEST_IPTABLES.inet.save, ['-t', 'nat'])).stdout).toContain('-A KUBE-SERVICES -j RETURN\n');
    });
  });
});

describe('applyPlan with a conntrack client', () => {
  const flow = (destination: string, replySource?: string): ConntrackDeletion => ({
    family: 'inet',
    protocol: 'udp',
    destination,
    destinationPort: 53,
    ...(replySource !== undefined && { replySource, replySourcePort: 53 }),
  });
  const deletions = [flow('10.96.0.10', '10.244.1.5'), flow('10.96.0.11')];
  const plan: Plan = {
    createLink: false,
    phases: [{ kind: 'conntrack', changes: deletions.map((op) => ({ op, cause: { reason: 'endpoint removed' } })) }],
  };

  // Nothing here changes the kernel: the clients are opened in Jest's own namespace only
  // because applyPlan counts their traffic.
  async function applyWith(conntrack: ConntrackFlowDeleter) {
    const clients = await KernelClients.open();
    try {
      return await applyPlan(plan, { clients, linkName: 'kube-ipvs0', iptables: TEST_IPTABLES, conntrack });
    } finally {
      clients.close();
    }
  }

  test('hands it every deletion in one call and reports each failure on its own change', async () => {
    const calls: (readonly ConntrackDeletion[])[] = [];
    const report = await applyWith({
      deleteFlows: async (given) => {
        calls.push(given);
        return {
          deleted: 3,
          failures: [{ deletion: given[1] as ConntrackDeletion, error: new Error('ctnetlink said EPERM') }],
        };
      },
    });
    expect(calls).toEqual([deletions]);
    expect(report.changes.map((c) => [c.description, c.result.ok ? 'ok' : c.result.error.userMessage])).toEqual([
      ['delete UDP conntrack flows to 10.96.0.10:53 answered by 10.244.1.5:53', 'ok'],
      ['delete UDP conntrack flows to 10.96.0.11:53', 'ctnetlink said EPERM'],
    ]);
    expect(report).toMatchObject({ failed: 1, netlink: { sendCalls: 0, messagesSent: 0 } });
  });

  test('fails every change when the client fails as a whole', async () => {
    const report = await applyWith({
      deleteFlows: () => Promise.reject(new Error('no ctnetlink')),
    });
    expect(
      report.changes.map((c) => (c.result.ok ? 'ok' : `${c.result.error.name}: ${c.result.error.userMessage}`)),
    ).toEqual([
      'KernelChangeError: deleting conntrack flows failed: no ctnetlink',
      'KernelChangeError: deleting conntrack flows failed: no ctnetlink',
    ]);
  });
});
