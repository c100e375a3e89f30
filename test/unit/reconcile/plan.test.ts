// The plan as a whole: phases in plan.ts's order with both families' changes
// together, empty phases left out, the global IPVS timeouts, and the summary.
import { describe, expect, it } from '@jest/globals';
import type { IpvsTimeouts } from '../../../src/ipvs/types.js';
import { formatPlanSummary, summarizePlan } from '../../../src/reconcile/plan-summary.js';
import type { PlanPhase } from '../../../src/contracts/plan.js';
import {
  bitmapSet,
  desiredOf,
  desiredServer,
  diffAt,
  family,
  hashSet,
  KERNEL_TIMEOUTS,
  liveFamilyOf,
  liveOf,
  liveReal,
  liveServer,
  realServer,
} from './states.js';

/** "kind:op" of each change, phase by phase. */
function shape(phases: readonly PlanPhase[]): string[][] {
  return phases.map((p) =>
    p.kind === 'iptables'
      ? p.rewrites.map((r) => `iptables:${r.family}/${r.table}`)
      : p.kind === 'conntrack'
        ? p.changes.map((c) => `conntrack:${c.op.destination}`)
        : p.changes.map((c) => `${p.kind}:${c.op.op}`),
  );
}

describe('the plan', () => {
  const dns = desiredServer('dns', '10.96.0.10', 53, 'udp', ['10.244.0.3:53']);
  const web6 = desiredServer('web', 'fd00::1', 80, 'tcp', ['fd00:244::1:80']);
  const v4 = family({
    virtualServers: [dns],
    linkAddresses: ['10.96.0.10'],
    ipsets: [
      hashSet('KUBE-CLUSTER-IP', 'hash:ip,port', [{ ip: '10.96.0.10', protocol: 'udp', port: 53 }]),
      bitmapSet('KUBE-NODE-PORT-TCP'),
    ],
    iptables: { jumps: [], nat: { chains: ['KUBE-SERVICES'], rules: [] }, filter: { chains: [], rules: [] } },
  });
  const v6 = family({ family: 'IPv6', virtualServers: [web6], linkAddresses: ['fd00::1'] });
  const desired = desiredOf(v4, v6);

  it('is empty for a kernel in the desired state', () => {
    expect(diffAt(desired, liveOf(desired)).plan).toEqual({ createLink: false, phases: [] });
  });

  it('orders every kind of change by phase, both families together in each', () => {
    const live4 = liveFamilyOf(v4);
    const live6 = liveFamilyOf(v6);
    const stale4 = liveServer(desiredServer('old', '10.96.0.20', 53, 'udp', []));
    const live = {
      ...liveOf(desired),
      families: [
        {
          ...live4,
          // The desired UDP real server is gone and a stale one is there; a stale service on a bound address.
          virtualServers: [liveServer(dns, [liveReal(realServer('10.244.0.4', 53))]), stale4],
          linkAddresses: [{ address: '10.96.0.20', prefixLength: 32 }],
          ipsets: live4.ipsets
            .map((s) => ({ ...s, entries: [{ ip: '10.96.0.20', protocol: 'udp' as const, port: 53 }] }))
            .filter((s) => s.header.name === 'KUBE-CLUSTER-IP'),
          iptables: { ...live4.iptables, nat: { chains: new Map() } },
        },
        {
          ...live6,
          virtualServers: [liveServer(web6, [liveReal(realServer('fd00:244::2', 80), 1)])],
          linkAddresses: [],
        },
      ],
    };
    expect(shape(diffAt(desired, live).plan.phases)).toEqual([
      ['ipset:create-set', 'ipset:add-entry'],
      ['ipvs:add-real-server', 'ipvs:add-real-server'],
      ['address:add-address', 'address:add-address'],
      ['ipvs:edit-real-server', 'ipvs:delete-real-server', 'ipvs:delete-service'],
      ['address:delete-address'],
      ['iptables:inet/nat'],
      ['ipset:delete-entry'],
      ['conntrack:10.96.0.10', 'conntrack:10.96.0.20'],
    ]);
  });

  const timeouts: [string, IpvsTimeouts | undefined, IpvsTimeouts | undefined][] = [
    ['not configured', undefined, undefined],
    ['configured as the kernel has them', { ...KERNEL_TIMEOUTS }, undefined],
    ['a zero (keep) field is not compared', { tcp: 900, tcpFin: 0, udp: 0 }, undefined],
    ['a configured field differs', { tcp: 0, tcpFin: 30, udp: 0 }, { tcp: 0, tcpFin: 30, udp: 0 }],
  ];
  it.each(timeouts)('sets the IPVS timeouts: %s', (_what, configured, expected) => {
    const withTimeouts = { ...desired, ...(configured ? { ipvsTimeouts: configured } : {}) };
    const plan = diffAt(withTimeouts, { ...liveOf(desired), ipvsTimeouts: KERNEL_TIMEOUTS }).plan;
    expect(plan.ipvsTimeouts).toEqual(expected);
  });

  it('is summarised per phase and operation', () => {
    const { link: _gone, ...live } = {
      ...liveOf(desired),
      families: [liveFamilyOf(family()), liveFamilyOf(family({ family: 'IPv6' }))],
    };
    const summary = summarizePlan(diffAt(desired, live).plan);
    expect(summary.rows).toEqual([
      { phase: 0, kind: 'ipset', op: 'create-set', count: 2 },
      { phase: 0, kind: 'ipset', op: 'add-entry', count: 1 },
      { phase: 1, kind: 'ipvs', op: 'add-service', count: 2 },
      { phase: 1, kind: 'ipvs', op: 'add-real-server', count: 2 },
      { phase: 2, kind: 'address', op: 'add-address', count: 2 },
      { phase: 3, kind: 'iptables', op: 'rewrite', count: 1 },
    ]);
    expect(summary.total).toBe(10);
    expect(formatPlanSummary(summary)).toBe(
      'create link | ipset create-set=2 add-entry=1 | ipvs add-service=2 add-real-server=2 | address add-address=2 | iptables rewrite=1',
    );
    expect(formatPlanSummary(summarizePlan({ createLink: false, phases: [] }))).toBe('in sync');
  });
});
