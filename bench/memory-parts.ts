// What each part of the daemon's memory costs at a size, on this host (no kernel): the V8 heap
// after a full GC as the parts of a first sync are built and kept one after the other, the
// way the daemon holds them:
//
//   node --expose-gc build/bench/memory-parts.js [NSVCxNDEST,...]   (default 10000x10,50000x10)
//
// - watch objects: the Services and EndpointSlices as a real API server's (sync-cluster.ts),
//   each decoded from its JSON text as the watch decodes it, then reduced to the fields the
//   daemon reads (cluster-watch-source.ts), then admitted (validated) as the daemon's watch
//   keeps them (src/sync/admitted-object.ts);
// - model: the SyncModel of them (src/sync/sync-model.ts: indexes and the desired state; its
//   validated objects are the admitted ones);
// - plan: the first sync's plan into an empty node (the diff);
// - apply report: one AppliedChange per change, with its description (src/kernel/apply-plan.ts);
// - audit text: every audit line of that sync, as JSON text (what the audit stream buffers);
// - kept live state: what the kernel holds after the plan (src/reconcile/apply-to-live.ts).
// The plan, the report and the audit text are garbage once the sync ends: "after the sync"
// is what stays.
import { auditEntry } from '../src/daemon/audit/audit-entry.js';
import { auditedChange } from '../src/daemon/audit/kernel-change.js';
import type { AppliedChange, KernelChange } from '../src/contracts/kernel-port.js';
import type { AddressChange, ConntrackDeletion, Plan } from '../src/contracts/plan.js';
import type { IpsetOperation } from '../src/ipset/index.js';
import type { IpvsOperation } from '../src/ipvs/index.js';
import { Applied, appliedChange } from '../src/kernel/index.js';
import { buildDesiredState, type ClusterObjects, type DesiredState } from '../src/proxy/index.js';
import { SyncModel } from '../src/sync/sync-model.js';
import { ValidationMemo } from '../src/sync/validation-memo.js';
import { applyPlanToLive } from '../src/reconcile/apply-to-live.js';
import { diffState } from '../src/reconcile/index.js';
import type { Json } from '../test/fixtures/proxy/objects.js';
import { WATCHED_FIELDS } from '../src/daemon/cluster-watch-source.js';
import { projectFields } from '../src/proxy/read-fields.js';
import { parseTableSize, tableLabel, type TableSize } from './ipvs-table.js';
import { clusterObjects, EMPTY_NODE, SYNC_HOST, SYNC_MODEL } from './sync-cluster.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** The cluster as the watch holds it: every object decoded from its own JSON text. */
function decoded(objects: ClusterObjects): ClusterObjects {
  return {
    services: objects.services.map((o) => JSON.parse(JSON.stringify(o)) as Json),
    endpointSlices: objects.endpointSlices.map((o) => JSON.parse(JSON.stringify(o)) as Json),
  };
}

/** The apply's report of `plan` applied whole, as applyPlan builds it: the planned operation, its cause and a shared result each. */
function reportOf(plan: Plan): AppliedChange[] {
  const changes: AppliedChange[] = [];
  const ok = { ok: true } as const;
  for (const phase of plan.phases) {
    switch (phase.kind) {
      case 'ipvs': {
        const kind = (op: IpvsOperation): KernelChange => ({ kind: 'ipvs', op });
        for (const c of phase.changes) changes.push(new Applied(c.op, kind, c.cause, ok));
        break;
      }
      case 'ipset': {
        const kind = (op: IpsetOperation): KernelChange => ({ kind: 'ipset', op });
        for (const c of phase.changes) changes.push(new Applied(c.op, kind, c.cause, ok));
        break;
      }
      case 'address': {
        const kind = (op: AddressChange): KernelChange => ({ kind: 'address', op, linkName: 'kube-ipvs0' });
        for (const c of phase.changes) changes.push(new Applied(c.op, kind, c.cause, ok));
        break;
      }
      case 'iptables':
        for (const rewrite of phase.rewrites)
          changes.push(appliedChange({ kind: 'iptables', rewrite }, rewrite.cause, ok));
        break;
      case 'conntrack': {
        const kind = (deletion: ConntrackDeletion): KernelChange => ({ kind: 'conntrack', deletion });
        for (const c of phase.changes) changes.push(new Applied(c.op, kind, c.cause, ok));
        break;
      }
    }
  }
  return changes;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

function measure(size: TableSize): void {
  const rows: [string, string][] = [];
  const base = heap();
  let last = base;
  const step = (name: string): void => {
    const now = heap();
    rows.push([name, mb(now - last)]);
    last = now;
  };
  let served: ClusterObjects | undefined = decoded(clusterObjects(size));
  step('watch objects as a real API server sends them');
  let reduced: ClusterObjects | undefined = {
    services: served.services.map((o) => projectFields(WATCHED_FIELDS.Service, o)),
    endpointSlices: served.endpointSlices.map((o) => projectFields(WATCHED_FIELDS.EndpointSlice, o)),
  };
  served = undefined;
  step('  reduced on arrival to what kipvs reads (the served objects dropped)');
  // The model's parts on their own, then dropped: the SyncModel holds all of them.
  let validated: ReturnType<ValidationMemo['validate']> | undefined = new ValidationMemo().validate(
    reduced,
    SYNC_MODEL.nodeName,
  );
  step('  of the model: validated objects (ValidationMemo)');
  let plain: DesiredState | undefined = buildDesiredState(validated.objects, SYNC_HOST, SYNC_MODEL);
  step('  of the model: the desired state alone (buildDesiredState)');
  validated = undefined;
  plain = undefined;
  step('  (both dropped)');
  // What the daemon keeps: each object admitted on arrival, the reduced one dropped.
  const model = new SyncModel(SYNC_MODEL);
  const objects: ClusterObjects = {
    services: reduced.services.map((o) => model.admit('Service', o)),
    endpointSlices: reduced.endpointSlices.map((o) => model.admit('EndpointSlice', o)),
  };
  reduced = undefined;
  step('watch objects admitted (validated on arrival; the reduced objects dropped)');
  const desired = model.desired(objects, SYNC_HOST, undefined, 'periodic').state;
  step('model (incremental indexes, desired state; its validated objects are the admitted ones)');
  const diff = diffState({ desired, live: EMPTY_NODE, terminating: new Map(), now: 0, gracePeriodMs: 15 * 60_000 });
  step(
    `plan (${diff.plan.phases.reduce((n, p) => n + (p.kind === 'iptables' ? p.rewrites.length : p.changes.length), 0).toLocaleString('en')} changes)`,
  );
  let report: AppliedChange[] | undefined = reportOf(diff.plan);
  step('apply report (one AppliedChange per change)');
  let audit: string | undefined = report.map((c) => JSON.stringify(auditEntry(auditedChange(c), '1', 0))).join('\n');
  step(`audit text (${report.length.toLocaleString('en')} lines, ${mb(audit.length)} of text)`);
  const kept = applyPlanToLive(EMPTY_NODE, diff.plan).live;
  step('kept live state');
  report = undefined;
  audit = undefined;
  step('report and audit text dropped');
  rows.push(['after the sync (objects, model, kept state; plan still referenced)', mb(heap() - base)]);
  const rss = process.memoryUsage().rss;
  console.log(`${tableLabel(size)}: V8 heap by part (after a full GC), RSS ${mb(rss)}`);
  for (const [name, value] of rows) console.log(`  ${value.padStart(8)}  ${name}`);
  // Keep everything alive until measured.
  if (
    objects.services.length +
      kept.families.length +
      (desired.families.length > 0 ? 1 : 0) +
      (validated === undefined && plain === undefined && reduced === undefined ? 0 : 1) ===
    0
  )
    console.log('');
}

for (const size of (process.argv[2] ?? '10000x10,50000x10').split(',').map(parseTableSize)) measure(size);
