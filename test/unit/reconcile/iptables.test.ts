// iptables: one iptables-restore --noflush per table that differs from the
// model, declaring (flushing) every kube-proxy chain, appending its rules and
// inserting the missing jumps from built-in chains; nothing for a table in sync.
import { describe, expect, it } from '@jest/globals';
import type { LiveIptablesTable } from '../../../src/contracts/live-state.js';
import type { IptablesState } from '../../../src/contracts/desired-state.js';
import type { IptablesRewrite, Plan } from '../../../src/contracts/plan.js';
import { applyRestore } from './kernel-model.js';
import { desiredOf, diffAt, family, liveFamilyOf, liveOf } from './states.js';

const iptables: IptablesState = {
  jumps: [
    { table: 'nat', chain: 'PREROUTING', target: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
    { table: 'nat', chain: 'OUTPUT', target: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
    { table: 'filter', chain: 'INPUT', target: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
    { table: 'filter', chain: 'INPUT', target: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  ],
  nat: {
    chains: ['KUBE-SERVICES', 'KUBE-MARK-MASQ'],
    rules: [
      {
        chain: 'KUBE-SERVICES',
        matches: [
          { match: 'comment', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
          { match: 'set', set: 'KUBE-CLUSTER-IP', directions: ['dst', 'dst'] },
          { match: 'source', cidr: '10.244.0.0/16', negate: true },
        ],
        target: { target: 'jump', chain: 'KUBE-MARK-MASQ' },
      },
      { chain: 'KUBE-MARK-MASQ', matches: [], target: { target: 'MARK', op: 'or', value: 0x4000 } },
    ],
  },
  filter: {
    chains: ['KUBE-NODE-PORT', 'KUBE-IPVS-FILTER'],
    rules: [
      {
        chain: 'KUBE-IPVS-FILTER',
        matches: [{ match: 'set', set: 'KUBE-CLUSTER-IP', directions: ['dst', 'dst'] }],
        target: { target: 'RETURN' },
      },
    ],
  },
};
const f = family({ iptables });

const NAT_RESTORE = [
  '*nat',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-MARK-MASQ - [0:0]',
  '-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
];

function rewrites(plan: Plan): IptablesRewrite[] {
  return plan.phases.flatMap((p) => (p.kind === 'iptables' ? p.rewrites : []));
}

/** The live state with one table's chains changed. */
function liveWith(table: 'nat' | 'filter', change: (chains: Map<string, string[]>) => void) {
  const liveFamily = liveFamilyOf(f);
  const chains = new Map([...liveFamily.iptables[table].chains].map(([name, rules]) => [name, [...rules]]));
  change(chains);
  const changed: LiveIptablesTable = { chains };
  return {
    ...liveOf(desiredOf(f)),
    families: [{ ...liveFamily, iptables: { ...liveFamily.iptables, [table]: changed } }],
  };
}

describe('iptables', () => {
  it("writes nothing when both tables read as the model's, jumps included", () => {
    expect(diffAt(desiredOf(f), liveOf(desiredOf(f))).plan.phases).toEqual([]);
  });

  it('rewrites the whole table when one rule differs, and only that table', () => {
    const live = liveWith('nat', (chains) =>
      chains.set('KUBE-MARK-MASQ', ['-A KUBE-MARK-MASQ -j MARK --set-xmark 0x8000/0x8000']),
    );
    expect(rewrites(diffAt(desiredOf(f), live).plan)).toEqual([
      {
        family: 'inet',
        table: 'nat',
        restore: [...NAT_RESTORE, 'COMMIT', ''].join('\n'),
        cause: { reason: 'drifted chains KUBE-MARK-MASQ' },
      },
    ]);
  });

  it('rewrites a table whose chain is missing or holds a rule too many', () => {
    const missing = liveWith('filter', (chains) => chains.delete('KUBE-NODE-PORT'));
    const extra = liveWith('filter', (chains) => chains.get('KUBE-IPVS-FILTER')?.push('-A KUBE-IPVS-FILTER -j ACCEPT'));
    expect(rewrites(diffAt(desiredOf(f), missing).plan).map((r) => r.cause.reason)).toEqual([
      'drifted chains KUBE-NODE-PORT',
    ]);
    expect(rewrites(diffAt(desiredOf(f), extra).plan).map((r) => r.cause.reason)).toEqual([
      'drifted chains KUBE-IPVS-FILTER',
    ]);
  });

  it('inserts the missing jumps from built-in chains, as kube-proxy ensures them', () => {
    const live = liveWith('nat', (chains) => {
      chains.set('PREROUTING', ['-A PREROUTING -j DOCKER']);
      chains.set('OUTPUT', []);
    });
    const [rewrite] = rewrites(diffAt(desiredOf(f), live).plan);
    expect(rewrite?.restore).toBe(
      [
        ...NAT_RESTORE,
        '-I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(rewrite?.cause.reason).toBe('missing jumps from PREROUTING, OUTPUT');
  });

  it('finds a jump anywhere in its built-in chain, and leaves other rules there alone', () => {
    const live = liveWith('filter', (chains) =>
      chains.set('INPUT', ['-A INPUT -j ACCEPT', ...(chains.get('INPUT') ?? []), '-A INPUT -j DROP']),
    );
    expect(diffAt(desiredOf(f), live).plan.phases).toEqual([]);
  });

  it("writes IPv6 rules in ip6tables-save's spelling", () => {
    const g = family({
      family: 'IPv6',
      iptables: {
        ...iptables,
        nat: {
          chains: ['KUBE-SERVICES'],
          rules: [
            {
              chain: 'KUBE-SERVICES',
              matches: [{ match: 'source', cidr: 'fd00:10::/64', negate: true }],
              target: { target: 'REJECT' },
            },
          ],
        },
      },
    });
    const live = {
      ...liveOf(desiredOf(g)),
      families: [{ ...liveFamilyOf(g), iptables: { ...liveFamilyOf(g).iptables, nat: { chains: new Map() } } }],
    };
    const [rewrite] = rewrites(diffAt(desiredOf(g), live).plan);
    expect(rewrite?.family).toBe('inet6');
    expect(rewrite?.restore).toContain(
      '-A KUBE-SERVICES ! -s fd00:10::/64 -j REJECT --reject-with icmp6-port-unreachable\n',
    );
  });

  it('gives a restore that brings the table to what iptables-save would print for the model', () => {
    const live = liveWith('nat', (chains) => {
      chains.set('KUBE-SERVICES', ['-A KUBE-SERVICES -j RETURN']);
      chains.set('PREROUTING', []);
      chains.set('OUTPUT', []);
    });
    const tables = {
      nat: new Map([...(live.families[0]?.iptables.nat.chains ?? [])].map(([n, r]) => [n, [...r]])),
      filter: new Map<string, string[]>(),
    };
    for (const rewrite of rewrites(diffAt(desiredOf(f), live).plan)) applyRestore(tables, rewrite.restore);
    expect(tables.nat).toEqual(liveFamilyOf(f).iptables.nat.chains);
  });
});
