// Taking a node over from kube-proxy. The node namespace holds what kube-proxy's IPVS mode left
// for the takeover cluster (test/fixtures/kube-proxy-ipvs: IPVS table, kube-ipvs0 addresses,
// ipsets, iptables chains of both families) and traffic flows through it; `kipvs diff` finds
// nothing to change, and `kipvs proxy`'s first sync changes nothing while the traffic keeps
// flowing. Then `kipvs diff` on the node kipvs programmed: nothing (exit 0), and after a change
// in the cluster and one in the kernel, the lines that undo them (exit 1). One topology, one API
// server, one kipvs.
import { TEST_IPTABLES_BACKEND } from '../uml/iptables-backend.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '../e2e/apiserver.js';
import { startBackends } from '../e2e/backends/backends.js';
import {
  httpGet,
  proxyConfiguration,
  startKipvsProxy,
  type KipvsProxy,
  type KipvsProxySettings,
  type LogLine,
} from '../e2e/kipvs-proxy.js';
import { kubeProxyIpvsTable, loadKubeProxyState } from '../e2e/kube-proxy-state.js';
import { CLUSTER_CIDR, NODE_NAME, NODE_PORT_ADDRESSES } from '../e2e/proxy-cluster.js';
import { takeoverObjects, takeoverSlice, WEB } from '../e2e/takeover-cluster.js';
import type { Target, TrafficReport, TrafficSettings } from '../e2e/traffic/protocol.js';
import { startTraffic as startTrafficClient, type TrafficClient } from '../e2e/traffic/traffic.js';
import { ADDRESSES, createTopology, podAddress, type Topology } from '../e2e/topology.js';
import { assertKernelHasIpvs, type Netns } from '../uml/netns.js';
import { kipvs, type CliResult } from './kipvs-cli.js';

/** The first sync waits for Node's start and the Kubernetes client's import: seconds in UML, more on a busy host. */
const START_TIMEOUT_MS = 180_000;

const http = (address: string, port: number): Target => ({ protocol: 'http', address, port });

/** The node's own requests: ClusterIPs, one with session affinity, the external IP's ClusterIP. */
const NODE_TARGETS = [http('10.96.0.10', 80), http('10.96.0.30', 80), http('10.96.0.40', 80)];
/** From outside: NodePorts (Cluster and Local policy), the external IP, both LoadBalancer IPs (the firewalled one admits the outside network). */
const OUTSIDE_TARGETS = [
  http(ADDRESSES.ipv4.nodeIp, 30080),
  http(ADDRESSES.ipv4.nodeIp, 30060),
  http('203.0.113.10', 80),
  http('198.51.100.10', 80),
  http('198.51.100.20', 80),
];

/**
 * Who served each target and whom the pod saw: session affinity keeps the node's requests to
 * sticky on one pod (the node's requests to a ClusterIP leave from that address, so they all
 * come from one client); a Cluster-policy NodePort masquerades the outside client to the node's
 * address on the pods' link, a Local-policy one keeps its address.
 */
function servedBy(reports: readonly TrafficReport[]): Record<string, { pods: number; clients: string[] }> {
  return Object.fromEntries(
    reports
      .flatMap((r) => r.targets)
      .map((t) => [t.target, { pods: Object.keys(t.backends).length, clients: Object.keys(t.clients).sort() }]),
  );
}
const GATEWAY = ADDRESSES.ipv4.podGateway;
const EXPECTED_PATHS = {
  'http://10.96.0.10:80': { pods: 2, clients: [GATEWAY] },
  'http://10.96.0.30:80': { pods: 1, clients: [GATEWAY] },
  'http://10.96.0.40:80': { pods: 1, clients: [GATEWAY] },
  [`http://${ADDRESSES.ipv4.nodeIp}:30080`]: { pods: 2, clients: [GATEWAY] },
  [`http://${ADDRESSES.ipv4.nodeIp}:30060`]: { pods: 1, clients: [ADDRESSES.ipv4.outsideIp] },
  'http://203.0.113.10:80': { pods: 1, clients: [GATEWAY] },
  'http://198.51.100.10:80': { pods: 1, clients: [GATEWAY] },
  'http://198.51.100.20:80': { pods: 1, clients: [ADDRESSES.ipv4.outsideIp] },
};

/** Eight targets at once: slower than the default so that UML keeps up (as in e2e-proxy.test.ts). */
const MANY_TARGETS: TrafficSettings = { intervalMs: 200, timeoutMs: 2_000 };

const isSync = (line: LogLine): boolean => line.msg === 'Synced' || line.msg === 'Repaired drift';

/** Failures by target over reports, only the targets that had any. */
function failures(reports: readonly TrafficReport[]): Record<string, Record<string, number>> {
  const found: Record<string, Record<string, number>> = {};
  for (const t of reports.flatMap((r) => r.targets)) {
    for (const [reason, count] of Object.entries(t.failures))
      (found[t.target] ??= {})[reason] = (found[t.target]?.[reason] ?? 0) + count;
  }
  return found;
}

/** The "# TITLE" lines of a diff's sections. */
function sectionTitles(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('# ') && !line.startsWith('# kipvs diff'));
}

/** The lines of one section (without its title). */
function sectionLines(stdout: string, title: string): string[] {
  const block = stdout.split('\n\n').find((b) => b.startsWith(`# ${title}`));
  return block === undefined
    ? []
    : block
        .split('\n')
        .slice(1)
        .filter((line) => line !== '');
}

async function ipvsTable(netns: Netns): Promise<string[]> {
  return (await netns.ipvsSave())
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

describe('taking a node over from kube-proxy', () => {
  let topology: Topology | undefined;
  let api: ApiServer | undefined;
  let nodeClient: TrafficClient | undefined;
  let outsideClient: TrafficClient | undefined;
  let proxy: KipvsProxy | undefined;
  let dir: string | undefined;

  const the = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
    return value;
  };
  const node = (): Netns => the(topology, 'the topology').node;
  const settings = (): KipvsProxySettings => ({
    kubeconfig: the(api, 'the API server').kubeconfig,
    nodeName: NODE_NAME,
    clusterCIDR: CLUSTER_CIDR,
    nodePortAddresses: NODE_PORT_ADDRESSES,
    syncPeriod: '30s',
    minSyncPeriod: '100ms',
  });
  /**
   * Requests to every target, a first window (new clients and connections warming up in a slow
   * kernel) dropped: from here on, every request must be answered.
   */
  const startTraffic = async (): Promise<void> => {
    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    await Promise.all([client.start(NODE_TARGETS, MANY_TARGETS), outside.start(OUTSIDE_TARGETS, MANY_TARGETS)]);
    await sleep(MANY_TARGETS.timeoutMs);
    await Promise.all([client.report(), outside.report()]);
  };
  /** `ms` of requests to every target, after the first window. */
  const steadyTraffic = async (ms: number): Promise<TrafficReport[]> => {
    await startTraffic();
    await sleep(ms);
    return Promise.all([the(nodeClient, 'the node client').stop(), the(outsideClient, 'the outside client').stop()]);
  };
  /** `kipvs diff` in the node, as an operator runs it there: the proxy's --config (or a file of objects). */
  const diff = async (args: readonly string[] = []): Promise<CliResult> => {
    const config = join(the(dir, 'the directory'), 'config.json');
    return kipvs(node(), ['diff', '--config', config, `--iptables-backend=${TEST_IPTABLES_BACKEND}`, ...args]);
  };

  beforeAll(async () => {
    assertKernelHasIpvs();
    dir = await mkdtemp(join(tmpdir(), 'kipvs-takeover-'));
    const made = await createTopology('takeover');
    topology = made;
    made.adopt({ close: async () => void (await proxy?.close()) });
    // One Node process after the other: several starting at once in UML, on a busy host, keep
    // one past its start timeout.
    const server = await startApiServer(made.node);
    made.adopt(server);
    const backends = await startBackends(made);
    const client = await startTrafficClient(made, 'node');
    const outside = await startTrafficClient(made, 'outside');
    [api, nodeClient, outsideClient] = [server, client, outside];
    await backends.add([2, 3, 4, 5].map((n) => ({ address: podAddress('ipv4', n) })));
    const objects = takeoverObjects();
    for (const object of objects) await server.apply(object);
    await writeFile(join(dir, 'config.json'), JSON.stringify(proxyConfiguration(settings())));
    await writeFile(join(dir, 'objects.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await loadKubeProxyState(made.node);
  }, 240_000);

  afterAll(async () => {
    await topology?.delete();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("kube-proxy's state serves every path; kipvs diff finds nothing to change in IPVS, kube-ipvs0 or the ipsets", async () => {
    const result = await diff();
    expect(sectionTitles(result.stdout).filter((title) => !title.includes('iptables'))).toEqual([]);
    // kipvs writes kube-proxy's rules too: nothing at all differs.
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: '' });

    const reports = await steadyTraffic(3_000);
    expect(failures(reports)).toEqual({});
    expect(servedBy(reports)).toEqual(EXPECTED_PATHS);
  }, 180_000);

  test("kipvs proxy's first sync changes nothing in IPVS, kube-ipvs0 or the ipsets, and no request fails across the takeover", async () => {
    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    await startTraffic();
    const started = await startKipvsProxy(node(), settings());
    proxy = started;
    const first = await started.waitForLog((line) => isSync(line) && line['sync'] === '1', START_TIMEOUT_MS);
    await sleep(1_000);
    const reports = await Promise.all([client.stop(), outside.stop()]);
    expect(failures(reports)).toEqual({});
    expect(first).toMatchObject({ failed: 0 });
    expect(servedBy(reports)).toEqual(EXPECTED_PATHS);
    // the health check node port of the Local Service, as kube-proxy serves it: one local endpoint
    const health = await httpGet(the(topology, 'the topology').outside, `http://${ADDRESSES.ipv4.nodeIp}:32060/`);
    expect({ code: health.code, body: JSON.parse(health.body) as unknown }).toEqual({
      code: 200,
      body: { service: { namespace: 'default', name: 'local' }, localEndpoints: 1, serviceProxyHealthy: true },
    });
    const audit = await started.audit();
    expect(
      audit.filter((entry) => entry.sync === '1').map((entry) => `${entry.kind} ${entry.op} ${entry.target}`),
    ).toEqual([]);
    expect(await ipvsTable(node())).toEqual(await kubeProxyIpvsTable());
  }, 300_000);

  test('kipvs diff after kipvs synced: nothing, from the cluster and from a file; after a change in each, the lines that make it', async () => {
    const n = node();
    const files = the(dir, 'the directory');
    expect(await diff()).toMatchObject({ status: 0, stdout: '' });
    expect(await diff(['-f', join(files, 'objects.json')])).toMatchObject({ status: 0, stdout: '' });

    // kipvs stopped (it would undo the changes), then web scaled up in the cluster and an address lost in the kernel
    expect(await the(proxy, 'kipvs').stop()).toEqual({ status: 0, signal: null });
    await the(api, 'the API server').apply(takeoverSlice(WEB, [2, 3, 4]));
    await n.run('ip', ['addr', 'del', '10.96.0.30/32', 'dev', 'kube-ipvs0']);
    const changed = await diff();
    expect(changed.status).toBe(1);
    expect(sectionTitles(changed.stdout)).toEqual(['# IPVS (ipvsadm commands)', '# kube-ipvs0 addresses (ip -batch)']);
    expect(sectionLines(changed.stdout, 'IPVS').sort()).toEqual([
      '-a -t 10.96.0.10:80 -r 10.244.1.4:8080 -m -w 1',
      `-a -t ${ADDRESSES.ipv4.nodeIp}:30080 -r 10.244.1.4:8080 -m -w 1`,
    ]);
    expect(sectionLines(changed.stdout, 'kube-ipvs0')).toEqual(['addr add 10.96.0.30/32 dev kube-ipvs0']);
    // what it prints, kipvs restore and ip -batch apply: then nothing differs but the cluster's change, which the file does not have
    await n.run('bin/kipvs', ['restore'], { input: `${sectionLines(changed.stdout, 'IPVS').join('\n')}\n` });
    await n.run('ip', ['-batch', '-'], { input: `${sectionLines(changed.stdout, 'kube-ipvs0').join('\n')}\n` });
    expect(await diff()).toMatchObject({ status: 0, stdout: '' });
    const stale = await diff(['-f', join(files, 'objects.json')]);
    expect({
      status: stale.status,
      ipvs: sectionLines(stale.stdout, 'IPVS').length,
      titles: sectionTitles(stale.stdout),
    }).toEqual({ status: 1, ipvs: 2, titles: ['# IPVS (ipvsadm commands)'] });
  }, 360_000);
});
