// A plan in a few numbers, for a log line and for metrics: how many changes of
// each operation each phase holds.
import type { Plan, PlanPhase } from '../contracts/plan.js';

export interface PlanSummaryRow {
  /** The phase's position in the plan, from 0. */
  readonly phase: number;
  readonly kind: PlanPhase['kind'];
  /** The operation ("add-service", "add-address", ...); "rewrite" for iptables, "delete" for conntrack. */
  readonly op: string;
  readonly count: number;
}

export interface PlanSummary {
  readonly createLink: boolean;
  readonly setTimeouts: boolean;
  /** Per phase in plan order, its operations in the order they first appear. */
  readonly rows: readonly PlanSummaryRow[];
  /** Every change and rewrite of every phase. */
  readonly total: number;
}

function operationsOf(phase: PlanPhase): readonly string[] {
  switch (phase.kind) {
    case 'iptables':
      return phase.rewrites.map(() => 'rewrite');
    case 'conntrack':
      return phase.changes.map(() => 'delete');
    default:
      return phase.changes.map((change) => change.op.op);
  }
}

export function summarizePlan(plan: Plan): PlanSummary {
  const rows = plan.phases.flatMap((phase, index) => {
    const counts = new Map<string, number>();
    for (const op of operationsOf(phase)) counts.set(op, (counts.get(op) ?? 0) + 1);
    return [...counts].map(([op, count]): PlanSummaryRow => ({ phase: index, kind: phase.kind, op, count }));
  });
  return {
    createLink: plan.createLink,
    setTimeouts: plan.ipvsTimeouts !== undefined,
    rows,
    total: rows.reduce((sum, row) => sum + row.count, 0),
  };
}

/** "ipset create-set=2 add-entry=40 | ipvs add-service=3 | ...", or "in sync". */
export function formatPlanSummary(summary: PlanSummary): string {
  const parts: string[] = [];
  if (summary.createLink) parts.push('create link');
  if (summary.setTimeouts) parts.push('set timeouts');
  for (const [index, row] of summary.rows.entries()) {
    const text = `${row.op}=${row.count}`;
    const previous = summary.rows[index - 1];
    if (previous?.phase === row.phase) parts[parts.length - 1] += ` ${text}`;
    else parts.push(`${row.kind} ${text}`);
  }
  return parts.length === 0 ? 'in sync' : parts.join(' | ');
}
