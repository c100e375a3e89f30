// The daemon row of the benchmark: `kipvs proxy` as a node runs it, against the test API server
// holding the whole cluster, run by the harness inside a fresh network namespace:
//
//   node build/bench/daemon-scenario.js NSVCxNDEST [--sync-period 30] [--cpu-prof DIR] [--heap-prof DIR] [--log-dir DIR]
//
// --cpu-prof and --heap-prof profile kipvs proxy (V8's profiles, written when it exits);
// --log-dir keeps its JSON log there.
//
// The API server (test/support/fake-apiserver, in this process) holds the Node, NSVC Services
// and their EndpointSlices (sync-cluster.ts: objects as a real API server's, the table of
// ipvs-table.ts); kipvs proxy runs with the legacy iptables tools, its audit trail in a file.
// Measured, in this order:
// - start: from spawning the process to the first successful sync reported
//   (kubeproxy_sync_proxy_rules_last_timestamp_seconds set), which needs every change of the
//   plan to have been applied: the whole table in the kernel (checked at the end);
// - the periodic resync that follows (its own time, from its log line);
// - one endpoint change, CHANGES times back and forth: from the API server having it to the
//   real server being in the kernel (polled over netlink every few ms), watch delivery included;
// - RSS: VmHWM over the whole life, and the highest VmRSS seen in each phase (sampled).
// At the end the kernel must hold exactly the table (ipvsadm -Sn), one kube-ipvs0 address and
// one KUBE-CLUSTER-IP entry per Service, else the scenario fails. Prints one line of figures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { IpvsClient, type ServiceKey } from '../src/ipvs/index.js';
import { httpGet, METRICS_ADDRESS, startKipvsProxy, type KipvsProxy, type LogLine } from '../test/e2e/kipvs-proxy.js';
import { FakeApiServer } from '../test/support/fake-apiserver/server.js';
import { ownNetns } from '../test/uml/netns.js';
import { ipvsSaveText, parseTableSize, realServerAddress, serviceAddress } from './ipvs-table.js';
import { clusterObjects, clusterSlice, MOVED_ENDPOINT, movedSlice } from './sync-cluster.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'sync-period': { type: 'string', default: '30' },
    'cpu-prof': { type: 'string' },
    'heap-prof': { type: 'string' },
    'log-dir': { type: 'string' },
    'memory-limit': { type: 'string' },
  },
});
const size = parseTableSize(positionals[0] ?? '');
const syncPeriodSeconds = Number(values['sync-period']);

/** Endpoint changes measured (an even number: the cluster ends as it started). */
const CHANGES = 6;
/** How long the first sync may take before the row fails. */
const START_TIMEOUT_MS = 30 * 60_000;
const SAMPLE_MS = 100;

const profile = [
  ...(values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`]),
  ...(values['heap-prof'] === undefined ? [] : ['--heap-prof', `--heap-prof-dir=${values['heap-prof']}`]),
];
if (profile.length > 0) process.env['NODE_OPTIONS'] = profile.join(' ');
if (values['log-dir'] !== undefined) process.env['KIPVS_E2E_LOG_DIR'] = values['log-dir'];
// The container's memory limit in MiB, as the chart hands it to the daemon (bin/kipvs bounds its heap by it).
if (values['memory-limit'] !== undefined)
  process.env['KIPVS_MEMORY_LIMIT'] = String(Number(values['memory-limit']) * 2 ** 20);

// The cluster, in the API server before kipvs starts.
const server = await FakeApiServer.start();
const dir = await mkdtemp(join(tmpdir(), 'kipvs-bench-daemon-'));
const kubeconfig = await server.writeKubeconfig(join(dir, 'kubeconfig'));
// A single-stack node, as the cluster's Services are IPv4 only (the model's families follow the Node's addresses).
server.apply({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-a' },
  status: { addresses: [{ type: 'InternalIP', address: '192.168.50.1' }] },
});
{
  const { services, endpointSlices } = clusterObjects(size);
  for (const object of services) server.apply(object);
  for (const object of endpointSlices) server.apply(object);
}

type Phase = 'list' | 'first sync' | 'resync' | 'changes';
const phasePeak = new Map<Phase, number>();
let phase: Phase = 'list';

function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

/** The daemon's /metrics text, empty while it cannot answer. */
async function metricsText(): Promise<string> {
  const { code, body } = await httpGet(ownNetns(), `http://${METRICS_ADDRESS}/metrics`).catch(() => ({
    code: 0,
    body: '',
  }));
  return code === 200 ? body : '';
}

/** A metric's value in `text` (its first series), NaN when absent. */
const metricValue = (text: string, name: string): number =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

/** kubeproxy_sync_proxy_rules_last_timestamp_seconds, undefined until set (or while the daemon cannot answer). */
async function lastSyncTimestamp(): Promise<number | undefined> {
  const value = metricValue(await metricsText(), 'kubeproxy_sync_proxy_rules_last_timestamp_seconds');
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const proxy: KipvsProxy = await startKipvsProxy(ownNetns(), {
  kubeconfig,
  nodeName: 'node-a',
  clusterCIDR: '10.244.0.0/16',
  nodePortAddresses: [],
  syncPeriod: `${syncPeriodSeconds}s`,
  minSyncPeriod: '0s',
});
const started = performance.now();
const { pid } = proxy;
if (pid === undefined) throw new Error('kipvs proxy did not start');
let lastMemory = memoryOf(pid);
const sampler = setInterval(() => {
  try {
    lastMemory = memoryOf(pid);
    phasePeak.set(phase, Math.max(phasePeak.get(phase) ?? 0, lastMemory.rss));
  } catch {
    // the process has ended: its last figures stand
  }
}, SAMPLE_MS);

/** A phase's figures as soon as they are known (on stderr: a long run shows where it is). */
const progress = (what: string): void =>
  void process.stderr.write(
    `daemon-scenario: ${what} at ${((performance.now() - started) / 1000).toFixed(1)} s, VmHWM ${(lastMemory.hwm / 2 ** 20).toFixed(0)} MB\n`,
  );

const isSync = (line: LogLine): boolean => line.msg === 'Synced' || line.msg === 'Repaired drift';
const listed = await proxy.waitForLog(
  (line) => line.msg === 'Listed Services, EndpointSlices and the Node',
  START_TIMEOUT_MS,
);
const listedSeconds = (listed.ts - proxy.startedAt) / 1000;
progress('listed');
phase = 'first sync';
let reported = await lastSyncTimestamp();
while (reported === undefined) {
  if (performance.now() - started > START_TIMEOUT_MS)
    throw new Error(`no successful sync reported after ${START_TIMEOUT_MS / 1000} s:\n${proxy.tail()}`);
  await sleep(250);
  reported = await lastSyncTimestamp();
}
const startSeconds = reported - proxy.startedAt / 1000;
const firstSync = await proxy.waitForLog(isSync, 10_000);
progress(`first sync reported (its own ${String(firstSync['ms'])} ms)`);

// The periodic resync that follows (at most a sync period after the first sync started).
phase = 'resync';
const resync = await proxy.waitForLog(
  (line) => isSync(line) && line['trigger'] === 'periodic',
  (syncPeriodSeconds + 600) * 1000,
);

progress(`periodic resync (its own ${String(resync['ms'])} ms)`);
phase = 'changes';
const ipvs = await IpvsClient.open();
const key: ServiceKey = { family: 'inet', protocol: 'tcp', address: serviceAddress(1), port: 80 };
const holds = async (address: string): Promise<boolean> =>
  (await ipvs.listRealServers(key)).some((r) => r.address === address);
const changeMs: number[] = [];
for (let i = 0; i < CHANGES; i++) {
  const moving = i % 2 === 0;
  const wanted = moving ? MOVED_ENDPOINT : realServerAddress(1, size.destinations);
  server.apply(moving ? movedSlice(size) : clusterSlice(1, size));
  const since = performance.now();
  while (!(await holds(wanted))) {
    if (performance.now() - since > 120_000)
      throw new Error(`endpoint change ${i + 1} not in the kernel after 120 s:\n${proxy.tail()}`);
    // Not faster: in UML the poll shares the one CPU with the daemon it waits for.
    await sleep(10);
  }
  changeMs.push(performance.now() - since);
  progress(`endpoint change ${i + 1}: ${changeMs.at(-1)?.toFixed(0)} ms`);
  await sleep(500);
}
ipvs.close();
clearInterval(sampler);
const memory = memoryOf(pid);
// Where the RSS is, as the daemon sees it at the end: V8's heap (used, reserved) and memory outside it (Buffers).
const metrics = await metricsText();
const heapUsed = metricValue(metrics, 'nodejs_heap_size_used_bytes');
const heapTotal = metricValue(metrics, 'nodejs_heap_size_total_bytes');
const external = metricValue(metrics, 'nodejs_external_memory_bytes');
const audit = await proxy.audit();
const exit = await proxy.stop();
await server.close();

// The kernel must hold the whole table, and what kube-proxy adds around it.
const table = execFileSync('ipvsadm', ['-Sn'], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (table !== ipvsSaveText(size)) throw new Error("the IPVS table differs from the cluster's (ipvsadm -Sn)");
const addresses = execFileSync('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
})
  .split('\n')
  .filter((l) => l.includes(' inet ')).length;
const clusterIps = execFileSync('ipset', ['list', 'KUBE-CLUSTER-IP'], { encoding: 'utf8', maxBuffer: 1 << 30 })
  .split('\n')
  .filter((l) => /^\d+\.\d+\.\d+\.\d+,tcp:80$/.test(l)).length;
if (addresses !== size.services || clusterIps !== size.services)
  throw new Error(
    `kube-ipvs0 has ${addresses} addresses and KUBE-CLUSTER-IP ${clusterIps} entries, not ${size.services}`,
  );
await rm(dir, { recursive: true, force: true });

const sorted = [...changeMs].sort((a, b) => a - b);
const mb = (bytes: number | undefined): string => ((bytes ?? Number.NaN) / 2 ** 20).toFixed(0);
const peaks = (['list', 'first sync', 'resync', 'changes'] as const).map((p) => `${mb(phasePeak.get(p))}`).join('/');
console.log(
  `ms=${(startSeconds * 1000).toFixed(0)} listed=${listedSeconds.toFixed(1)}s first-sync=${String(firstSync['ms'])}ms resync=${String(resync['ms'])}ms ` +
    `change=${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)}ms changes=${changeMs.map((ms) => ms.toFixed(0)).join(',')} ` +
    `hwm=${mb(memory.hwm)}MB rss-peaks=${peaks}MB heap=${mb(heapUsed)}/${mb(heapTotal)}MB external=${mb(external)}MB ` +
    `audit=${audit.length} exit=${String(exit.status)}`,
);
