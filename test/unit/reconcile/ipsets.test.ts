// kube-proxy's ipsets: created when missing, members added and removed (with
// -exist), and a set of the wrong type re-created only when nothing uses it.
import { describe, expect, it } from '@jest/globals';
import type { IpsetOperation } from '../../../src/ipset/types.js';
import type { LiveFamilyState } from '../../../src/contracts/live-state.js';
import type { FamilyState } from '../../../src/contracts/desired-state.js';
import type { Plan, PlannedChange } from '../../../src/contracts/plan.js';
import { bitmapSet, desiredOf, desiredServer, diffAt, family, hashSet, liveFamilyOf, liveOf, ref } from './states.js';

/** Each ipset phase as "op set member" lines. */
function ipsetPhases(plan: Plan): string[][] {
  const line = ({ op }: PlannedChange<IpsetOperation>): string => {
    switch (op.op) {
      case 'create-set':
        return `create ${op.set.name} ${op.set.type}${op.exist ? ' -exist' : ''}`;
      case 'add-entry':
      case 'delete-entry':
        return `${op.op} ${op.set} ${JSON.stringify(op.entry)}${op.exist ? ' -exist' : ''}`;
      default:
        return `${op.op} ${'set' in op ? String(op.set) : ''}`;
    }
  };
  return plan.phases.flatMap((p) => (p.kind === 'ipset' ? [p.changes.map(line)] : []));
}

function withLive(f: FamilyState, change: (live: LiveFamilyState) => Partial<LiveFamilyState>) {
  const liveFamily = liveFamilyOf(f);
  return { ...liveOf(desiredOf(f)), families: [{ ...liveFamily, ...change(liveFamily) }] };
}

describe('ipsets', () => {
  const clusterIP = hashSet('KUBE-CLUSTER-IP', 'hash:ip,port', [
    { ip: '10.96.0.1', protocol: 'tcp', port: 80 },
    { ip: '10.96.0.2', protocol: 'udp', port: 53 },
  ]);
  const nodePorts = bitmapSet('KUBE-NODE-PORT-TCP', [{ port: 30080 }]);
  const f = family({
    ipsets: [clusterIP, nodePorts],
    virtualServers: [desiredServer('web', '10.96.0.1', 80, 'tcp', [])],
  });

  it('creates every missing set, even empty, before adding members', () => {
    const g = family({ ipsets: [clusterIP, bitmapSet('KUBE-HEALTH-CHECK-NODE-PORT')] });
    const { plan } = diffAt(
      desiredOf(g),
      withLive(g, () => ({ ipsets: [] })),
    );
    expect(ipsetPhases(plan)).toEqual([
      [
        'create KUBE-CLUSTER-IP hash:ip,port -exist',
        'create KUBE-HEALTH-CHECK-NODE-PORT bitmap:port -exist',
        'add-entry KUBE-CLUSTER-IP {"ip":"10.96.0.1","protocol":"tcp","port":80} -exist',
        'add-entry KUBE-CLUSTER-IP {"ip":"10.96.0.2","protocol":"udp","port":53} -exist',
      ],
    ]);
  });

  it('adds missing members first and removes stale ones after the rules, naming the Service port', () => {
    const live = withLive(f, (l) => ({
      ipsets: l.ipsets.map((s) =>
        s.header.name === 'KUBE-CLUSTER-IP'
          ? {
              ...s,
              entries: [
                { ip: '10.96.0.2', protocol: 'udp', port: 53, comment: 'kept' },
                { ip: '10.96.0.9', protocol: 'tcp', port: 443 },
              ],
            }
          : s,
      ),
    }));
    const { plan } = diffAt(desiredOf(f), live);
    expect(ipsetPhases(plan)).toEqual([
      ['add-entry KUBE-CLUSTER-IP {"ip":"10.96.0.1","protocol":"tcp","port":80} -exist'],
      ['delete-entry KUBE-CLUSTER-IP {"ip":"10.96.0.9","protocol":"tcp","port":443} -exist'],
    ]);
    const added = plan.phases[0];
    expect(added?.kind === 'ipset' && added.changes[0]?.cause).toEqual({
      service: ref('web'),
      reason: 'set member added',
    });
  });

  it('compares members by their text, whatever order the kernel lists them in', () => {
    expect(diffAt(desiredOf(f), liveOf(desiredOf(f))).plan.phases).toEqual([]);
  });

  it('re-creates a set of another type that no rule uses', () => {
    const live = withLive(f, (l) => ({
      ipsets: l.ipsets.map((s) =>
        s.header.name === 'KUBE-CLUSTER-IP'
          ? { header: { ...s.header, type: 'hash:ip', references: 0 }, entries: [{ ip: '10.96.0.1' }] }
          : s,
      ),
    }));
    const result = diffAt(desiredOf(f), live);
    expect(ipsetPhases(result.plan)).toEqual([
      [
        'destroy-set KUBE-CLUSTER-IP',
        'create KUBE-CLUSTER-IP hash:ip,port -exist',
        'add-entry KUBE-CLUSTER-IP {"ip":"10.96.0.1","protocol":"tcp","port":80} -exist',
        'add-entry KUBE-CLUSTER-IP {"ip":"10.96.0.2","protocol":"udp","port":53} -exist',
      ],
    ]);
    expect(result.problems).toEqual([]);
  });

  it('leaves a set of another family that rules use, and says why', () => {
    const live = withLive(f, (l) => ({
      ipsets: l.ipsets.map((s) =>
        s.header.name === 'KUBE-CLUSTER-IP'
          ? { header: { ...s.header, family: 'inet6', references: 2 }, entries: [] }
          : s,
      ),
    }));
    const result = diffAt(desiredOf(f), live);
    expect(result.plan.phases).toEqual([]);
    expect(result.problems).toEqual([
      "ipset KUBE-CLUSTER-IP is hash:ip,port family inet6, kube-proxy's is hash:ip,port family inet; 2 iptables rule(s) use it, so it cannot be re-created and is left as it is",
    ]);
  });

  it("does not compare a bitmap set's family: it has none", () => {
    const live = withLive(f, (l) => ({
      ipsets: l.ipsets.map((s) =>
        s.header.type === 'bitmap:port' ? { ...s, header: { ...s.header, family: undefined } } : s,
      ),
    }));
    expect(diffAt(desiredOf(f), live).plan.phases).toEqual([]);
  });
});
