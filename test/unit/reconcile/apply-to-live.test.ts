// The live state a plan leaves behind, computed: what the kernel would refuse is
// reported and left unchanged (never thrown), counters survive an edit, an
// iptables-restore is all or nothing, and only what a plan touches is copied.
import { describe, expect, it } from '@jest/globals';
import type { LiveState } from '../../../src/contracts/live-state.js';
import { applyPlanToLive, restoreIptables } from '../../../src/reconcile/apply-to-live.js';
import type { Plan, PlanPhase } from '../../../src/contracts/plan.js';
import {
  desiredOf,
  desiredServer,
  family,
  hashSet,
  liveOf,
  liveReal,
  realServer,
  ref,
  virtualServer,
} from './states.js';

const CAUSE = { reason: 'test' };

function planOf(...phases: PlanPhase[]): Plan {
  return { createLink: false, phases };
}

/** A kernel in sync with `count` services of two endpoints each, and a set of their addresses. */
function kernelWith(count: number): LiveState {
  const servers = Array.from({ length: count }, (_, i) =>
    desiredServer(`s${i}`, `10.96.0.${i + 1}`, 80, 'tcp', ['10.244.0.1:8080', '10.244.0.2:8080']),
  );
  return liveOf(
    desiredOf(
      family({
        virtualServers: servers,
        linkAddresses: ['10.96.0.1'],
        ipsets: [hashSet('KUBE-CLUSTER-IP', 'hash:ip,port', [{ ip: '10.96.0.1', protocol: 'tcp', port: 80 }])],
      }),
    ),
  );
}

const KEY = virtualServer('10.96.0.1', 80).key;

describe('applyPlanToLive', () => {
  it('adds a real server to one service and shares every other service with the state before', () => {
    const live = kernelWith(100);
    const plan = planOf({
      kind: 'ipvs',
      changes: [
        { op: { op: 'add-real-server', service: KEY, realServer: realServer('10.244.0.3', 8080) }, cause: CAUSE },
      ],
    });
    const { live: after, refusals } = applyPlanToLive(live, plan);
    expect(refusals).toEqual([]);
    const [before, now] = [live.families[0], after.families[0]];
    expect(now?.virtualServers[0]?.realServers.map((r) => r.address)).toEqual([
      '10.244.0.1',
      '10.244.0.2',
      '10.244.0.3',
    ]);
    expect(now?.virtualServers.slice(1).every((s, i) => s === before?.virtualServers[i + 1])).toBe(true);
    // Untouched parts are the same values, not copies.
    expect(now?.ipsets).toBe(before?.ipsets);
    expect(now?.iptables).toBe(before?.iptables);
    expect(now?.linkAddresses).toBe(before?.linkAddresses);
  });

  it('keeps the connection counts of an edited real server, as the kernel does', () => {
    const base = kernelWith(1);
    const busy = liveReal(realServer('10.244.0.1', 8080), 5, 2);
    const live: LiveState = {
      ...base,
      families: base.families.map((f) => ({
        ...f,
        virtualServers: f.virtualServers.map((s) => ({ ...s, realServers: [busy] })),
      })),
    };
    const plan = planOf({
      kind: 'ipvs',
      changes: [
        {
          op: { op: 'edit-real-server', service: KEY, realServer: { ...realServer('10.244.0.1', 8080), weight: 0 } },
          cause: CAUSE,
        },
      ],
    });
    const rs = applyPlanToLive(live, plan).live.families[0]?.virtualServers[0]?.realServers[0];
    expect(rs).toMatchObject({ weight: 0, activeConnections: 5, inactiveConnections: 2 });
  });

  it('reports what the kernel would refuse and leaves it unchanged', () => {
    const live = kernelWith(1);
    const plan = planOf(
      { kind: 'ipvs', changes: [{ op: { op: 'add-service', service: virtualServer('10.96.0.1', 80) }, cause: CAUSE }] },
      {
        kind: 'ipvs',
        changes: [
          {
            op: {
              op: 'delete-real-server',
              service: virtualServer('10.96.0.9', 80).key,
              realServer: realServer('10.244.0.1', 8080),
            },
            cause: CAUSE,
          },
        ],
      },
      {
        kind: 'address',
        changes: [{ op: { op: 'add-address', address: '10.96.0.1', prefixLength: 32 }, cause: CAUSE }],
      },
      {
        kind: 'ipset',
        changes: [{ op: { op: 'add-entry', set: 'KUBE-LOOP-BACK', entry: { ip: '10.244.0.1' } }, cause: CAUSE }],
      },
    );
    const { live: after, refusals } = applyPlanToLive(live, plan);
    expect(refusals).toEqual([
      'add-service inet|tcp|10.96.0.1|80: EEXIST',
      'delete-real-server inet|tcp|10.96.0.9|80>10.244.0.1|8080: ESRCH (no such service)',
      'add-address 10.96.0.1: EEXIST',
      'add-entry KUBE-LOOP-BACK: no such set',
    ]);
    expect(after.families).toEqual(live.families);
  });

  it('takes the created link from the caller, and refuses addresses without a link', () => {
    const { link: _link, ...unlinked } = kernelWith(1);
    const bind = {
      kind: 'address',
      changes: [{ op: { op: 'add-address', address: '10.96.0.2', prefixLength: 32 }, cause: CAUSE }],
    } as const;
    const created = applyPlanToLive(
      unlinked,
      { createLink: true, phases: [bind] },
      { createdLink: { index: 12, up: false } },
    );
    expect(created.refusals).toEqual([]);
    expect(created.live.link).toEqual({ index: 12, up: false });
    expect(created.live.families[0]?.linkAddresses.map((a) => a.address)).toEqual(['10.96.0.1', '10.96.0.2']);
    expect(applyPlanToLive(unlinked, planOf(bind)).refusals).toEqual(['add-address 10.96.0.2: ENODEV (no kube-ipvs0)']);
  });

  it('counts the references of sets again once rules are rewritten', () => {
    const live = kernelWith(1);
    const restore =
      '*filter\n:KUBE-TEST - [0:0]\n-A KUBE-TEST -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT\nCOMMIT\n';
    const { live: after } = applyPlanToLive(
      live,
      planOf({ kind: 'iptables', rewrites: [{ family: 'inet', table: 'filter', restore, cause: CAUSE }] }),
    );
    expect(after.families[0]?.ipsets[0]?.header.references).toBe(1);
    const destroy = planOf({
      kind: 'ipset',
      changes: [{ op: { op: 'destroy-set', set: 'KUBE-CLUSTER-IP' }, cause: CAUSE }],
    });
    expect(applyPlanToLive(after, destroy).refusals).toEqual(['destroy-set KUBE-CLUSTER-IP: IPSET_ERR_BUSY']);
  });

  it('updates an entry count with the members a plan adds', () => {
    const plan = planOf({
      kind: 'ipset',
      changes: [
        {
          op: { op: 'add-entry', set: 'KUBE-CLUSTER-IP', entry: { ip: '10.96.0.2', protocol: 'tcp', port: 80 } },
          cause: { service: ref('s1'), reason: 'test' },
        },
      ],
    });
    const set = applyPlanToLive(kernelWith(1), plan).live.families[0]?.ipsets[0];
    expect(set?.header.entryCount).toBe(2);
    expect(set?.entries).toHaveLength(2);
  });
});

describe('restoreIptables', () => {
  const empty = {
    nat: new Map<string, string[]>(),
    filter: new Map<string, string[]>([['INPUT', ['-A INPUT -j OLD']]]),
  };

  it('flushes a declared chain, keeps a declared built-in one, and prints rules as iptables-save does', () => {
    const restored = restoreIptables(
      empty,
      '*filter\n:INPUT ACCEPT [0:0]\n:KUBE-A - [0:0]\n-A KUBE-A -j ACCEPT\n-I INPUT -j KUBE-A\nCOMMIT\n',
    );
    expect('chains' in restored && restored.chains.filter).toEqual(
      new Map([
        ['INPUT', ['-A INPUT -j KUBE-A', '-A INPUT -j OLD']],
        ['KUBE-A', ['-A KUBE-A -j ACCEPT']],
      ]),
    );
    // The input is not changed.
    expect(empty.filter.get('INPUT')).toEqual(['-A INPUT -j OLD']);
  });

  it('is all or nothing: a rule for an undeclared chain refuses the whole restore', () => {
    expect(restoreIptables(empty, '*filter\n:KUBE-A - [0:0]\n-A KUBE-B -j ACCEPT\nCOMMIT\n')).toEqual({
      refusal: 'iptables-restore: bad or undeclared: -A KUBE-B -j ACCEPT',
    });
  });
});
