// The diff's tests' kernel: applying a plan to a LiveState gives the LiveState the
// kernel would then report (src/reconcile/apply-to-live.ts, the model kipvs itself
// uses to keep its live state between syncs), and throws where the kernel would
// refuse: adding what exists (EEXIST), changing what does not (ENOENT), a real
// server without its service, a member of a missing set, destroying a set iptables
// rules use (IPSET_ERR_BUSY), a rule appended to an undeclared chain.
import type { LiveState } from '../../../src/contracts/live-state.js';
import { applyPlanToLive, restoreIptables, type IptablesTableName } from '../../../src/reconcile/apply-to-live.js';
import type { Plan } from '../../../src/contracts/plan.js';
import type { Stats } from '../../../src/ipvs/types.js';

export class KernelRefusal extends Error {}

/** The index the model's kernel gives a created kube-ipvs0. */
const CREATED_LINK = { index: 7, up: false } as const;

/** iptables-restore --noflush of `text` into `tables`, in place: a declared user chain is created or flushed. */
export function applyRestore(tables: Record<IptablesTableName, Map<string, string[]>>, text: string): void {
  const restored = restoreIptables(tables, text);
  if ('refusal' in restored) throw new KernelRefusal(restored.refusal);
  for (const name of ['nat', 'filter'] as const) {
    tables[name].clear();
    for (const [chain, rules] of restored.chains[name]) tables[name].set(chain, [...rules]);
  }
}

/** The live state after `plan`, phase by phase, change by change, as the kernel would take them. */
export function applyPlan(live: LiveState, plan: Plan): { readonly live: LiveState } {
  const applied = applyPlanToLive(live, plan, { createdLink: CREATED_LINK });
  if (applied.refusals.length > 0) throw new KernelRefusal(applied.refusals.join('; '));
  return { live: applied.live };
}

/** A real server's or virtual server's counters, all zero (as a fresh kernel object reads). */
export const ZERO_STATS: Stats = {
  connections: 0n,
  inPackets: 0n,
  outPackets: 0n,
  inBytes: 0n,
  outBytes: 0n,
  cps: 0n,
  inPps: 0n,
  outPps: 0n,
  inBps: 0n,
  outBps: 0n,
};
