// The pure diff: (desired state, live state, graceful-termination state, now)
// → the plan that makes the live state the desired one. No I/O and no clock:
// the same input gives the same plan. Each family is compared on its own
// (ipvs-diff, address-diff, ipset-diff, iptables-diff); the plan then puts
// both families' changes together, phase by phase, in plan.ts's order.
import { type IpFamily, addressFamilyOf } from '../net/ip-family.js';
import type { LiveFamilyState, LiveState } from '../contracts/live-state.js';
import type { IpvsTimeouts } from '../ipvs/types.js';

import type { DesiredFamilyChanges, DesiredState } from '../contracts/desired-state.js';
import { diffFamily, diffFamilySince, type FamilyDiff } from './family-diff.js';
import type { TerminatingRealServers } from './graceful-termination.js';
import type { Plan, PlanPhase } from '../contracts/plan.js';

export interface DiffInput {
  readonly desired: DesiredState;
  readonly live: LiveState;
  /** The real servers terminating after the previous plan (the previous result's `terminating`). */
  readonly terminating: TerminatingRealServers;
  /** Milliseconds, on the clock `terminating` was written with. */
  readonly now: number;
  /** How long a TCP real server with connections may drain before it is deleted anyway. */
  readonly gracePeriodMs: number;
  /**
   * The desired state of the previous sync, when `live` is what its plan left (applied whole,
   * with no change refused): then only what changed since is compared (family-diff.ts
   * diffFamilySince), with the same result as a whole diff.
   */
  readonly previous?: DesiredState;
  /**
   * What the model says changed in each family since `previous` (src/proxy/incremental-model.ts):
   * then the virtual servers compared are those, not found by comparing every one.
   */
  readonly changes?: ReadonlyMap<IpFamily, DesiredFamilyChanges>;
}

export interface DiffResult {
  readonly plan: Plan;
  /** The real servers terminating once the plan is applied: keep it for the next diff. */
  readonly terminating: TerminatingRealServers;
  /** What the plan cannot fix, for a person to read. */
  readonly problems: readonly string[];
}

/** Set when configured and a non-zero (configured) value differs from the kernel's; 0 keeps the kernel's. */
function timeoutsToSet(desired: IpvsTimeouts | undefined, live: IpvsTimeouts): IpvsTimeouts | undefined {
  if (!desired) return undefined;
  const differs = (['tcp', 'tcpFin', 'udp'] as const).some(
    (field) => desired[field] !== 0 && desired[field] !== live[field],
  );
  return differs ? desired : undefined;
}

/** Phases in plan order, the empty ones left out. */
function phasesOf(families: readonly FamilyDiff[]): PlanPhase[] {
  const all = <T>(pick: (f: FamilyDiff) => readonly T[]): T[] => families.flatMap(pick);
  const phases: PlanPhase[] = [
    { kind: 'ipset', changes: all((f) => f.ipsets.additions) },
    { kind: 'ipvs', changes: all((f) => f.ipvs.additions) },
    { kind: 'address', changes: all((f) => f.addresses.binds) },
    {
      kind: 'ipvs',
      changes: [
        ...all((f) => f.ipvs.drains),
        ...all((f) => f.ipvs.realServerDeletes),
        ...all((f) => f.ipvs.serviceDeletes),
      ],
    },
    { kind: 'address', changes: all((f) => f.addresses.unbinds) },
    { kind: 'iptables', rewrites: all((f) => f.iptables) },
    { kind: 'ipset', changes: all((f) => f.ipsets.deletions) },
    { kind: 'conntrack', changes: all((f) => f.ipvs.conntrack) },
  ];
  return phases.filter((phase) => (phase.kind === 'iptables' ? phase.rewrites.length : phase.changes.length) > 0);
}

export function diffState(input: DiffInput): DiffResult {
  const { desired, live } = input;
  const liveFamilies = new Map<string, LiveFamilyState>(live.families.map((f) => [f.family, f]));
  const clock = { now: input.now, gracePeriodMs: input.gracePeriodMs };
  // A live family the configuration no longer asks for is left alone, as a single-stack kube-proxy leaves the other family.
  const previous = new Map((input.previous?.families ?? []).map((f) => [f.family, f]));
  const families = desired.families.map((d): FamilyDiff => {
    const liveFamily = liveFamilies.get(addressFamilyOf(d.family));
    const ctx = { terminating: input.terminating, clock };
    const before = previous.get(d.family);
    return before
      ? diffFamilySince(d, before, liveFamily, ctx, input.changes?.get(d.family))
      : diffFamily(d, liveFamily, ctx);
  });
  const ipvsTimeouts = timeoutsToSet(desired.ipvsTimeouts, live.ipvsTimeouts);
  return {
    plan: {
      createLink: live.link === undefined,
      ...(ipvsTimeouts ? { ipvsTimeouts } : {}),
      phases: phasesOf(families),
    },
    terminating: new Map(families.flatMap((f) => f.ipvs.terminating)),
    problems: families.flatMap((f) => f.ipsets.problems),
  };
}
