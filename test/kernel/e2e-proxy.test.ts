// `kipvs proxy` end to end in the real kernel: the daemon runs in the topology's node namespace
// (test/e2e), watches the fake API server there, and programs IPVS, kube-ipvs0, the ipsets and
// iptables (the backend of this boot: test/uml/iptables-backend.ts); pods answer with their own address, so every request says which endpoint served
// it. One topology, one API server and one kipvs (restarted once) serve every test, in order.
// The kernel's state is read back with the tools operators use (ipvsadm, ip, ipset,
// iptables-save), never with kipvs's own reader.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '../e2e/apiserver.js';
import { startBackends, type Backends } from '../e2e/backends/backends.js';
import { TEST_IPTABLES, TEST_IPTABLES_BACKEND } from '../uml/iptables-backend.js';
import {
  HEALTHZ_ADDRESS,
  METRICS_ADDRESS,
  httpGet,
  startKipvsProxy,
  type KipvsProxy,
  type LogLine,
} from '../e2e/kipvs-proxy.js';
import {
  CLUSTER_CIDR,
  DOOMED,
  NODE_NAME,
  NODE_PORT_ADDRESSES,
  TERMINATING,
  WEB,
  WEB6,
  endpointSliceObject,
  ipvsLines,
  linkAddresses,
  nodeObject,
  ready,
  serviceObject,
} from '../e2e/proxy-cluster.js';
import { ipsetSave, ipvsTable, waitFor } from '../e2e/node-state.js';
import { targetName, type Target, type TrafficReport, type TrafficSettings } from '../e2e/traffic/protocol.js';
import { answerRate, answeredBy, failures } from '../e2e/traffic/report-views.js';
import { DEFAULT_TRAFFIC, startTraffic, type TrafficClient } from '../e2e/traffic/traffic.js';
import { ADDRESSES, createTopology, familyOf, podAddress, type Topology } from '../e2e/topology.js';
import { assertKernelHasIpvs, type Netns } from '../uml/netns.js';

const SYNC_PERIOD_MS = 5_000;
/**
 * How long a change may take to reach the kernel. A sync here takes 2 to 10 s: kipvs runs
 * iptables-save four times a sync, and each spawn forks the whole Node process, which costs
 * seconds in UML (its page tables are expensive) and blocks kipvs's event loop meanwhile.
 */
const SYNC_WAIT_MS = 30_000;
/** The first sync waits for Node's start and the Kubernetes client's import: seconds in UML. */
const START_TIMEOUT_MS = 60_000;
/** Pods of each Service (ipv4 numbering; web6 uses the same numbers in IPv6). */
const WEB_PODS = [2, 3, 4];
const SCALED_PODS = [5, 6];
const DOOMED_PODS = [7];

const http = (address: string, port: number): Target => ({ protocol: 'http', address, port });
const udp = (address: string, port: number): Target => ({ protocol: 'udp', address, port });

/** What the node's own client asks: the ClusterIPs. */
const NODE_TARGETS = [
  http(WEB.clusterIp, 80),
  udp(WEB.clusterIp, 53),
  http(WEB6.clusterIp, 80),
  udp(WEB6.clusterIp, 53),
];
/** What the outside client asks: NodePorts on the node IPs, the externalIP, the LoadBalancer IP. */
const OUTSIDE_TARGETS = [
  http(ADDRESSES.ipv4.nodeIp, 30080),
  udp(ADDRESSES.ipv4.nodeIp, 30053),
  http(ADDRESSES.ipv6.nodeIp, 30081),
  http('203.0.113.10', 80),
  udp('203.0.113.10', 53),
  http('198.51.100.10', 80),
  udp('198.51.100.10', 53),
];
/** Eleven targets at once: slower than the default so that UML keeps up. */
const MANY_TARGETS: TrafficSettings = { intervalMs: 200, timeoutMs: 2_000 };

/** The whole IPVS table kipvs should program with `webPods` behind web, sorted as compared. */
function expectedTable(webPods: readonly number[] = WEB_PODS, withDoomed = true): string[] {
  return [
    ...ipvsLines(WEB, webPods),
    ...ipvsLines(WEB6, WEB_PODS),
    ...(withDoomed ? ipvsLines(DOOMED, DOOMED_PODS) : []),
  ].sort();
}

async function linkAddressList(netns: Netns): Promise<string[]> {
  const { stdout } = await netns.run('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0']);
  return stdout
    .split('\n')
    .flatMap((line) => /\binet6? (\S+)/.exec(line)?.[1] ?? [])
    .sort();
}

/** The same, as expected: every target answered by `pods` of its own family. */
function allAnsweredBy(targets: readonly Target[], pods: readonly number[]): Record<string, string[]> {
  return Object.fromEntries(
    targets.map((t) => [targetName(t), pods.map((n) => podAddress(familyOf(t.address), n)).sort()]),
  );
}

const isSync = (line: LogLine): boolean => line.msg === 'Synced' || line.msg === 'Repaired drift';
const isFirstSync = (line: LogLine): boolean => isSync(line) && line['sync'] === '1';

/** Costs measured in this run, printed at the end. */
const costs: Record<string, string> = {};

describe('kipvs proxy, end to end', () => {
  let topology: Topology | undefined;
  let api: ApiServer | undefined;
  let backends: Backends | undefined;
  let nodeClient: TrafficClient | undefined;
  let outsideClient: TrafficClient | undefined;
  let proxy: KipvsProxy | undefined;

  const the = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
    return value;
  };
  const node = (): Netns => the(topology, 'the topology').node;
  /** waitFor, with kipvs's last log lines in the failure. */
  const until = (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> =>
    waitFor(what, check, timeoutMs, () => proxy?.tail() ?? '');

  /** Starts kipvs and waits for its first sync; the time from spawn to that sync's end, ms. */
  async function startProxy(): Promise<number> {
    const started = await startKipvsProxy(node(), {
      kubeconfig: the(api, 'the API server').kubeconfig,
      nodeName: NODE_NAME,
      clusterCIDR: CLUSTER_CIDR,
      nodePortAddresses: NODE_PORT_ADDRESSES,
      syncPeriod: `${SYNC_PERIOD_MS / 1000}s`,
      minSyncPeriod: '100ms',
    });
    proxy = started;
    const first = await started.waitForLog(isFirstSync, START_TIMEOUT_MS);
    return first.ts - started.startedAt;
  }

  async function applyAll(objects: readonly unknown[]): Promise<void> {
    for (const object of objects) await the(api, 'the API server').apply(object);
  }

  const tableIs = (expected: readonly string[]) => async (): Promise<boolean> =>
    JSON.stringify(await ipvsTable(node())) === JSON.stringify(expected);

  beforeAll(async () => {
    assertKernelHasIpvs();
    const started = performance.now();
    const made = await createTopology('proxy');
    topology = made;
    made.adopt({ close: async () => void (await proxy?.close()) });
    [api, backends, nodeClient, outsideClient] = await Promise.all([
      startApiServer(made.node),
      startBackends(made),
      startTraffic(made, 'node'),
      startTraffic(made, 'outside'),
    ]);
    made.adopt(api);
    costs['topology, API server, backends, 2 clients'] = `${(performance.now() - started).toFixed(0)} ms`;
    await backends.add([
      ...[...WEB_PODS, ...SCALED_PODS, ...DOOMED_PODS].map((n) => ({ address: podAddress('ipv4', n) })),
      ...WEB_PODS.map((n) => ({ address: podAddress('ipv6', n) })),
    ]);
    await applyAll([
      nodeObject(),
      ...[WEB, WEB6, DOOMED].map(serviceObject),
      endpointSliceObject(WEB, ready(WEB_PODS)),
      endpointSliceObject(WEB6, ready(WEB_PODS)),
      endpointSliceObject(DOOMED, ready(DOOMED_PODS)),
    ]);
    const firstSync = await startProxy();
    costs['kipvs start to the end of its first sync'] = `${firstSync} ms`;
  }, 120_000);

  afterAll(async () => {
    const synced = (proxy?.logs ?? []).filter(isSync);
    if (synced.length > 0) {
      const ms = synced.map((line) => Number(line['ms']));
      costs['syncs of the last kipvs (ms: min / median / max)'] =
        `${synced.length}: ${Math.min(...ms)} / ${ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]} / ${Math.max(...ms)}`;
    }
    await topology?.delete();
    process.stdout.write(
      `kipvs proxy end to end, costs in this kernel:\n${Object.entries(costs)
        .map(([what, cost]) => `  ${what}: ${cost}`)
        .join('\n')}\n`,
    );
  });

  test('ClusterIP from the node, NodePort, externalIP and LoadBalancer IP from outside, HTTP and UDP, IPv4 and IPv6: answered by the endpoints', async () => {
    const n = node();
    expect(await ipvsTable(n)).toEqual(expectedTable());
    expect(await linkAddressList(n)).toEqual([WEB, WEB6, DOOMED].flatMap(linkAddresses).sort());
    const sets = await ipsetSave(n);
    for (const member of [
      'add KUBE-CLUSTER-IP 10.96.0.10,tcp:80',
      'add KUBE-CLUSTER-IP 10.96.0.10,udp:53',
      'add KUBE-EXTERNAL-IP 203.0.113.10,tcp:80',
      'add KUBE-LOAD-BALANCER 198.51.100.10,tcp:80',
      'add KUBE-NODE-PORT-TCP 30080',
      'add KUBE-NODE-PORT-UDP 30053',
      'add KUBE-6-CLUSTER-IP fd00:96::10,tcp:80',
      'add KUBE-6-NODE-PORT-TCP 30081',
    ]) {
      expect(sets).toContain(member);
    }
    // kube-proxy's "Starting" event about its node, through the same connection as the watch.
    expect(await the(api, 'the API server').events()).toContainEqual({
      namespace: 'default',
      event: expect.objectContaining({
        reason: 'Starting',
        action: 'StartKubeProxy',
        type: 'Normal',
        reportingController: 'kipvs',
        regarding: { kind: 'Node', name: NODE_NAME, uid: NODE_NAME },
      }),
    });
    const nat = (await n.run(TEST_IPTABLES.inet.save, ['-t', 'nat'])).stdout;
    expect(nat).toMatch(/^-A PREROUTING .*-j KUBE-SERVICES$/m);
    expect(nat).toMatch(/^-A KUBE-SERVICES .*--match-set KUBE-CLUSTER-IP dst,dst/m);
    expect(nat).toMatch(/^-A POSTROUTING .*-j KUBE-POSTROUTING$/m);

    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    await Promise.all([client.start(NODE_TARGETS, MANY_TARGETS), outside.start(OUTSIDE_TARGETS, MANY_TARGETS)]);
    await sleep(3_000);
    const [fromNode, fromOutside] = await Promise.all([client.stop(), outside.stop()]);
    costs['11 targets, a request each per 200 ms'] = `${answerRate([fromNode, fromOutside]).toFixed(0)} answers/s`;
    expect(failures([fromNode, fromOutside])).toEqual({});
    expect({ ...answeredBy(fromNode), ...answeredBy(fromOutside) }).toEqual(
      allAnsweredBy([...NODE_TARGETS, ...OUTSIDE_TARGETS], WEB_PODS),
    );
    // kube-proxy masquerades all of these (off-cluster sources, and the node's own requests from a
    // ClusterIP source): the pods see the node's address on their link
    for (const t of [...fromNode.targets, ...fromOutside.targets]) {
      expect([t.target, Object.keys(t.clients)]).toEqual([
        t.target,
        [ADDRESSES[t.target.includes('[') ? 'ipv6' : 'ipv4'].podGateway],
      ]);
    }
  });

  test('restarted mid-traffic: exits 0 on SIGTERM leaving the state, and the next kipvs adopts it with no change and no failed request', async () => {
    const n = node();
    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    const before = { ipvs: await ipvsTable(n), link: await linkAddressList(n), sets: await ipsetSave(n) };
    await Promise.all([client.start(NODE_TARGETS.slice(0, 2)), outside.start(OUTSIDE_TARGETS.slice(0, 2))]);
    await sleep(1_000);
    const exit = await the(proxy, 'kipvs').stop();
    expect(exit).toEqual({ status: 0, signal: null });
    expect({ ipvs: await ipvsTable(n), link: await linkAddressList(n), sets: await ipsetSave(n) }).toEqual(before);

    const firstSync = await startProxy();
    costs['kipvs restart: start to the end of its first sync'] = `${firstSync} ms`;
    await sleep(1_000);
    const reports = await Promise.all([client.stop(), outside.stop()]);
    costs['4 targets at the default rate across the restart'] = `${answerRate(reports).toFixed(0)} answers/s`;
    // A change by the adopting sync first: it would be why a request failed.
    const audit = await the(proxy, 'kipvs').audit();
    expect(audit.filter((entry) => entry.sync === '1')).toEqual([]);
    expect(failures(reports)).toEqual({});
    expect(await ipvsTable(n)).toEqual(before.ipvs);
  });

  test('endpoints scaled up and down while traffic flows: no failed request, new endpoints get traffic, removed ones none', async () => {
    const n = node();
    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    const targets = {
      node: [http(WEB.clusterIp, 80), udp(WEB.clusterIp, 53)],
      outside: [http(ADDRESSES.ipv4.nodeIp, 30080)],
    };
    // every window's reports, by the phase it ended in, so that a failure says when it happened
    const phases: Record<string, TrafficReport[]> = {};
    const window = async (phase: string): Promise<Record<string, string[]>> => {
      const taken = await Promise.all([client.report(), outside.report()]);
      (phases[phase] ??= []).push(...taken);
      return Object.assign({}, ...taken.map(answeredBy)) as Record<string, string[]>;
    };
    const pods = (numbers: readonly number[]): Record<string, string[]> =>
      allAnsweredBy([...targets.node, ...targets.outside], numbers);
    const weightOneFor =
      (pod: number) =>
      (line: string): boolean =>
        line.includes(`-r ${podAddress('ipv4', pod)}:`) && line.endsWith('-w 1');
    await Promise.all([client.start(targets.node), outside.start(targets.outside)]);

    // up: two more ready endpoints
    await applyAll([endpointSliceObject(WEB, ready([...WEB_PODS, ...SCALED_PODS]))]);
    costs['scale up 3 -> 5 endpoints: applied to the API server until in ipvsadm'] =
      `${(await until('5 endpoints', tableIs(expectedTable([...WEB_PODS, ...SCALED_PODS])), SYNC_WAIT_MS)).toFixed(0)} ms`;
    await window('scaling up');
    await sleep(2_000);
    expect(await window('scaled up')).toEqual(pods([...WEB_PODS, ...SCALED_PODS]));

    // down, as Kubernetes does it: the pods terminate first (not ready, still serving) ...
    await applyAll([
      endpointSliceObject(WEB, [...ready(WEB_PODS), ...SCALED_PODS.map((pod) => ({ pod, conditions: TERMINATING }))]),
    ]);
    await until(
      'no new connections to terminating endpoints',
      async () => !(await ipvsTable(n)).some((line) => SCALED_PODS.some((pod) => weightOneFor(pod)(line))),
      SYNC_WAIT_MS,
    );
    await sleep(DEFAULT_TRAFFIC.timeoutMs);
    await window('terminating');
    await sleep(2_000);
    expect(await window('terminated')).toEqual(pods(WEB_PODS));

    // ... then leave the slice (the pods keep serving, as a pod does through its grace period)
    await applyAll([endpointSliceObject(WEB, ready(WEB_PODS))]);
    await sleep(2_000);
    expect(await window('removed')).toEqual(pods(WEB_PODS));
    await sleep(2_000);
    phases['removed']?.push(...(await Promise.all([client.stop(), outside.stop()])));
    costs['3 targets at the default rate while scaling'] =
      `${answerRate(Object.values(phases).flat()).toFixed(0)} answers/s`;
    expect(Object.fromEntries(Object.entries(phases).map(([phase, reports]) => [phase, failures(reports)]))).toEqual({
      'scaling up': {},
      'scaled up': {},
      terminating: {},
      terminated: {},
      removed: {},
    });
    // TCP real servers drain (weight 0) while IPVS still has connections to them, as kube-proxy's
    // graceful termination does; none of them takes new connections
    expect((await ipvsTable(n)).filter((line) => SCALED_PODS.some((pod) => weightOneFor(pod)(line)))).toEqual([]);
  });

  test('a deleted Service loses its virtual servers, its kube-ipvs0 address and its set members', async () => {
    const n = node();
    const doomedLines = ipvsLines(DOOMED, DOOMED_PODS);
    expect(await ipvsTable(n)).toEqual(expect.arrayContaining(doomedLines));
    expect(await ipsetSave(n)).toEqual(
      expect.arrayContaining(['add KUBE-CLUSTER-IP 10.96.0.20,tcp:80', 'add KUBE-NODE-PORT-TCP 30090']),
    );
    const started = performance.now();
    await the(api, 'the API server').delete('Service', 'default', DOOMED.name);
    await the(api, 'the API server').delete('EndpointSlice', 'default', `${DOOMED.name}-abcde`);
    await until(
      'doomed gone from IPVS',
      async () => !(await ipvsTable(n)).some((line) => doomedLines.includes(line)),
      SYNC_WAIT_MS,
    );
    costs['a Service deleted: until gone from ipvsadm'] = `${(performance.now() - started).toFixed(0)} ms`;
    expect(await linkAddressList(n)).not.toContain(`${DOOMED.clusterIp}/32`);
    const sets = await ipsetSave(n);
    expect(sets.filter((line) => line.includes(DOOMED.clusterIp) || / 30090$/.test(line))).toEqual([]);
    expect(sets).toContain('add KUBE-CLUSTER-IP 10.96.0.10,tcp:80');
  });

  test('the API server away: the kernel is left as it is and traffic flows; a change made meanwhile is applied once it is back', async () => {
    const n = node();
    const server = the(api, 'the API server');
    const kipvs = the(proxy, 'kipvs');
    const client = the(nodeClient, 'the node client');
    const target = http(WEB.clusterIp, 80);
    // a scale-up the proxy cannot see yet: pod 7 (serving since beforeAll) joins web
    const scaled = [...WEB_PODS, 7];
    const before = await ipvsTable(n);
    await client.start([target]);
    // Taken before the pause: kipvs may notice the closed connections before pause() returns.
    const pausedAt = Date.now();
    await server.pause();
    await kipvs.waitForLog(
      (line) => line.msg.startsWith('The API server cannot be used') && line.ts >= pausedAt,
      SYNC_WAIT_MS,
    );
    await server.apply(endpointSliceObject(WEB, ready(scaled)));
    const changedAt = Date.now();
    // a whole periodic sync meanwhile: it must leave the kernel as it was
    await kipvs.waitForLog(
      (line) => isSync(line) && line.ts - Number(line['ms']) >= changedAt,
      SYNC_PERIOD_MS + SYNC_WAIT_MS,
    );
    expect(await ipvsTable(n)).toEqual(before);
    const whileAway = await client.report();
    expect(failures([whileAway])).toEqual({});
    expect(answeredBy(whileAway)).toEqual(allAnsweredBy([target], WEB_PODS));

    await server.resume();
    const resumed = performance.now();
    const webScaled = ipvsLines(WEB, scaled);
    const applied = async (): Promise<boolean> => {
      const table = await ipvsTable(n);
      return webScaled.every((line) => table.includes(line));
    };
    await until('the change made while away', applied, 60_000);
    costs['API server back: until the change made meanwhile is in ipvsadm'] =
      `${(performance.now() - resumed).toFixed(0)} ms`;
    await client.report();
    await sleep(1_500);
    const after = await client.stop();
    expect(failures([after])).toEqual({});
    expect(answeredBy(after)).toEqual(allAnsweredBy([target], scaled));
  });

  test('drift (ipvsadm -C) is repaired by the next periodic sync and counted; /healthz and /livez answer 200 with kube-proxy JSON', async () => {
    const n = node();
    const kipvs = the(proxy, 'kipvs');
    // what kipvs wants: draining real servers (weight 0, left by the scaling test) are not wanted
    // any more, so a flush ends their drain and they are not put back
    const expected = (await ipvsTable(n)).filter((line) => !line.endsWith(' -w 0'));
    const flushedAt = Date.now();
    await n.run('ipvsadm', ['-C']);
    // The next periodic sync repairs it: it starts within a sync period of the last one's start,
    // and a sync here takes seconds, so one period and a sync or two at most.
    const repaired = await until('the table repaired', tableIs(expected), SYNC_PERIOD_MS + SYNC_WAIT_MS);
    costs['ipvsadm -C: until repaired'] = `${repaired.toFixed(0)} ms`;
    const repair = await kipvs.waitForLog((line) => line.msg === 'Repaired drift' && line.ts >= flushedAt, 1_000);
    expect(repair).toMatchObject({ trigger: 'periodic', failed: 0 });

    const metrics = await httpGet(n, `http://${METRICS_ADDRESS}/metrics`);
    expect(metrics.code).toBe(200);
    const repairs = /^kipvs_drift_repairs_total\{kind="ipvs"\} (\d+)$/m.exec(metrics.body);
    expect(Number(repairs?.[1])).toBeGreaterThan(0);

    // Go's time.Time String(), as kube-proxy's %q prints it: "2006-01-02 15:04:05.999 +0000 UTC"
    const time = '"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? [+-]\\d{4} \\w+"';
    const healthz = await httpGet(n, `http://${HEALTHZ_ADDRESS}/healthz`);
    expect(healthz.code).toBe(200);
    expect(healthz.body).toMatch(
      new RegExp(`^\\{"lastUpdated": ${time},"currentTime": ${time}, "nodeEligible": true\\}$`),
    );
    const livez = await httpGet(n, `http://${HEALTHZ_ADDRESS}/livez`);
    expect(livez.code).toBe(200);
    expect(livez.body).toMatch(new RegExp(`^\\{"lastUpdated": ${time},"currentTime": ${time}\\}$`));
  });

  test("a scheduler annotation changes web's virtual servers in place while traffic flows; a bad one keeps rr, with a Warning Event, a log line and a count", async () => {
    const n = node();
    const server = the(api, 'the API server');
    const kipvs = the(proxy, 'kipvs');
    const client = the(nodeClient, 'the node client');
    const outside = the(outsideClient, 'the outside client');
    const annotated = (annotations: Record<string, string>): unknown => {
      const object = serviceObject(WEB) as { metadata: Record<string, unknown> };
      return { ...object, metadata: { ...object.metadata, annotations } };
    };
    const webServices = new Set(ipvsLines(WEB, []));
    const before = await ipvsTable(n);
    const onMaglev = before
      .map((line) => (webServices.has(line) ? line.replace(/ -s rr$/, ' -s mh -b mh-fallback,mh-port') : line))
      .sort();
    await Promise.all([
      client.start([http(WEB.clusterIp, 80), udp(WEB.clusterIp, 53)]),
      outside.start([http(ADDRESSES.ipv4.nodeIp, 30080)]),
    ]);
    await sleep(1_000);

    const changedAt = Date.now();
    await server.apply(
      annotated({ 'kipvs.io/ipvs-scheduler': 'mh', 'kipvs.io/ipvs-scheduler-flags': 'mh-fallback,mh-port' }),
    );
    costs['web annotated mh: until in ipvsadm'] =
      `${(await until('web on mh', tableIs(onMaglev), SYNC_WAIT_MS)).toFixed(0)} ms`;
    await sleep(1_500);
    const during = await Promise.all([client.stop(), outside.stop()]);
    expect(failures(during)).toEqual({});
    // In place: one update per virtual server of web, no real server touched.
    const changes = (await kipvs.audit()).filter((entry) => Date.parse(entry.time) >= changedAt);
    expect(changes.map((entry) => [entry.op, entry.service, entry.result])).toEqual(
      [...webServices].map(() => ['edit-service', expect.stringMatching(/^default\/web:/), 'ok']),
    );
    expect(changes.every((entry) => entry.target.endsWith(' scheduler mh (mh-fallback,mh-port)'))).toBe(true);

    const refusedAt = Date.now();
    await server.apply(annotated({ 'kipvs.io/ipvs-scheduler': 'fastest' }));
    await until('web back on rr', tableIs(before), SYNC_WAIT_MS);
    await kipvs.waitForLog(
      (line) => line.msg === 'Cannot honour a Service annotation' && line.ts >= refusedAt,
      SYNC_WAIT_MS,
    );
    await until(
      'the Warning Event',
      async () => (await server.events()).some((e) => e.event['reason'] === 'InvalidIPVSScheduler'),
      SYNC_WAIT_MS,
    );
    expect(await server.events()).toContainEqual({
      namespace: 'default',
      event: expect.objectContaining({
        type: 'Warning',
        reason: 'InvalidIPVSScheduler',
        regarding: expect.objectContaining({ kind: 'Service', namespace: 'default', name: WEB.name }),
      }),
    });
    const metrics = await httpGet(n, `http://${METRICS_ADDRESS}/metrics`);
    expect(metrics.body).toMatch(/^kipvs_service_annotation_problems_total\{reason="InvalidIPVSScheduler"\} 1$/m);
    await server.apply(serviceObject(WEB));
  });

  test('kipvs proxy --cleanup removes kube-ipvs0, kube-proxy chains and sets, and its virtual servers, but not a foreign one', async () => {
    const n = node();
    const kipvs = the(proxy, 'kipvs');
    expect(await kipvs.stop()).toEqual({ status: 0, signal: null });
    const foreign = '-A -t 10.10.10.10:80 -s rr';
    await n.run('ipvsadm', ['-A', '-t', '10.10.10.10:80', '-s', 'rr']);
    const started = performance.now();
    const result = await n.run(
      'bin/kipvs',
      ['proxy', '--cleanup', '--config', kipvs.configPath, `--iptables-backend=${TEST_IPTABLES_BACKEND}`],
      { allowFailure: true },
    );
    costs['kipvs proxy --cleanup'] = `${(performance.now() - started).toFixed(0)} ms`;
    expect(result.status).toBe(0);
    expect(await ipvsTable(n)).toEqual([foreign]);
    expect((await n.run('ip', ['link', 'show', 'kube-ipvs0'], { allowFailure: true })).status).not.toBe(0);
    expect(
      (await n.run('ipset', ['list', '-n'])).stdout.split('\n').filter((name) => name.startsWith('KUBE-')),
    ).toEqual([]);
    for (const tool of [TEST_IPTABLES.inet.save, TEST_IPTABLES.inet6.save]) {
      const rules = (await n.run(tool)).stdout.split('\n').filter((line) => line.includes('KUBE-'));
      expect([tool, rules]).toEqual([tool, []]);
    }
  });
});
