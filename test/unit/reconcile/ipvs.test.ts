// The IPVS rules of the diff: virtual servers added, edited and deleted, real
// servers added, edited, drained and deleted, and which live virtual servers
// kipvs may touch at all.
import { describe, expect, it, test } from '@jest/globals';
import type { IpvsOperation } from '../../../src/ipvs/types.js';
import type { LiveState } from '../../../src/contracts/live-state.js';
import type { FamilyState } from '../../../src/contracts/desired-state.js';
import { realServerKeyText } from '../../../src/reconcile/keys.js';
import type { ConntrackDeletion, Plan, PlannedChange } from '../../../src/contracts/plan.js';
import { mutableRows } from '../../support/each-rows.js';
import {
  desiredOf,
  desiredServer,
  diffAt,
  family,
  GRACE_MS,
  liveFamilyOf,
  liveOf,
  liveReal,
  liveServer,
  NOW,
  realServer,
  ref,
  virtualServer,
} from './states.js';

const web = desiredServer('web', '10.96.0.1', 80, 'tcp', ['10.244.0.1:8080', '10.244.0.2:8080']);
const dns = desiredServer('dns', '10.96.0.10', 53, 'udp', ['10.244.0.3:53']);

/** The live state of `desired`, with its virtual servers replaced by `live`'s. */
function liveWith(f: FamilyState, virtualServers: LiveState['families'][number]['virtualServers']): LiveState {
  return { ...liveOf(desiredOf(f)), families: [{ ...liveFamilyOf(f), virtualServers }] };
}

function ipvsChanges(plan: Plan): PlannedChange<IpvsOperation>[] {
  return plan.phases.flatMap((p) => (p.kind === 'ipvs' ? p.changes : []));
}

function conntrackOf(plan: Plan): ConntrackDeletion[] {
  return plan.phases.flatMap((p) => (p.kind === 'conntrack' ? p.changes.map((c) => c.op) : []));
}

/** "op address:port[>rs:port] weight=N (reason)" lines. */
function lines(plan: Plan): string[] {
  return ipvsChanges(plan).map(({ op, cause }) => {
    const where = (key: { address?: string; port?: number } & object): string =>
      'address' in key ? `${key.address}:${key.port}` : 'fwmark';
    switch (op.op) {
      case 'add-service':
      case 'edit-service':
        return `${op.op} ${where(op.service.key)} (${cause.reason})`;
      case 'delete-service':
        return `${op.op} ${where(op.key)} (${cause.reason})`;
      case 'add-real-server':
      case 'edit-real-server':
        return `${op.op} ${where(op.service)}>${op.realServer.address}:${op.realServer.port} weight=${op.realServer.weight} (${cause.reason})`;
      case 'delete-real-server':
        return `${op.op} ${where(op.service)}>${op.realServer.address}:${op.realServer.port} (${cause.reason})`;
      default:
        return op.op;
    }
  });
}

describe('virtual servers', () => {
  it('adds a missing one, then its real servers, naming the Service port', () => {
    const f = family({ virtualServers: [web] });
    const { plan } = diffAt(desiredOf(f), liveWith(f, []));
    expect(lines(plan)).toEqual([
      'add-service 10.96.0.1:80 (new virtual server)',
      'add-real-server 10.96.0.1:80>10.244.0.1:8080 weight=1 (endpoint added)',
      'add-real-server 10.96.0.1:80>10.244.0.2:8080 weight=1 (endpoint added)',
    ]);
    expect(ipvsChanges(plan).every((c) => c.cause.service === web.service)).toBe(true);
  });

  it('ignores the hashed flag the kernel sets on every service', () => {
    const f = family({ virtualServers: [web] });
    const live = liveOf(desiredOf(f));
    expect(live.families[0]?.virtualServers[0]?.service.flags.hashed).toBe(true);
    expect(diffAt(desiredOf(f), live).plan.phases).toEqual([]);
  });

  const drifts = [
    ['scheduler', { scheduler: 'wrr' }],
    ['flags', { flags: { ...web.virtualServer.flags, persistent: true } }],
    ['persistence timeout', { timeout: 10800 }],
    ['netmask', { netmask: 0xffffff00 }],
    ['persistence engine', { persistenceEngine: 'sip' }],
  ] as const;
  test.each(mutableRows(drifts))('edits one whose %s drifted', (what, change) => {
    const f = family({ virtualServers: [web] });
    const live = liveWith(f, [
      liveServer(
        { ...web.virtualServer, ...change },
        web.realServers.map((r) => liveReal(r)),
      ),
    ]);
    const { plan } = diffAt(desiredOf(f), live);
    expect(ipvsChanges(plan)).toEqual([
      {
        op: { op: 'edit-service', service: web.virtualServer },
        cause: { service: web.service, reason: `drifted ${what}` },
      },
    ]);
  });

  it('deletes an owned stale one with its real servers, and its UDP flows', () => {
    const f = family({ virtualServers: [web], linkAddresses: ['10.96.0.1'] });
    const staleDns = liveServer(dns, [liveReal(realServer('10.244.0.3', 53))]);
    const live = {
      ...liveOf(desiredOf(f)),
      families: [
        {
          ...liveFamilyOf(f),
          virtualServers: [
            liveServer(
              web,
              web.realServers.map((r) => liveReal(r)),
            ),
            staleDns,
          ],
          linkAddresses: [
            { address: '10.96.0.1', prefixLength: 32 },
            { address: '10.96.0.10', prefixLength: 32 },
          ],
        },
      ],
    };
    const { plan } = diffAt(desiredOf(f), live);
    expect(lines(plan)).toEqual(['delete-service 10.96.0.10:53 (stale virtual server)']);
    expect(conntrackOf(plan)).toEqual([
      { family: 'inet', protocol: 'udp', destination: '10.96.0.10', destinationPort: 53 },
    ]);
  });
});

describe('ownership', () => {
  const stale = (address: string) => liveServer(virtualServer(address, 8080));
  const cases = [
    ['a desired kube-ipvs0 address', true, family({ linkAddresses: ['10.96.0.5'] }), '10.96.0.5'],
    ['a NodePort address', true, family({ nodePortAddresses: ['192.168.1.10'] }), '192.168.1.10'],
    ['the address of a desired virtual server', true, family({ virtualServers: [web] }), '10.96.0.1'],
    ['an address of nobody', false, family({ virtualServers: [web] }), '172.16.0.1'],
    [
      'a desired address inside excludeCIDRs',
      false,
      family({ linkAddresses: ['10.96.0.5'], excludeCIDRs: ['10.96.0.0/29'] }),
      '10.96.0.5',
    ],
  ] as const;
  test.each(mutableRows(cases))('a live virtual server on %s is ours: %s', (_what, owned, f, address) => {
    const { plan } = diffAt(desiredOf(f), liveWith(f, [...liveFamilyOf(f).virtualServers, stale(address)]));
    expect(lines(plan).includes(`delete-service ${address}:8080 (stale virtual server)`)).toBe(owned);
  });

  it('owns the virtual servers on a live kube-ipvs0 address even when it is unbound', () => {
    const f = family();
    const live = {
      ...liveOf(desiredOf(f)),
      families: [
        {
          ...liveFamilyOf(f),
          virtualServers: [stale('10.96.0.9')],
          linkAddresses: [{ address: '10.96.0.9', prefixLength: 32 }],
        },
      ],
    };
    expect(lines(diffAt(desiredOf(f), live).plan)).toEqual(['delete-service 10.96.0.9:8080 (stale virtual server)']);
  });

  it('never touches a fwmark virtual server, whatever its real servers', () => {
    const f = family({ linkAddresses: ['10.96.0.5'] });
    const fwmark = {
      ...liveServer({ ...virtualServer('10.96.0.5', 80), key: { family: 'inet', fwmark: 5 } }),
      realServers: [liveReal(realServer('10.244.0.9', 80, 3), 2)],
    };
    const { plan } = diffAt(desiredOf(f), liveWith(f, [fwmark]));
    expect(ipvsChanges(plan)).toEqual([]);
  });
});

describe('real servers', () => {
  const f = family({ virtualServers: [web] });
  const [rs1, rs2] = web.realServers as [ReturnType<typeof realServer>, ReturnType<typeof realServer>];

  it('adds a missing one and edits a drifted one', () => {
    const live = liveWith(f, [liveServer(web, [liveReal({ ...rs1, forwarding: 'route', upperThreshold: 5 })])]);
    expect(lines(diffAt(desiredOf(f), live).plan)).toEqual([
      'edit-real-server 10.96.0.1:80>10.244.0.1:8080 weight=1 (drifted forwarding, upper threshold)',
      'add-real-server 10.96.0.1:80>10.244.0.2:8080 weight=1 (endpoint added)',
    ]);
  });

  it('puts a terminating one that is wanted again back to weight 1 and forgets it terminated', () => {
    const terminating = new Map([[realServerKeyText(web.virtualServer.key, rs2), NOW - 1000]]);
    const live = liveWith(f, [liveServer(web, [liveReal(rs1), liveReal({ ...rs2, weight: 0 }, 4)])]);
    const result = diffAt(desiredOf(f), live, terminating);
    expect(lines(result.plan)).toEqual([
      'edit-real-server 10.96.0.1:80>10.244.0.2:8080 weight=1 (endpoint ready again)',
    ]);
    expect(result.terminating.size).toBe(0);
  });

  it('deletes an unwanted UDP one at once, with its NATed flows', () => {
    const g = family({ virtualServers: [dns] });
    const gone = realServer('10.244.0.4', 5353);
    const live = liveWith(g, [liveServer(dns, [liveReal(dns.realServers[0] ?? gone), liveReal(gone, 3, 9)])]);
    const { plan, terminating } = diffAt(desiredOf(g), live);
    expect(lines(plan)).toEqual(['delete-real-server 10.96.0.10:53>10.244.0.4:5353 (endpoint removed)']);
    expect(conntrackOf(plan)).toEqual([
      {
        family: 'inet',
        protocol: 'udp',
        destination: '10.96.0.10',
        destinationPort: 53,
        replySource: '10.244.0.4',
        replySourcePort: 5353,
      },
    ]);
    expect(terminating.size).toBe(0);
  });

  it("clears a UDP service address's flows when it gets endpoints after having none", () => {
    const g = family({ virtualServers: [dns] });
    const { plan } = diffAt(desiredOf(g), liveWith(g, [liveServer(dns)]));
    expect(conntrackOf(plan)).toEqual([
      { family: 'inet', protocol: 'udp', destination: '10.96.0.10', destinationPort: 53 },
    ]);
  });

  const gone = realServer('10.244.0.7', 8080);
  const id = realServerKeyText(web.virtualServer.key, gone);
  // [what, live weight, active, inactive, terminating since, expected lines, expected since]
  const steps = [
    [
      'TCP without connections: deleted at once',
      1,
      0,
      0,
      undefined,
      ['delete-real-server 10.96.0.1:80>10.244.0.7:8080 (endpoint removed)'],
      undefined,
    ],
    [
      'TCP with connections: drained to weight 0',
      1,
      2,
      0,
      undefined,
      ['edit-real-server 10.96.0.1:80>10.244.0.7:8080 weight=0 (endpoint terminating)'],
      NOW,
    ],
    ['TCP draining, inactive connections left: waits', 0, 0, 3, NOW - 60_000, [], NOW - 60_000],
    [
      'TCP drained: deleted',
      0,
      0,
      0,
      NOW - 60_000,
      ['delete-real-server 10.96.0.1:80>10.244.0.7:8080 (endpoint drained)'],
      undefined,
    ],
    [
      'TCP past its grace period: deleted',
      0,
      5,
      0,
      NOW - GRACE_MS,
      ['delete-real-server 10.96.0.1:80>10.244.0.7:8080 (grace period over)'],
      undefined,
    ],
    ['TCP found at weight 0 after a restart: its period starts now', 0, 5, 0, undefined, [], NOW],
  ] as const;
  test.each(mutableRows(steps))('%s', (_what, weight, active, inactive, since, expected, sinceAfter) => {
    const live = liveWith(f, [
      liveServer(web, [liveReal(rs1), liveReal(rs2), liveReal({ ...gone, weight }, active, inactive)]),
    ]);
    const result = diffAt(desiredOf(f), live, new Map(since === undefined ? [] : [[id, since]]));
    expect(lines(result.plan)).toEqual(expected);
    expect(result.terminating.get(id)).toBe(sinceAfter);
    expect(conntrackOf(result.plan)).toEqual([]);
  });

  it("drains with the live real server's own settings", () => {
    const tunnelled = {
      ...gone,
      forwarding: 'tunnel' as const,
      tunnel: { type: 'gue' as const, port: 6080, flags: 1 },
      upperThreshold: 9,
    };
    const live = liveWith(f, [liveServer(web, [liveReal(rs1), liveReal(rs2), liveReal(tunnelled, 1)])]);
    const drain = ipvsChanges(diffAt(desiredOf(f), live).plan)[0]?.op;
    expect(drain).toEqual({
      op: 'edit-real-server',
      service: web.virtualServer.key,
      realServer: { ...tunnelled, weight: 0 },
    });
  });

  it('forgets terminating real servers that are gone from the kernel', () => {
    const result = diffAt(desiredOf(f), liveOf(desiredOf(f)), new Map([[id, NOW - 5]]));
    expect(result.plan.phases).toEqual([]);
    expect(result.terminating.size).toBe(0);
  });

  it('names the Service port of every real server change', () => {
    const live = liveWith(f, [liveServer(web, [liveReal(gone, 1)])]);
    const changes = ipvsChanges(diffAt(desiredOf(f), live).plan);
    expect(changes.map((c) => c.cause.service)).toEqual([ref('web'), ref('web'), ref('web')]);
  });
});
