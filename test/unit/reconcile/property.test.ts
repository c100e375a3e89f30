// Properties of the diff on random desired states (the model's output for
// random Services and EndpointSlices) against random live states (another
// random desired state's kernel, damaged): it never throws; the kernel model
// accepts its plan; once applied, a second diff finds nothing to do (but for a
// set that only the next sync can re-create), while the draining real servers wait; after the grace period they go; and what is not
// kipvs's (foreign, fwmark, excluded virtual servers) is never touched.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LiveState } from '../../../src/contracts/live-state.js';
import type { LiveService } from '../../../src/ipvs/types.js';
import { computeDesiredState, type DesiredState } from '../../../src/proxy/index.js';
import type { Plan } from '../../../src/contracts/plan.js';
import { virtualServerKeyText } from '../../../src/reconcile/keys.js';
import {
  endpoint,
  endpointSlice,
  hostFacts,
  modelConfig,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';
import { applyPlan } from './kernel-model.js';
import { damage, damages, EXCLUDED_PREFIX, FOREIGN_PREFIX } from './perturb.js';
import { diffAt, GRACE_MS, liveOf, NOW } from './states.js';

const portSpec = fc.record({
  name: fc.constantFrom('p', 'q'),
  port: fc.constantFrom(80, 53),
  protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
  nodePort: fc.integer({ min: 30000, max: 30002 }),
  targetPort: fc.constantFrom(8080, 5353),
});
const serviceSpec = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  clusterIP: fc.constantFrom('10.96.0.1', '10.96.0.2', '10.96.0.3', 'fd00:96::1', 'fd00:96::2'),
  nodePortType: fc.boolean(),
  ports: fc.uniqueArray(portSpec, { selector: (p) => p.name, minLength: 1, maxLength: 2 }),
  sticky: fc.boolean(),
  externalIPs: fc.subarray(['203.0.113.1', '203.0.113.2']),
  endpoints: fc.subarray(['10.244.0.1', '10.244.0.2', '10.244.1.3', 'fd00:244::1', 'fd00:244::2']),
  notReady: fc.subarray(['10.244.0.1', 'fd00:244::1']),
});
type ServiceSpec = typeof serviceSpec extends fc.Arbitrary<infer T> ? T : never;

function objectsOf(specs: readonly ServiceSpec[]): { services: Json[]; endpointSlices: Json[] } {
  const services = specs.map((s) =>
    service(s.name, {
      clusterIP: s.clusterIP,
      type: s.nodePortType ? 'NodePort' : 'ClusterIP',
      ports: s.ports.map((p) => ({
        ...port(p.name, p.port, p.protocol, s.nodePortType ? p.nodePort : undefined),
        targetPort: p.targetPort,
      })),
      externalIPs: s.clusterIP.includes(':') ? [] : s.externalIPs,
      ...(s.sticky ? { sessionAffinity: 'ClientIP' } : {}),
    }),
  );
  const endpointSlices = specs.flatMap((s) =>
    (['IPv4', 'IPv6'] as const).map((addressType) =>
      endpointSlice(
        s.name,
        s.ports.map((p) => port(p.name, p.targetPort, p.protocol)),
        s.endpoints
          .filter((e) => e.includes(':') === (addressType === 'IPv6'))
          .map((e) => endpoint(e, { ready: !s.notReady.includes(e) })),
        { name: `${s.name}-${addressType}`, addressType },
      ),
    ),
  );
  return { services, endpointSlices };
}

const config = fc.record({
  scheduler: fc.constantFrom('rr', 'mh', 'lc'),
  timeouts: fc.option(fc.constantFrom({ tcp: 0, tcpFin: 30, udp: 0 }, { tcp: 900, tcpFin: 120, udp: 300 }), {
    nil: undefined,
  }),
});

function desiredFor(
  specs: readonly ServiceSpec[],
  c: { scheduler: string; timeouts: { tcp: number; tcpFin: number; udp: number } | undefined },
): DesiredState {
  // Two specs of one name are one Service; the first wins.
  const unique = specs.filter((s, i) => specs.findIndex((t) => t.name === s.name) === i);
  return computeDesiredState({
    ...objectsOf(unique),
    config: modelConfig({
      ipFamilies: ['IPv4', 'IPv6'],
      scheduler: c.scheduler,
      excludeCIDRs: [`${EXCLUDED_PREFIX}0/24`],
      ...(c.timeouts ? { ipvsTimeouts: c.timeouts } : {}),
    }),
    host: hostFacts({
      nodeIPs: ['192.168.1.10', 'fd00:1::10'],
      localAddresses: ['192.168.1.10', 'fd00:1::10', '127.0.0.1'],
    }),
  });
}

/** The live virtual servers kipvs must never change: foreign, fwmark and excluded ones. */
function untouchable(live: LiveState): Map<string, LiveService> {
  const all = live.families.flatMap((f) => f.virtualServers);
  return new Map(
    all
      .filter(
        (s) =>
          'fwmark' in s.service.key ||
          s.service.key.address.startsWith(FOREIGN_PREFIX) ||
          s.service.key.address.startsWith(EXCLUDED_PREFIX),
      )
      .map((s) => [virtualServerKeyText(s.service.key), s]),
  );
}

function touchedKeys(plan: Plan): Set<string> {
  return new Set(
    plan.phases.flatMap((p) =>
      p.kind !== 'ipvs'
        ? []
        : p.changes.map(({ op }) => {
            switch (op.op) {
              case 'add-service':
              case 'edit-service':
                return virtualServerKeyText(op.service.key);
              case 'delete-service':
                return virtualServerKeyText(op.key);
              case 'add-real-server':
              case 'edit-real-server':
              case 'delete-real-server':
                return virtualServerKeyText(op.service);
              default:
                return op.op;
            }
          }),
    ),
  );
}

const inSync: Plan = { createLink: false, phases: [] };
const TIMEOUT_MS = 120_000;

describe('the diff on random states', () => {
  it('plans the same changes whatever order the kernel lists the real servers of a service in', () => {
    // The diff pairs live and desired real servers by position when they are in the same order
    // (the kernel's order when kipvs added them), else by address and port.
    const changesOf = (plan: Plan): string[] =>
      plan.phases.flatMap((p) => (p.kind === 'iptables' ? p.rewrites : p.changes).map((c) => JSON.stringify(c))).sort();
    const reversed = (live: LiveState): LiveState => ({
      ...live,
      families: live.families.map((f) => ({
        ...f,
        virtualServers: f.virtualServers.map((vs) => ({ ...vs, realServers: [...vs.realServers].reverse() })),
      })),
    });
    fc.assert(
      fc.property(
        fc.array(serviceSpec, { maxLength: 4 }),
        fc.array(serviceSpec, { maxLength: 4 }),
        fc.boolean(),
        config,
        damages,
        (wanted, before, fromWanted, c, damageList) => {
          const desired = desiredFor(wanted, c);
          const live = damage(liveOf(desiredFor(fromWanted ? wanted : before, c)), damageList);
          const inOrder = diffAt(desired, live);
          const otherOrder = diffAt(desired, reversed(live));
          expect(changesOf(otherOrder.plan)).toEqual(changesOf(inOrder.plan));
          expect(new Map(otherOrder.terminating)).toEqual(new Map(inOrder.terminating));
        },
      ),
      { numRuns: 400 },
    );
  });

  it(
    'gives a plan the kernel takes, after which nothing is left to do but wait for draining real servers',
    () => {
      fc.assert(
        fc.property(
          fc.array(serviceSpec, { maxLength: 4 }),
          fc.array(serviceSpec, { maxLength: 4 }),
          config,
          damages,
          (wanted, before, c, damageList) => {
            const desired = desiredFor(wanted, c);
            const live = damage(liveOf(desiredFor(before, c)), damageList);
            const first = diffAt(desired, live);
            let applied = applyPlan(live, first.plan).live;

            // A set of the wrong type that rules used could not be re-created; once the rewritten
            // rules no longer use it, the next sync re-creates it. Otherwise one plan is enough.
            const again = diffAt(desired, applied, first.terminating, NOW + 1000);
            if (first.problems.length > 0) {
              expect(again.plan.phases.every((p) => p.kind === 'ipset')).toBe(true);
              applied = applyPlan(applied, again.plan).live;
            } else {
              expect(again.plan).toEqual(inSync);
            }
            // Nothing to do once applied; the draining real servers are remembered and wait.
            const second = diffAt(desired, applied, first.terminating, NOW + 1000);
            expect(second.plan).toEqual(inSync);
            expect([...second.terminating]).toEqual([...first.terminating]);

            // What is not kipvs's is neither planned for nor changed.
            const foreign = untouchable(live);
            const touched = touchedKeys(first.plan);
            for (const key of foreign.keys()) expect(touched.has(key)).toBe(false);
            const after = untouchable(applied);
            expect([...after.keys()].sort()).toEqual([...foreign.keys()].sort());
            for (const [key, s] of foreign) expect(after.get(key)).toEqual(s);

            // Past the grace period every draining real server goes, and then all is in sync for good.
            const late = diffAt(desired, applied, first.terminating, NOW + GRACE_MS);
            const ops = late.plan.phases.flatMap((p) =>
              p.kind === 'ipvs' ? p.changes.map((ch) => ch.op.op) : [p.kind],
            );
            expect(ops).toEqual(ops.map(() => 'delete-real-server'));
            expect(ops.length).toBe(first.terminating.size);
            const final = diffAt(desired, applyPlan(applied, late.plan).live, late.terminating, NOW + GRACE_MS);
            expect(final.plan).toEqual(inSync);
            expect(final.terminating.size).toBe(0);
          },
        ),
        { numRuns: 400 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'finds nothing to do against the kernel state of the desired state itself',
    () => {
      fc.assert(
        fc.property(fc.array(serviceSpec, { maxLength: 5 }), config, (wanted, c) => {
          const desired = desiredFor(wanted, c);
          expect(diffAt(desired, liveOf(desired))).toEqual({ plan: inSync, terminating: new Map(), problems: [] });
        }),
        { numRuns: 200 },
      );
    },
    TIMEOUT_MS,
  );
});
