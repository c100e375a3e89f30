// --cleanup's plan: only what kube-proxy's IPVS mode creates goes, rules first
// (jumps deleted, chains flushed then deleted), then kipvs's own virtual servers,
// then the sets; another tool's virtual servers, chains and sets stay.
import { describe, expect, it } from '@jest/globals';
import { cleanupPlan } from '../../../src/reconcile/cleanup-plan.js';
import type { LiveState } from '../../../src/contracts/live-state.js';
import { endpoint, endpointSlice, port, service } from '../../fixtures/proxy/objects.js';
import { run } from '../proxy/summary.js';
import { liveOf, liveServer, virtualServer } from './states.js';

const web = service('web', {
  type: 'NodePort',
  clusterIP: '10.96.0.80',
  clusterIPs: ['10.96.0.80'],
  ipFamilies: ['IPv4'],
  ports: [{ ...port('http', 80, 'TCP'), nodePort: 30080 }],
});
const webSlice = endpointSlice('web', [port('http', 80, 'TCP')], [endpoint('10.244.1.5', { node: 'node-a' })]);
const host = { nodeIPs: ['192.168.1.10'], localAddresses: ['192.168.1.10'] };
const running = run({ services: [web], slices: [webSlice], host });
const empty = run({ host });

/** The kernel as kipvs left it, plus another tool's virtual servers, chain and set. */
function kernel(): LiveState {
  const live = liveOf(running);
  const [v4] = live.families;
  if (!v4) throw new Error('no IPv4 state');
  const foreignChain = new Map(v4.iptables.filter.chains);
  foreignChain.set('CNI-FORWARD', ['-A CNI-FORWARD -j ACCEPT']);
  return {
    ...live,
    families: [
      {
        ...v4,
        virtualServers: [
          ...v4.virtualServers,
          liveServer(virtualServer('192.168.7.1', 80)),
          liveServer({ ...virtualServer('10.96.0.80', 80), key: { family: 'inet', fwmark: 5 } }),
        ],
        ipsets: [...v4.ipsets, { header: { ...(v4.ipsets[0]?.header ?? fail()), name: 'cni-hosts' }, entries: [] }],
        iptables: { nat: v4.iptables.nat, filter: { chains: foreignChain } },
      },
    ],
  };
}

function fail(): never {
  throw new Error('fixture without sets');
}

describe('cleanupPlan', () => {
  const plan = cleanupPlan(empty, kernel());

  it('rewrites the rules first, then deletes the virtual servers, then destroys the sets', () => {
    expect(plan.createLink).toBe(false);
    expect(plan.phases.map((p) => p.kind)).toEqual(['iptables', 'ipvs', 'ipset']);
  });

  it("deletes only kipvs's virtual servers: the cluster IP and the NodePorts, not another tool's or a fwmark one", () => {
    const ipvs = plan.phases.find((p) => p.kind === 'ipvs');
    const keys =
      ipvs?.kind === 'ipvs'
        ? ipvs.changes.map((c) =>
            c.op.op === 'delete-service' && 'address' in c.op.key ? `${c.op.key.address}:${c.op.key.port}` : c.op.op,
          )
        : [];
    expect(keys.sort()).toEqual(['10.96.0.80:80', '192.168.1.10:30080']);
  });

  it('destroys every kube-proxy set and no other', () => {
    const ipset = plan.phases.find((p) => p.kind === 'ipset');
    const names =
      ipset?.kind === 'ipset' ? ipset.changes.map((c) => (c.op.op === 'destroy-set' ? c.op.set : c.op.op)) : [];
    expect(names).toEqual(empty.families[0]?.ipsets.map((s) => s.name));
    expect(names).not.toContain('cni-hosts');
  });

  it('deletes the jumps from the built-in chains and every kube-proxy chain, after flushing them, and leaves other chains', () => {
    const iptables = plan.phases.find((p) => p.kind === 'iptables');
    const rewrites = iptables?.kind === 'iptables' ? iptables.rewrites : [];
    expect(rewrites.map((r) => `${r.family}/${r.table}`)).toEqual(['inet/nat', 'inet/filter']);
    for (const rewrite of rewrites) {
      const lines = rewrite.restore.trimEnd().split('\n');
      const table = empty.families[0]?.iptables[rewrite.table];
      const flushes = lines.filter((l) => l.startsWith(':'));
      const deletes = lines.filter((l) => l.startsWith('-D '));
      const removals = lines.filter((l) => l.startsWith('-X '));
      expect(flushes).toEqual(table?.chains.map((c) => `:${c} - [0:0]`));
      expect(removals).toEqual(table?.chains.map((c) => `-X ${c}`));
      expect(deletes.length).toBe(empty.families[0]?.iptables.jumps.filter((j) => j.table === rewrite.table).length);
      expect(lines.indexOf(removals[0] ?? '')).toBeGreaterThan(lines.indexOf(deletes.at(-1) ?? ''));
      expect(rewrite.restore).not.toContain('CNI-FORWARD');
      expect(lines.at(-1)).toBe('COMMIT');
    }
  });

  it('is empty for a kernel without anything of kube-proxy', () => {
    const bare: LiveState = {
      ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
      families: [
        {
          family: 'inet',
          virtualServers: [liveServer(virtualServer('192.168.7.1', 80))],
          linkAddresses: [],
          ipsets: [],
          iptables: { nat: { chains: new Map([['PREROUTING', []]]) }, filter: { chains: new Map() } },
        },
      ],
    };
    expect(cleanupPlan(empty, bare)).toEqual({ createLink: false, phases: [] });
  });
});
