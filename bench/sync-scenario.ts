// One sync row of the benchmark, run by the harness inside a fresh network namespace:
//
//   node build/bench/sync-scenario.js from-empty|resync|change NSVCxNDEST
//
// - from-empty: the sync engine programs the cluster (sync-cluster.ts) into an empty kernel;
// - resync: a new sync engine's periodic sync of a kernel already holding exactly that state
//   (loaded by the case's setup): a whole read, a diff, an empty plan;
// - change: the same adoption (untimed), then one EndpointSlice changed back and forth, each
//   change a requested sync through the kept live state, told of the change by the change feed
//   as the proxier tells it: the median time of CHANGES such syncs (the first one, which also
//   compiles the incremental path, is printed as first=), and the messages of one.
// Prints one line: "ms=... messages=... sendmsg=... read=... plan=... rss=...MB heap=...MB",
// and fails when the sync did not do what the row claims to measure.
import type { SyncTrigger } from '../src/sync/sync-trigger.js';
import { performance } from 'node:perf_hooks';
import { ChangeFeed } from '../src/sync/change-feed.js';
import type { ClusterObjects } from '../src/proxy/index.js';
import { SyncEngine, type SyncResult } from '../src/sync/sync-engine.js';
import { objectKey } from '../src/proxy/object-key.js';
import { iptablesTools, KernelClients, NetlinkKernel } from '../src/kernel/index.js';
import { parseTableSize } from './ipvs-table.js';
import { clusterObjects, SYNC_HOST, SYNC_MODEL, withOneEndpointMoved } from './sync-cluster.js';

const [mode, sizeText = ''] = process.argv.slice(2);
if (mode !== 'from-empty' && mode !== 'resync' && mode !== 'change')
  throw new Error(`mode: from-empty, resync or change, not '${mode}'`);
const size = parseTableSize(sizeText);
const objects = clusterObjects(size);

const clients = await KernelClients.open();
const kernel = new NetlinkKernel({ clients, iptables: iptablesTools('legacy'), linkName: 'kube-ipvs0' });
const syncer = new SyncEngine({ kernel, model: SYNC_MODEL, gracePeriodMs: 15 * 60_000, now: () => Date.now() });

const feed = new ChangeFeed();

async function measured(
  cluster: ClusterObjects,
  trigger: SyncTrigger,
): Promise<{ result: SyncResult; ms: number; messages: number; sendCalls: number }> {
  const before = clients.traffic;
  const started = performance.now();
  const result = await syncer.sync(cluster, SYNC_HOST, trigger, feed.take());
  const ms = performance.now() - started;
  const after = clients.traffic;
  if (result.report.failed > 0)
    throw new Error(
      `${result.report.failed} change(s) failed, e.g. ${result.report.changes.find((c) => !c.result.ok)?.description}`,
    );
  return {
    result,
    ms,
    messages: after.messagesSent - before.messagesSent,
    sendCalls: after.sendCalls - before.sendCalls,
  };
}

const changes = (result: SyncResult): number => result.report.changes.length;

/** How many endpoint changes the change row makes; it reports their median. */
const CHANGES = 5;

/** `state` (one of two clusters that differ by one EndpointSlice), with that slice's change recorded in the feed as the watch reports it. */
function changedTo(state: ClusterObjects): ClusterObjects {
  const [slice] = state.endpointSlices;
  if (slice === undefined) throw new Error('the cluster has no EndpointSlice');
  feed.record({ kind: 'EndpointSlice', key: objectKey(slice), state: { deleted: false, object: slice } });
  return state;
}

/** One endpoint moved and back, CHANGES times in all: each must be 2 kernel changes through the kept state and the change feed. */
async function endpointChanges(): Promise<{ run: Awaited<ReturnType<typeof measured>>; first: number }> {
  const moved = withOneEndpointMoved(objects, size);
  const runs: Awaited<ReturnType<typeof measured>>[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const one = await measured(changedTo(i % 2 === 0 ? moved : objects), 'requested');
    if (one.result.source.kind !== 'kept' || changes(one.result) !== 2 || one.result.modelRead !== 'changes') {
      throw new Error(
        `one endpoint change: expected 2 changes through the kept state and the change feed, got ${changes(one.result)} (${one.result.source.kind}, model read ${one.result.modelRead})`,
      );
    }
    runs.push(one);
  }
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined || runs[0] === undefined) throw new Error('no endpoint change was measured');
  return { run: median, first: runs[0].ms };
}

let run;
let first: number | undefined;
if (mode === 'from-empty') {
  run = await measured(objects, 'requested');
} else {
  const adopted = await measured(objects, 'periodic');
  if (changes(adopted.result) > 0)
    throw new Error(`the loaded kernel differs from the cluster's state: ${changes(adopted.result)} change(s)`);
  if (mode === 'resync') run = adopted;
  else ({ run, first } = await endpointChanges());
}
clients.close();
const { result } = run;
const memory = process.memoryUsage();
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const read = result.source.kind === 'full' ? 'full' : `kept+${result.source.refreshedServices}`;
const firstText = first === undefined ? '' : ` first=${first.toFixed(1)}`;
console.log(
  `ms=${run.ms.toFixed(1)}${firstText} messages=${run.messages} sendmsg=${run.sendCalls} read=${read} plan=${changes(result)} rss=${mb(memory.rss)}MB heap=${mb(memory.heapUsed)}MB`,
);
