// One sync row of the benchmark, run by the harness inside a fresh network namespace:
//
//   node build/bench/sync-scenario.js from-empty|resync|change NSVCxNDEST
//
// - from-empty: the Syncer programs the cluster (sync-cluster.ts) into an empty kernel;
// - resync: a new Syncer's periodic sync of a kernel already holding exactly that state
//   (loaded by the case's setup): a whole read, a diff, an empty plan;
// - change: the same adoption (untimed), then one EndpointSlice changed and a requested
//   sync through the kept live state: the time and messages of one endpoint change.
// Prints one line: "ms=... messages=... sendmsg=... read=... plan=... rss=...MB heap=...MB",
// and fails when the sync did not do what the row claims to measure.
import { performance } from 'node:perf_hooks';
import { Syncer, type ClusterObjects, type SyncResult } from '../src/daemon/sync.js';
import type { SyncTrigger } from '../src/daemon/sync-runner.js';
import { iptablesTools, KernelClients } from '../src/kernel/index.js';
import { parseTableSize } from './ipvs-table.js';
import { clusterObjects, SYNC_HOST, SYNC_MODEL, withOneEndpointMoved } from './sync-cluster.js';

const [mode, sizeText = ''] = process.argv.slice(2);
if (mode !== 'from-empty' && mode !== 'resync' && mode !== 'change') throw new Error(`mode: from-empty, resync or change, not '${mode}'`);
const size = parseTableSize(sizeText);
const objects = clusterObjects(size);

const clients = await KernelClients.open();
const syncer = new Syncer({ clients, iptables: iptablesTools('legacy'), linkName: 'kube-ipvs0', model: SYNC_MODEL, gracePeriodMs: 15 * 60_000, now: () => Date.now() });

async function measured(cluster: ClusterObjects, trigger: SyncTrigger): Promise<{ result: SyncResult; ms: number; messages: number; sendCalls: number }> {
  const before = clients.traffic;
  const started = performance.now();
  const result = await syncer.sync(cluster, SYNC_HOST, trigger);
  const ms = performance.now() - started;
  const after = clients.traffic;
  if (result.report.failed > 0) throw new Error(`${result.report.failed} change(s) failed, e.g. ${result.report.changes.find((c) => !c.result.ok)?.description}`);
  return { result, ms, messages: after.messagesSent - before.messagesSent, sendCalls: after.sendCalls - before.sendCalls };
}

const changes = (result: SyncResult): number => result.report.changes.length;

let run;
if (mode === 'from-empty') {
  run = await measured(objects, 'requested');
} else {
  const adopted = await measured(objects, 'periodic');
  if (changes(adopted.result) > 0) throw new Error(`the loaded kernel differs from the cluster's state: ${changes(adopted.result)} change(s)`);
  run = mode === 'resync' ? adopted : await measured(withOneEndpointMoved(objects, size), 'requested');
  if (mode === 'change' && (run.result.source.kind !== 'cached' || changes(run.result) !== 2)) {
    throw new Error(`one endpoint change: expected 2 changes through the kept state, got ${changes(run.result)} (${run.result.source.kind})`);
  }
}
clients.close();
const { result } = run;
const memory = process.memoryUsage();
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const read = result.source.kind === 'full' ? 'full' : `cached+${result.source.refreshedServices}`;
console.log(`ms=${run.ms.toFixed(1)} messages=${run.messages} sendmsg=${run.sendCalls} read=${read} plan=${changes(result)} rss=${mb(memory.rss)}MB heap=${mb(memory.heapUsed)}MB`);
