// The CPU half of one endpoint change, without a kernel: the sync engine's own work for a sync
// after one EndpointSlice changed (everything but the kernel I/O), at each size, on this
// host. The kernel half is the "sync: one endpoint change" row of main.ts.
//
//   node --expose-gc build/bench/incremental-sync.js [NSVCxNDEST,...]   (default 1000x10,10000x10,30000x10)
//
// With --expose-gc the garbage of the untimed work (the whole column, the checks) is collected
// before each timed sync, so that a sync is not charged for collecting it.
//
// Per size, after a first sync from every object (untimed), RUNS syncs each move one endpoint
// of one Service, as the watch reports it (one change in the change feed), and each is timed
// as the sync engine runs it: the model (src/sync/sync-model.ts: validation and the incremental
// model, from the change feed), the diff since the previous desired state against the kept
// live state, and the kept state after the plan (applyPlanToLive). The "whole" column is
// the same sync from every object: the model built from all of them (objects validated
// once, as the sync engine's memo does) and the whole diff. The script fails when the incremental
// state or plan differs from the whole one.
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ChangeFeed } from '../src/sync/change-feed.js';
import { SyncModel } from '../src/sync/sync-model.js';
import { ValidationMemo } from '../src/sync/validation-memo.js';
import { objectKey } from '../src/proxy/object-key.js';
import { buildDesiredState, type DesiredState } from '../src/proxy/index.js';
import { applyPlanToLive } from '../src/reconcile/apply-to-live.js';
import { diffState } from '../src/reconcile/index.js';
import { parseTableSize, type TableSize } from './ipvs-table.js';
import { clusterObjects, EMPTY_NODE, SYNC_HOST, SYNC_MODEL } from './sync-cluster.js';
import type { ClusterObjects } from '../src/proxy/index.js';

const SIZES = (process.argv[2] ?? '1000x10,10000x10,30000x10').split(',').map(parseTableSize);
const RUNS = 7;
const GRACE_MS = 15 * 60_000;

/** `objects` with the first EndpointSlice's last endpoint at `address` (a new slice object, as the watch hands it). */
function withLastEndpointAt(objects: ClusterObjects, address: string): ClusterObjects {
  const [first, ...rest] = objects.endpointSlices;
  const slice = structuredClone(first) as { endpoints: { addresses: string[] }[] };
  const last = slice.endpoints.at(-1);
  if (!last) throw new Error('the first EndpointSlice has no endpoint');
  last.addresses = [address];
  return { ...objects, endpointSlices: [slice, ...rest] };
}

const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Row {
  readonly size: TableSize;
  readonly whole: number;
  readonly incremental: number;
}

function measure(size: TableSize): Row {
  const model = new SyncModel(SYNC_MODEL);
  const feed = new ChangeFeed();
  let objects = clusterObjects(size);
  let previous: DesiredState = model.desired(objects, SYNC_HOST, feed.take(), 'requested').state;
  const first = applyPlanToLive(
    EMPTY_NODE,
    diffState({ desired: previous, live: EMPTY_NODE, terminating: new Map(), now: 0, gracePeriodMs: GRACE_MS }).plan,
  );
  if (first.refusals.length > 0) throw new Error(`the first plan was refused: ${first.refusals[0]}`);
  let live = first.live;
  const memo = new ValidationMemo();
  memo.validate(objects, SYNC_MODEL.nodeName);
  const whole: number[] = [];
  const incremental: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // One endpoint moves to a new address each run: one real server added, one deleted.
    const next = withLastEndpointAt(objects, `12.0.${run >> 8}.${(run & 255) + 1}`);
    const slice = next.endpointSlices[0];
    feed.record({ kind: 'EndpointSlice', key: objectKey(slice), state: { deleted: false, object: slice } });
    collectGarbage();
    const started = performance.now();
    const desired = model.desired(next, SYNC_HOST, feed.take(), 'requested');
    const diff = diffState({
      desired: desired.state,
      live,
      terminating: new Map(),
      now: 0,
      gracePeriodMs: GRACE_MS,
      previous,
      changes: model.familyChanges(),
    });
    const after = applyPlanToLive(live, diff.plan);
    incremental.push(performance.now() - started);

    collectGarbage();
    const wholeStarted = performance.now();
    const wholeState = buildDesiredState(memo.validate(next, SYNC_MODEL.nodeName).objects, SYNC_HOST, SYNC_MODEL);
    const wholeDiff = diffState({ desired: wholeState, live, terminating: new Map(), now: 0, gracePeriodMs: GRACE_MS });
    whole.push(performance.now() - wholeStarted);

    if (desired.read !== 'changes') throw new Error(`the model read ${desired.read}, not the changes`);
    if (!isDeepStrictEqual(desired.state.families, wholeState.families) || !isDeepStrictEqual(diff, wholeDiff))
      throw new Error('the incremental state or plan differs from the whole one');
    if (diff.plan.phases.length === 0 || after.refusals.length > 0)
      throw new Error('the change planned nothing, or what the kernel would refuse');
    objects = next;
    previous = desired.state;
    live = after.live;
  }
  return { size, whole: median(whole), incremental: median(incremental) };
}

const rows = SIZES.map(measure);
const label = (size: TableSize): string => `${size.services.toLocaleString('en')} x ${size.destinations}`;
console.log(`one endpoint change, the sync engine's CPU path (model, diff, kept state), medians of ${RUNS}:`);
for (const row of rows)
  console.log(
    `  ${label(row.size).padEnd(12)} whole ${row.whole.toFixed(1).padStart(7)} ms   incremental ${row.incremental.toFixed(2).padStart(6)} ms`,
  );
const [smallest] = rows;
for (const row of rows.slice(1)) {
  if (smallest)
    console.log(
      `  ${label(row.size)} / ${label(smallest.size)}: incremental ${(row.incremental / smallest.incremental).toFixed(2)}x, whole ${(row.whole / smallest.whole).toFixed(1)}x`,
    );
}
