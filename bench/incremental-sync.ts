// The CPU half of one endpoint change at NSVC x NDEST, without a kernel: the model and the
// diff of a sync after one EndpointSlice changed (sync-cluster.ts's change), whole and
// incremental, on this host. The kernel half is the "sync: one endpoint change" row.
//
//   node build/bench/incremental-sync.js [NSVCxNDEST]   (default 10000x10)
//
// The Syncer's model validates each object once (src/daemon/validation-memo.ts) in both
// columns; "whole" then builds and diffs everything (buildDesiredState, diffState), the
// incremental column reuses unchanged Services' pieces (IncrementalModel) and diffs since the
// previous desired state. Both must give the same plan: the script fails otherwise.
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ValidationMemo } from '../src/daemon/validation-memo.js';
import type { LiveState } from '../src/kernel/live-state.js';
import { buildDesiredState, IncrementalModel, type ClusterObjects, type DesiredState } from '../src/proxy/index.js';
import { applyPlanToLive } from '../src/reconcile/apply-to-live.js';
import { diffState } from '../src/reconcile/index.js';
import { parseTableSize } from './ipvs-table.js';
import { clusterObjects, SYNC_HOST, SYNC_MODEL, withOneEndpointMoved } from './sync-cluster.js';

const size = parseTableSize(process.argv[2] ?? '10000x10');
const RUNS = 5;
const GRACE_MS = 15 * 60_000;

/** A node before kipvs: kube-ipvs0 and the built-in chains, nothing else. */
const builtin = (...chains: string[]) => ({ chains: new Map(chains.map((chain): [string, string[]] => [chain, []])) });
const EMPTY: LiveState = {
  link: { index: 1, up: true },
  families: [
    { family: 'inet', virtualServers: [], linkAddresses: [], ipsets: [], iptables: { nat: builtin('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'), filter: builtin('INPUT', 'FORWARD', 'OUTPUT') } },
  ],
  ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
};

function timed<T>(run: () => T): { readonly value: T; readonly ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const validation = new ValidationMemo();
const valid = (objects: ClusterObjects) => validation.validate(objects, SYNC_MODEL.nodeName).objects;
const before = clusterObjects(size);
const model = new IncrementalModel();
const previous: DesiredState = model.build(valid(before), SYNC_HOST, SYNC_MODEL);
const applied = applyPlanToLive(EMPTY, diffState({ desired: previous, live: EMPTY, terminating: new Map(), now: 0, gracePeriodMs: GRACE_MS }).plan);
// The Syncer keeps a live state only when the kernel refused nothing.
if (applied.refusals.length > 0) throw new Error(`the first plan was refused: ${applied.refusals[0]}`);
const { live } = applied;

const rows = { wholeModel: [] as number[], wholeDiff: [] as number[], incrementalModel: [] as number[], incrementalDiff: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  // A fresh change each run (new objects), from the same previous state.
  const after = withOneEndpointMoved(before, size);
  const objects = valid(after);
  const wholeState = timed(() => buildDesiredState(objects, SYNC_HOST, SYNC_MODEL));
  const wholeDiff = timed(() => diffState({ desired: wholeState.value, live, terminating: new Map(), now: 0, gracePeriodMs: GRACE_MS }));
  const incremental = new IncrementalModel();
  incremental.build(valid(before), SYNC_HOST, SYNC_MODEL);
  const kept = incremental.build(valid(before), SYNC_HOST, SYNC_MODEL);
  const incState = timed(() => incremental.build(objects, SYNC_HOST, SYNC_MODEL));
  const incDiff = timed(() => diffState({ desired: incState.value, live, terminating: new Map(), now: 0, gracePeriodMs: GRACE_MS, previous: kept }));
  if (!isDeepStrictEqual(incState.value, wholeState.value) || !isDeepStrictEqual(incDiff.value, wholeDiff.value)) throw new Error('the incremental model or diff differs from the whole one');
  if (wholeDiff.value.plan.phases.length === 0) throw new Error('the change planned nothing');
  rows.wholeModel.push(wholeState.ms);
  rows.wholeDiff.push(wholeDiff.ms);
  rows.incrementalModel.push(incState.ms);
  rows.incrementalDiff.push(incDiff.ms);
}
const ms = (values: readonly number[]): string => `${median(values).toFixed(1)} ms`;
console.log(`one endpoint change at ${size.services} x ${size.destinations}, medians of ${RUNS} (model after validation):`);
console.log(`  whole:       model ${ms(rows.wholeModel)}, diff ${ms(rows.wholeDiff)}`);
console.log(`  incremental: model ${ms(rows.incrementalModel)}, diff ${ms(rows.incrementalDiff)}`);
