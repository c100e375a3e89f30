// The diff since the previous desired state gives the whole diff's result, sync after sync
// of a changing cluster, as the sync engine runs them: the kernel starts damaged (foreign virtual
// servers, sets of another type, stray addresses and rules), each plan is applied to the kept
// live state, real servers get connections between syncs (so some drain) and the clock moves.
// The kernel model creates kube-ipvs0 when a plan asks for it and throws on anything the kernel
// would refuse, so every run goes through all its steps.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LiveState } from '../../../src/contracts/live-state.js';
import type { ClusterObjects, DesiredState, HostFacts } from '../../../src/proxy/index.js';
import { diffState, type DiffResult, type TerminatingRealServers } from '../../../src/reconcile/index.js';
import { SyncModel } from '../../../src/sync/sync-model.js';
import { applyChange, CLUSTER_CONFIG, clusterSteps, hostAt, initialCluster } from '../proxy/random-cluster.js';
import { applyPlan } from './kernel-model.js';
import { damage, damages } from './perturb.js';
import { GRACE_MS, liveOf, NOW } from './states.js';

/** `live` with every real server holding `connections` active connections (the sync engine reads them again before a diff). */
function withConnections(live: LiveState, connections: number): LiveState {
  return {
    ...live,
    families: live.families.map((f) => ({
      ...f,
      virtualServers: f.virtualServers.map((s) => ({
        ...s,
        realServers: s.realServers.map((r) => ({ ...r, activeConnections: connections })),
      })),
    })),
  };
}

const stepTimes = fc.array(
  fc.record({ elapsedMs: fc.integer({ min: 0, max: GRACE_MS }), connections: fc.constantFrom(0, 0, 3) }),
  { minLength: 6, maxLength: 6 },
);

describe('the diff since the previous desired state', () => {
  it("gives the whole diff's plan, terminating real servers and problems after every step", () => {
    fc.assert(
      fc.property(initialCluster, clusterSteps, damages, stepTimes, (initial, steps, damageList, times) => {
        const model = new SyncModel(CLUSTER_CONFIG);
        const desiredOf = (objects: ClusterObjects, host: HostFacts): DesiredState =>
          model.desired(objects, host).state;
        let objects: ClusterObjects = initial;
        let previous: DesiredState = desiredOf(objects, hostAt(false));
        let terminating: TerminatingRealServers = new Map();
        let now = NOW;
        const first = diffState({
          desired: previous,
          live: damage(liveOf(previous), damageList),
          terminating,
          now,
          gracePeriodMs: GRACE_MS,
        });
        let applied = applyPlan(damage(liveOf(previous), damageList), first.plan);
        terminating = first.terminating;
        for (const [i, step] of steps.entries()) {
          const time = times[i] ?? { elapsedMs: 0, connections: 0 };
          now += time.elapsedMs;
          objects = step.changes.reduce(applyChange, objects);
          const desired = desiredOf(objects, hostAt(step.hostChanged));
          const live = withConnections(applied.live, time.connections);
          const input = { desired, live, terminating, now, gracePeriodMs: GRACE_MS };
          const whole: DiffResult = diffState(input);
          expect(diffState({ ...input, previous })).toEqual(whole);
          // With the virtual servers the model says changed, instead of comparing each.
          expect(diffState({ ...input, previous, changes: model.familyChanges() })).toEqual(whole);
          applied = applyPlan(live, whole.plan);
          terminating = whole.terminating;
          previous = desired;
        }
      }),
      { numRuns: 300 },
    );
  });
});
