// `kipvs proxy --cleanup`: the plan that removes what kube-proxy's IPVS mode
// (or kipvs) put in the kernel, computed like any other plan from the live
// state. `empty` is the model's state for no Services at all: it names the
// chains, jumps and sets kube-proxy creates and the addresses kipvs owns.
//
// kube-proxy's cleanup flushes the whole IPVS table; kipvs removes only the
// virtual servers it owns (ownership.ts), so another tool's IPVS services
// survive a cleanup too. kube-ipvs0 itself is deleted by the caller after the
// plan (deleting the link unbinds its addresses).
import { addressFamilyOf } from '../net/ip-family.js';
import type { LiveFamilyState, LiveIptablesTable, LiveState } from '../contracts/live-state.js';
import type { IpsetOperation } from '../ipset/types.js';
import type { IpvsOperation } from '../ipvs/types.js';
import { formatIptablesRule } from '../contracts/iptables-text.js';

import type { DesiredState, FamilyState } from '../contracts/desired-state.js';
import { jumpRule } from './iptables-diff.js';
import { ownershipTest } from './ownership.js';
import type { ChangeCause, IptablesRewrite, Plan, PlanPhase, PlannedChange } from '../contracts/plan.js';

const CAUSE: ChangeCause = { reason: 'cleanup' };

function tableCleanup(
  desired: FamilyState,
  name: 'nat' | 'filter',
  live: LiveIptablesTable,
): IptablesRewrite | undefined {
  const family = desired.family;
  const ownJumps = desired.iptables.jumps
    .filter((j) => j.table === name)
    .map((j) => formatIptablesRule(jumpRule(j), family))
    .filter((line) => [...live.chains.values()].some((lines) => lines.includes(line)));
  const ownChains = desired.iptables[name].chains.filter((chain) => live.chains.has(chain));
  if (ownJumps.length === 0 && ownChains.length === 0) return undefined;
  const restore = [
    `*${name}`,
    // Declaring a chain flushes it, so the chains no longer refer to each other when deleted.
    ...ownChains.map((chain) => `:${chain} - [0:0]`),
    ...ownJumps.map((line) => line.replace(/^-A /, '-D ')),
    ...ownChains.map((chain) => `-X ${chain}`),
    'COMMIT',
    '',
  ].join('\n');
  return { family: addressFamilyOf(family), table: name, restore, cause: CAUSE };
}

function familyCleanup(desired: FamilyState, live: LiveFamilyState) {
  const owned = ownershipTest(desired, live);
  const ipvs: PlannedChange<IpvsOperation>[] = live.virtualServers
    .filter(({ service }) => owned(service.key))
    .map(({ service }) => ({ op: { op: 'delete-service', key: service.key }, cause: CAUSE }));
  const setNames = new Set(desired.ipsets.map((set) => set.name));
  const ipsets: PlannedChange<IpsetOperation>[] = live.ipsets
    .filter((set) => setNames.has(set.header.name))
    .map((set) => ({ op: { op: 'destroy-set', set: set.header.name, exist: true }, cause: CAUSE }));
  const iptables = (['nat', 'filter'] as const).flatMap(
    (name) => tableCleanup(desired, name, live.iptables[name]) ?? [],
  );
  return { ipvs, ipsets, iptables };
}

export function cleanupPlan(empty: DesiredState, live: LiveState): Plan {
  const families = empty.families.flatMap((desired) => {
    const liveFamily = live.families.find((f) => f.family === addressFamilyOf(desired.family));
    return liveFamily ? [familyCleanup(desired, liveFamily)] : [];
  });
  const phases: PlanPhase[] = [
    // Rules first: no packet is steered to a chain or set about to go.
    { kind: 'iptables', rewrites: families.flatMap((f) => f.iptables) },
    { kind: 'ipvs', changes: families.flatMap((f) => f.ipvs) },
    // A set can be destroyed only once no rule uses it.
    { kind: 'ipset', changes: families.flatMap((f) => f.ipsets) },
  ];
  return {
    createLink: false,
    phases: phases.filter((p) => (p.kind === 'iptables' ? p.rewrites.length : p.changes.length) > 0),
  };
}
