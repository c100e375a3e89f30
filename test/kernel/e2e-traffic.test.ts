// Every traffic path of `kipvs proxy`, end to end with real packets (issue 13 §4, §5): a pod
// reaching a Service, a pod reaching itself through its own Service (hairpin), ClientIP session
// affinity, externalTrafficPolicy=Local with its healthCheckNodePort, loadBalancerSourceRanges
// (each in IPv4 and IPv6), a UDP endpoint removed under a client's feet (conntrack), and SCTP.
// One topology (test/e2e, with a client pod of its own namespace), one API server and one kipvs
// serve every test; each test has Services of its own, so the order does not matter. The
// kernel's state is read back with the operators' tools (ipvsadm, ipset, conntrack), never with
// kipvs's own reader.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpoint, endpointSlice, port, service } from '../fixtures/proxy/objects.js';
import { startApiServer, type ApiServer } from '../e2e/apiserver.js';
import { startBackends } from '../e2e/backends/backends.js';
import { POD_UDP_PORT } from '../e2e/backends/protocol.js';
import { CLIENT_POD, addClientPod } from '../e2e/client-pod.js';
import { startKipvsProxy, type AuditLine, type KipvsProxy, type LogLine } from '../e2e/kipvs-proxy.js';
import { ipsetSave, ipvsTable, waitFor } from '../e2e/node-state.js';
import {
  CLUSTER_CIDR,
  NODE_NAME,
  NODE_PORT_ADDRESSES,
  WEB,
  WEB6,
  endpointSliceObject,
  ipvsEndpoint,
  ipvsLines,
  nodeObject,
  ready,
  serviceObject,
  type EndpointState,
  type ServiceShape,
} from '../e2e/proxy-cluster.js';
import { kernelHasSctp, sctpProbe, startSctpPods } from '../e2e/sctp/sctp.js';
import { targetName, type Target, type TrafficSettings } from '../e2e/traffic/protocol.js';
import { answerRate, answeredBy, failures, seenClients } from '../e2e/traffic/report-views.js';
import { startTraffic, type TrafficClient } from '../e2e/traffic/traffic.js';
import { ADDRESSES, familyOf, createTopology, podAddress, type Family, type Topology } from '../e2e/topology.js';
import { assertKernelHasIpvs, type Netns } from '../uml/netns.js';

/** How long a change may take to reach the kernel (see e2e-proxy.test.ts: syncs take seconds in UML). */
const SYNC_WAIT_MS = 30_000;
/** The first sync waits for Node's start and the Kubernetes client's import: seconds in UML. */
const START_TIMEOUT_MS = 60_000;
/**
 * IPVS's UDP connection timeout (ipvs.udpTimeout): short, so that affinity can expire in the
 * test, yet longer than UML's stalls under load (an IPVS connection that expires takes its
 * conntrack entry with it, and the flow's next datagram is scheduled afresh).
 */
const UDP_TIMEOUT_S = 4;
/** sessionAffinityConfig.clientIP.timeoutSeconds of sticky: IPVS's persistence timeout (-p). */
const AFFINITY_TIMEOUT_S = 5;
/** local's and local6's healthCheckNodePorts. */
const HEALTH_CHECK_NODE_PORT = { ipv4: 30300, ipv6: 30301 } as const;
/** A second address of the outside client, by family: a source loadBalancerSourceRanges leave out. */
const DENIED_SOURCE = { ipv4: '192.168.50.3', ipv6: 'fd00:50::3' } as const;
const OTHER_NODE = 'e2e-other-node';

const WEB_PODS = [2, 3, 4];
/** The one pod behind self (and self6): it reaches itself through them. */
const SELF_POD = 8;
/** local's endpoints on this node, and on another node (served here too, so a wrong route would show). */
const LOCAL_PODS = [9, 10];
const REMOTE_PODS = [11, 12];

/** self: a Service whose only endpoint reaches it (hairpin); self6 its IPv6 twin. */
const SELF: ServiceShape = {
  name: 'self',
  family: 'ipv4',
  clusterIp: '10.96.0.30',
  http: { port: 80 },
  udp: { port: 53 },
};
const SELF6: ServiceShape = { ...SELF, name: 'self6', family: 'ipv6', clusterIp: 'fd00:96::30' };
/** sticky: ClientIP session affinity with a short timeout. */
const STICKY: ServiceShape = {
  name: 'sticky',
  family: 'ipv4',
  clusterIp: '10.96.0.40',
  http: { port: 80 },
  udp: { port: 53 },
  spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: AFFINITY_TIMEOUT_S } } },
};
const STICKY6: ServiceShape = { ...STICKY, name: 'sticky6', family: 'ipv6', clusterIp: 'fd00:96::40' };
/** local: a LoadBalancer with externalTrafficPolicy Local and a healthCheckNodePort; local6 its IPv6 twin. */
const LOCAL: ServiceShape = {
  name: 'local',
  family: 'ipv4',
  clusterIp: '10.96.0.50',
  loadBalancerIp: '198.51.100.50',
  http: { port: 80, nodePort: 30085 },
  spec: { externalTrafficPolicy: 'Local', healthCheckNodePort: HEALTH_CHECK_NODE_PORT.ipv4 },
};
const LOCAL6: ServiceShape = {
  name: 'local6',
  family: 'ipv6',
  clusterIp: 'fd00:96::50',
  loadBalancerIp: '2001:db8:100::50',
  http: { port: 80, nodePort: 30086 },
  spec: { externalTrafficPolicy: 'Local', healthCheckNodePort: HEALTH_CHECK_NODE_PORT.ipv6 },
};
/** guarded: a LoadBalancer only the outside client's own address may reach; guarded6 its IPv6 twin. */
const GUARDED: ServiceShape = {
  name: 'guarded',
  family: 'ipv4',
  clusterIp: '10.96.0.60',
  loadBalancerIp: '198.51.100.60',
  http: { port: 80, nodePort: 30087 },
  spec: { loadBalancerSourceRanges: [`${ADDRESSES.ipv4.outsideIp}/32`] },
};
const GUARDED6: ServiceShape = {
  name: 'guarded6',
  family: 'ipv6',
  clusterIp: 'fd00:96::60',
  loadBalancerIp: '2001:db8:100::60',
  http: { port: 80, nodePort: 30088 },
  spec: { loadBalancerSourceRanges: [`${ADDRESSES.ipv6.outsideIp}/128`] },
};
/** flow: a UDP Service one long-lived client socket talks to while an endpoint goes. */
const FLOW: ServiceShape = {
  name: 'flow',
  family: 'ipv4',
  clusterIp: '10.96.0.70',
  http: { port: 80 },
  udp: { port: 53 },
};

/** sctp: an SCTP ClusterIP and NodePort, answered by the SCTP pods (test/e2e/sctp) of web's pods. */
const SCTP = { name: 'sctp', clusterIp: '10.96.0.80', port: 9999, nodePort: 30099, podPort: 9999 } as const;

function sctpObjects(): unknown[] {
  return [
    service(SCTP.name, {
      type: 'NodePort',
      clusterIP: SCTP.clusterIp,
      clusterIPs: [SCTP.clusterIp],
      ipFamilies: ['IPv4'],
      ports: [{ ...port('assoc', SCTP.port, 'SCTP', SCTP.nodePort), targetPort: SCTP.podPort }],
    }),
    endpointSlice(
      SCTP.name,
      [port('assoc', SCTP.podPort, 'SCTP')],
      WEB_PODS.map((pod) => endpoint(podAddress('ipv4', pod), { node: NODE_NAME, ready: true, serving: true })),
    ),
  ];
}

const localEndpoints = (family: Family, local: readonly number[]): EndpointState[] => [
  ...ready(local),
  ...(family === 'ipv4' ? REMOTE_PODS : REMOTE_PODS.slice(0, 1)).map((pod) => ({ pod, node: OTHER_NODE })),
];

const http = (address: string, port: number, source?: string): Target => ({
  protocol: 'http',
  address,
  port,
  ...(source === undefined ? {} : { source }),
});
const udp = (address: string, port: number, source?: string): Target => ({
  protocol: 'udp',
  address,
  port,
  ...(source === undefined ? {} : { source }),
});
/** One long-lived UDP socket: a datagram every 100 ms, each given 2 s (UML stalls under load). */
const FLOW_SETTINGS: TrafficSettings = { intervalMs: 100, timeoutMs: 2_000 };
/** A few targets at once: slower than the default so that UML keeps up. */
const SOME_TARGETS: TrafficSettings = { intervalMs: 200, timeoutMs: 2_000 };

const pods = (family: Family, numbers: readonly number[]): string[] => numbers.map((n) => podAddress(family, n)).sort();
/** Every target answered by `numbers` of its own family. */
const allAnsweredBy = (targets: readonly Target[], numbers: readonly number[]): Record<string, string[]> =>
  Object.fromEntries(targets.map((t) => [targetName(t), pods(familyOf(t.address), numbers)]));
/** Every target's pods saw `client(family)` as the source. */
const allSeeing = (targets: readonly Target[], client: (family: Family) => string): Record<string, string[]> =>
  Object.fromEntries(targets.map((t) => [targetName(t), [client(familyOf(t.address))]]));

const isFirstSync = (line: LogLine): boolean =>
  (line.msg === 'Synced' || line.msg === 'Repaired drift') && line['sync'] === '1';

/** Costs measured in this run, printed at the end. */
const costs: Record<string, string> = {};

describe('kipvs proxy, every traffic path end to end', () => {
  let topology: Topology | undefined;
  let api: ApiServer | undefined;
  let proxy: KipvsProxy | undefined;
  let clientPod: TrafficClient | undefined;
  let podsClient: TrafficClient | undefined;
  let outsideClient: TrafficClient | undefined;

  const the = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
    return value;
  };
  const node = (): Netns => the(topology, 'the topology').node;
  let clientPodNs: Netns | undefined;
  const clientPodNetns = (): Netns => the(clientPodNs, 'the client pod');
  /** waitFor, with kipvs's last log lines in the failure. */
  const until = (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> =>
    waitFor(what, check, timeoutMs, () => proxy?.tail() ?? '');
  const apply = async (objects: readonly unknown[]): Promise<void> => {
    for (const object of objects) await the(api, 'the API server').apply(object);
  };
  /** Runs `targets` from `client` for `ms`, then stops: the one window. */
  const trafficFor = async (client: TrafficClient, targets: readonly Target[], ms: number, settings = SOME_TARGETS) => {
    await client.start(targets, settings);
    await sleep(ms);
    return client.stop();
  };

  beforeAll(async () => {
    assertKernelHasIpvs();
    const started = performance.now();
    const made = await createTopology('traffic');
    topology = made;
    made.adopt({ close: async () => void (await proxy?.close()) });
    const podNetns = await addClientPod(made, 'traffic');
    clientPodNs = podNetns;
    // The IPv6 one deprecated (preferred_lft 0): bound when a target asks for it, never chosen as
    // a source by itself (of two equal IPv6 addresses Linux picks the one added last, and other
    // tests expect the outside client's own address).
    await made.outside.run('ip', ['address', 'add', `${DENIED_SOURCE.ipv4}/24`, 'dev', 'eth0']);
    await made.outside.run('ip', ['address', 'add', `${DENIED_SOURCE.ipv6}/64`, 'dev', 'eth0', 'preferred_lft', '0']);
    const [server, backends, fromPod, fromPods, fromOutside] = await Promise.all([
      startApiServer(made.node),
      startBackends(made),
      startTraffic(made, podNetns),
      startTraffic(made, 'pods'),
      startTraffic(made, 'outside'),
    ]);
    made.adopt(server);
    [api, clientPod, podsClient, outsideClient] = [server, fromPod, fromPods, fromOutside];
    costs['topology, client pod, API server, backends, 3 clients'] = `${(performance.now() - started).toFixed(0)} ms`;
    const v4 = [...WEB_PODS, SELF_POD, ...LOCAL_PODS, ...REMOTE_PODS];
    const v6 = [...WEB_PODS, SELF_POD, ...LOCAL_PODS, ...REMOTE_PODS.slice(0, 1)];
    await backends.add([
      ...v4.map((n) => ({ address: podAddress('ipv4', n) })),
      ...v6.map((n) => ({ address: podAddress('ipv6', n) })),
    ]);
    await apply([
      nodeObject(),
      ...[WEB, WEB6, SELF, SELF6, STICKY, STICKY6, LOCAL, LOCAL6, GUARDED, GUARDED6, FLOW].map(serviceObject),
      ...[WEB, WEB6, STICKY, STICKY6, GUARDED, GUARDED6, FLOW].map((shape) =>
        endpointSliceObject(shape, ready(WEB_PODS)),
      ),
      endpointSliceObject(SELF, ready([SELF_POD])),
      endpointSliceObject(SELF6, ready([SELF_POD])),
      endpointSliceObject(LOCAL, localEndpoints('ipv4', LOCAL_PODS)),
      endpointSliceObject(LOCAL6, localEndpoints('ipv6', LOCAL_PODS)),
      ...sctpObjects(),
    ]);
    const kipvs = await startKipvsProxy(made.node, {
      kubeconfig: server.kubeconfig,
      nodeName: NODE_NAME,
      clusterCIDR: CLUSTER_CIDR,
      nodePortAddresses: NODE_PORT_ADDRESSES,
      // Every change here syncs at once (minSyncPeriod); periodic syncs only take UML's one CPU
      // from the helpers (each runs iptables-save, a fork of the whole daemon).
      syncPeriod: '30s',
      minSyncPeriod: '100ms',
      ipvsTimeouts: { udpTimeout: `${UDP_TIMEOUT_S}s` },
    });
    proxy = kipvs;
    const first = await kipvs.waitForLog(isFirstSync, START_TIMEOUT_MS);
    costs['kipvs start to the end of its first sync'] = `${first.ts - kipvs.startedAt} ms`;
  }, 180_000);

  afterAll(async () => {
    await topology?.delete();
    process.stdout.write(
      `kipvs proxy traffic paths, costs in this kernel:\n${Object.entries(costs)
        .map(([what, cost]) => `  ${what}: ${cost}`)
        .join('\n')}\n`,
    );
  });

  test("pod -> ClusterIP (HTTP and UDP, IPv4 and IPv6) and -> externalIP: answered by every endpoint; the pod's own address kept to a ClusterIP", async () => {
    const clusterIps = [
      http(WEB.clusterIp, 80),
      udp(WEB.clusterIp, 53),
      http(WEB6.clusterIp, 80),
      udp(WEB6.clusterIp, 53),
    ];
    const externalIp = http(the(WEB.externalIp, 'web externalIP'), 80);
    const report = await trafficFor(the(clientPod, 'the client pod'), [...clusterIps, externalIp], 3_000);
    costs['pod -> 5 targets, a request each per 200 ms'] = `${answerRate([report]).toFixed(0)} answers/s`;
    expect(failures([report])).toEqual({});
    expect(answeredBy(report)).toEqual(allAnsweredBy([...clusterIps, externalIp], WEB_PODS));
    // a pod's source is in the cluster CIDR: not masqueraded to a ClusterIP; an externalIP is
    // masqueraded whatever the source (kube-proxy marks every packet to KUBE-EXTERNAL-IP)
    expect(seenClients(report)).toEqual({
      ...allSeeing(clusterIps, (family) => CLIENT_POD[family].address),
      ...allSeeing([externalIp], (family) => ADDRESSES[family].podGateway),
    });
  });

  test('hairpin: a pod reaching itself through its own Service (IPv4 and IPv6, HTTP and UDP) is masqueraded to the node', async () => {
    const sets = await ipsetSave(node());
    for (const member of [
      'add KUBE-LOOP-BACK 10.244.1.8,tcp:8080,10.244.1.8',
      'add KUBE-LOOP-BACK 10.244.1.8,udp:8053,10.244.1.8',
      'add KUBE-6-LOOP-BACK fd00:244:1::8,tcp:8080,fd00:244:1::8',
    ])
      expect(sets).toContain(member);
    const self = (family: Family): string => podAddress(family, SELF_POD);
    const targets = [
      http(SELF.clusterIp, 80, self('ipv4')),
      udp(SELF.clusterIp, 53, self('ipv4')),
      http(SELF6.clusterIp, 80, self('ipv6')),
      udp(SELF6.clusterIp, 53, self('ipv6')),
    ];
    const report = await trafficFor(the(podsClient, 'the pods client'), targets, 2_000);
    expect(failures([report])).toEqual({});
    expect(answeredBy(report)).toEqual(allAnsweredBy(targets, [SELF_POD]));
    // without KUBE-LOOP-BACK's masquerade the pod would get its own address as the source and drop it
    expect(seenClients(report)).toEqual(allSeeing(targets, (family) => ADDRESSES[family].podGateway));
  });

  test('ClientIP session affinity (IPv4 and IPv6): every request of a client goes to one endpoint; after timeoutSeconds without traffic the next one is scheduled afresh', async () => {
    const n = node();
    const table = await ipvsTable(n);
    expect(table).toContain(`-A -t ${STICKY.clusterIp}:80 -s rr -p ${AFFINITY_TIMEOUT_S}`);
    expect(table).toContain(`-A -u ${STICKY.clusterIp}:53 -s rr -p ${AFFINITY_TIMEOUT_S}`);
    // one client address per template: ipvsadm prints -M only for a netmask other than /32 or /128
    expect(table).toContain(`-A -u [${STICKY6.clusterIp}]:53 -s rr -p ${AFFINITY_TIMEOUT_S}`);
    expect((await n.run('ipvsadm', ['-L', '--timeout'])).stdout).toMatch(
      new RegExp(`^Timeout \\(tcp tcpfin udp\\): \\d+ \\d+ ${UDP_TIMEOUT_S}$`, 'm'),
    );
    const client = the(clientPod, 'the client pod');
    const byHttp = http(STICKY.clusterIp, 80);
    const byUdp = udp(STICKY.clusterIp, 53);
    const byUdp6 = udp(STICKY6.clusterIp, 53);
    // a new connection, and a new socket, for every request: each one is scheduled unless pinned
    const sticking = await trafficFor(client, [byHttp, byUdp, byUdp6], 2_000, { intervalMs: 100, timeoutMs: 2_000 });
    expect(failures([sticking])).toEqual({});
    const chosen = answeredBy(sticking);
    expect(chosen[targetName(byHttp)]).toHaveLength(1);
    expect(chosen[targetName(byUdp)]).toHaveLength(1);
    expect(chosen[targetName(byUdp6)]).toHaveLength(1);
    expect(sticking.targets.every((t) => t.answered >= 10)).toBe(true);

    // UDP only from here: a closed TCP connection stays in IPVS's TIME_WAIT for 2 minutes (not
    // settable), and a persistence template lives as long as a connection it controls does.
    const started = performance.now();
    await until(
      'no UDP connection nor template to sticky left in ipvsadm -Lnc',
      async () => !(await n.run('ipvsadm', ['-Lnc'])).stdout.includes(`${STICKY.clusterIp}:53`),
      (UDP_TIMEOUT_S + AFFINITY_TIMEOUT_S) * 1000 + SYNC_WAIT_MS,
    );
    costs['affinity: last UDP request until IPVS forgot the client'] = `${(performance.now() - started).toFixed(0)} ms`;
    const afterwards = await trafficFor(client, [byUdp], 1_500, { intervalMs: 100, timeoutMs: 2_000 });
    expect(failures([afterwards])).toEqual({});
    const [next, ...others] = answeredBy(afterwards)[targetName(byUdp)] ?? [];
    expect(others).toEqual([]);
    // round robin picks the endpoint after the one chosen before: a new choice, sticking again
    expect(pods('ipv4', WEB_PODS)).toContain(next);
    expect(next).not.toBe(chosen[targetName(byUdp)]?.[0]);
  });

  test('externalTrafficPolicy=Local: NodePort and LoadBalancer IP served by local endpoints only with the client address kept; healthCheckNodePort on the node IP answers 200, then 503 without local endpoints, with kube-proxy JSON (IPv4 and IPv6)', async () => {
    const outside = the(outsideClient, 'the outside client');
    const targets = [
      http(ADDRESSES.ipv4.nodeIp, 30085),
      http(the(LOCAL.loadBalancerIp, 'local LB IP'), 80),
      http(ADDRESSES.ipv6.nodeIp, 30086),
      http(the(LOCAL6.loadBalancerIp, 'local6 LB IP'), 80),
    ];
    const report = await trafficFor(outside, targets, 3_000);
    expect(failures([report])).toEqual({});
    expect(answeredBy(report)).toEqual(allAnsweredBy(targets, LOCAL_PODS));
    expect(seenClients(report)).toEqual(allSeeing(targets, (family) => ADDRESSES[family].outsideIp));

    const healthCheck = async (family: Family): Promise<{ code: number; weight: string | undefined; body: string }> => {
      const url = `http://${ipvsEndpoint(ADDRESSES[family].nodeIp, HEALTH_CHECK_NODE_PORT[family])}/`;
      const { stdout } = await the(topology, 'the topology').outside.run('curl', [
        '-sS',
        '-i',
        '--max-time',
        '30',
        url,
      ]);
      const cut = stdout.indexOf('\r\n\r\n');
      const head = stdout.slice(0, cut);
      return {
        code: Number(/^HTTP\/\S+ (\d+)/.exec(head)?.[1]),
        weight: /^x-load-balancing-endpoint-weight: (\S+)\r?$/im.exec(head)?.[1],
        body: stdout.slice(cut + 4),
      };
    };
    const kubeProxyBody = (name: string, count: number): string =>
      `{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "${name}"\n\t},\n\t"localEndpoints": ${count},\n\t"serviceProxyHealthy": true\n}`;
    expect(await healthCheck('ipv4')).toEqual({ code: 200, weight: '2', body: kubeProxyBody(LOCAL.name, 2) });
    expect(await healthCheck('ipv6')).toEqual({ code: 200, weight: '2', body: kubeProxyBody(LOCAL6.name, 2) });

    await apply([
      endpointSliceObject(LOCAL, localEndpoints('ipv4', [])),
      endpointSliceObject(LOCAL6, localEndpoints('ipv6', [])),
    ]);
    costs['the last local endpoints gone: until both health checks answer 503'] =
      `${(await until('503 on both', async () => (await healthCheck('ipv4')).code === 503 && (await healthCheck('ipv6')).code === 503, SYNC_WAIT_MS)).toFixed(0)} ms`;
    expect(await healthCheck('ipv4')).toEqual({ code: 503, weight: '0', body: kubeProxyBody(LOCAL.name, 0) });
    expect(await healthCheck('ipv6')).toEqual({ code: 503, weight: '0', body: kubeProxyBody(LOCAL6.name, 0) });
  });

  test('loadBalancerSourceRanges (IPv4 and IPv6): the allowed source reaches the LoadBalancer IP, a denied one does not (but still reaches the NodePort)', async () => {
    const guarded = (shape: ServiceShape) => {
      const lbIp = the(shape.loadBalancerIp, `${shape.name} LB IP`);
      const { outsideIp, nodeIp } = ADDRESSES[shape.family];
      const denied = DENIED_SOURCE[shape.family];
      return {
        allowed: http(lbIp, 80, outsideIp),
        denied: http(lbIp, 80, denied),
        nodePort: http(nodeIp, the(shape.http.nodePort, `${shape.name} NodePort`), denied),
      };
    };
    const v4 = guarded(GUARDED);
    const v6 = guarded(GUARDED6);
    const targets = [v4, v6].flatMap(({ allowed, denied, nodePort }) => [allowed, denied, nodePort]);
    const report = await trafficFor(the(outsideClient, 'the outside client'), targets, 3_000, {
      intervalMs: 200,
      timeoutMs: 1_000,
    });
    const of = (target: Target) => report.targets.find((t) => t.target === targetName(target));
    expect(failures([report])).toEqual({
      [targetName(v4.denied)]: { timeout: of(v4.denied)?.requests },
      [targetName(v6.denied)]: { timeout: of(v6.denied)?.requests },
    });
    expect(of(v4.denied)?.requests).toBeGreaterThan(0);
    expect(of(v6.denied)?.requests).toBeGreaterThan(0);
    expect(answeredBy(report)).toEqual({
      ...allAnsweredBy([v4.allowed, v4.nodePort, v6.allowed, v6.nodePort], WEB_PODS),
      [targetName(v4.denied)]: [],
      [targetName(v6.denied)]: [],
    });
  });

  test('a UDP endpoint removed: kipvs deletes its conntrack flows, and the same client socket reaches a remaining endpoint at once; restored, it is back in IPVS within a sync', async () => {
    const n = node();
    const client = the(clientPod, 'the client pod');
    const flow: Target = { protocol: 'udp-flow', address: FLOW.clusterIp, port: 53 };
    /** The endpoints the ClusterIP's UDP flows are NATed to: the reply sources conntrack -L prints. */
    const flowEndpoints = async (): Promise<string[]> => {
      const { stdout } = await n.run('conntrack', [
        '-L',
        '-p',
        'udp',
        '--orig-dst',
        FLOW.clusterIp,
        '--orig-port-dst',
        '53',
      ]);
      return [
        ...new Set(stdout.split('\n').flatMap((line) => /\bsrc=\S+ .*\bsrc=(\S+) /.exec(line)?.[1] ?? [])),
      ].sort();
    };
    /** `ipvsadm -Lnc`'s lines for the flow's ClusterIP. */
    const ipvsConnections = async (): Promise<string[]> =>
      (await n.run('ipvsadm', ['-Lnc'])).stdout.split('\n').filter((line) => line.includes(` ${FLOW.clusterIp}:`));
    await client.start([flow], FLOW_SETTINGS);
    await sleep(2_000);
    const pinned = await client.report();
    expect(failures([pinned])).toEqual({});
    // one socket, one flow: every datagram went to the same pod
    const [before = '', ...others] = answeredBy(pinned)[targetName(flow)] ?? [];
    expect(others).toEqual([]);
    expect(await flowEndpoints()).toEqual([before]);

    const remaining = WEB_PODS.filter((pod) => podAddress('ipv4', pod) !== before);
    const flowsDeleted: Pick<AuditLine, 'op' | 'target' | 'reason' | 'result'> = {
      op: 'delete-flows',
      target: `delete UDP conntrack flows to ${FLOW.clusterIp}:53 answered by ${before}:${POD_UDP_PORT}`,
      reason: 'endpoint removed',
      result: 'ok',
    };
    const isFlowsDeletion = (entry: AuditLine): boolean =>
      (Object.keys(flowsDeleted) as (keyof typeof flowsDeleted)[]).every((key) => entry[key] === flowsDeleted[key]);
    const deletedSince = async (since: number): Promise<AuditLine[]> =>
      (await the(proxy, 'kipvs').audit()).filter(
        (entry) => entry.kind === 'conntrack' && Date.parse(entry.time) >= since,
      );
    const removedAt = Date.now();
    await apply([endpointSliceObject(FLOW, ready(remaining))]);
    // The change's window ends once kipvs has applied it whole: its audit trail has the flows'
    // deletion (written after the sync) and conntrack lists no flow to the removed pod. A
    // listing without one is no proof of that alone: IPVS drops the conntrack entry of a
    // connection it expires itself.
    costs['UDP endpoint removed: applied to the API server until its conntrack flows are gone'] = `${(
      await until(
        'kipvs deleted the flows to the removed pod, and conntrack lists none',
        async () => (await deletedSince(removedAt)).some(isFlowsDeletion) && !(await flowEndpoints()).includes(before),
        SYNC_WAIT_MS,
      )
    ).toFixed(0)} ms`;
    // IPVS's connections of the flow once the change is applied, for the diagnostics below
    const connectionsAtChange = await ipvsConnections();
    // Reports count what ended: a datagram sent before the flows went ends (answered or timed
    // out) within a timeout, so that much later the window of the change is closed.
    await sleep(FLOW_SETTINGS.timeoutMs);
    const during = await client.report();
    const duringAt = Date.now();
    // Nothing but the traffic runs in this window. When `conntrack -L` was read here, one
    // datagram in about ten runs timed out (once in CI), each time the one sent while this
    // process started conntrack (with a 2 s and with a 6 s window alike), while the diagnostics
    // below showed IPVS and conntrack right. Most likely the spawn: a process spawned from this
    // Jest process (a few hundred MB) costs UML a second or two of page-table copying
    // (bench/README.md), more than a datagram's timeout leaves.
    await sleep(2_000);
    const after = await client.stop();
    const afterAt = Date.now();
    // Read at once: the flow's IPVS connection, and the conntrack entry with it, lasts
    // ipvs.udpTimeout after its last datagram.
    const flowsAfter = await flowEndpoints();
    // A datagram may be lost between IPVS losing the real server and the flow's deletion (IPVS
    // drops a packet of a flow whose conntrack entry still points to a removed real server).
    const lost = Object.values(failures([during])[targetName(flow)] ?? {}).reduce((a, b) => a + b, 0);
    costs['UDP datagrams while the endpoint was removed (until its flows were gone, and a timeout)'] =
      `${during.targets[0]?.requests ?? 0} sent, ${lost} lost`;
    const audit = await deletedSince(removedAt);
    expect(audit).toContainEqual(expect.objectContaining(flowsDeleted));
    const [now = '', ...more] = answeredBy(after)[targetName(flow)] ?? [];
    if (Object.keys(failures([after])).length > 0 || flowsAfter.some((pod) => pod !== now)) {
      // What the kernel and kipvs did around a failure below, in ms from the change: a rare
      // failure here cannot be made to happen again at will, and this told the last one's cause.
      const since = (ms: number): number => ms - removedAt;
      console.log(
        JSON.stringify(
          {
            windowsEndAt: { during: since(duringAt), after: since(afterAt) },
            failedSentAt: {
              during: during.targets[0]?.failedSentAt.map(since),
              after: after.targets[0]?.failedSentAt.map(since),
            },
            audit: audit.map((entry) => ({ at: since(Date.parse(entry.time)), op: entry.op, target: entry.target })),
            syncs: the(proxy, 'kipvs')
              .logs.filter((line) => line.ts >= removedAt)
              .map((line) => ({ ...line, ts: since(line.ts) })),
            conntrack: (await n.run('conntrack', ['-L', '-p', 'udp'])).stdout
              .split('\n')
              .filter((line) => line.includes(`dst=${FLOW.clusterIp} `)),
            ipvsConnections: { atChange: connectionsAtChange, atEnd: await ipvsConnections() },
          },
          null,
          1,
        ),
      );
    }
    // from then on every datagram of the same socket is answered, by one remaining pod
    expect(failures([after])).toEqual({});
    expect(more).toEqual([]);
    expect(pods('ipv4', remaining)).toContain(now);
    // No stale flow; the live one's entry points to the pod that answers. (Once in sixteen runs
    // conntrack listed no entry at all for the live flow here while every datagram was answered.
    // Not seen again in eight runs with diagnostics: the cause is not known, so an entry is not
    // required.)
    expect(flowsAfter.filter((pod) => pod !== now)).toEqual([]);

    // Restored: flow had no TCP connection, so nothing of it drains and its table is exactly the
    // three endpoints again. (A Service that had TCP traffic keeps removed endpoints at weight 0
    // while IPVS still counts connections to them: TIME_WAIT lasts 2 minutes.)
    const restored = [...ipvsLines(FLOW, WEB_PODS)].sort();
    const ofFlow = async (): Promise<string[]> =>
      (await ipvsTable(n)).filter((line) => line.includes(` ${FLOW.clusterIp}:`));
    await apply([endpointSliceObject(FLOW, ready(WEB_PODS))]);
    costs['UDP endpoint restored: until back in ipvsadm'] =
      `${(await until('3 endpoints again', async () => JSON.stringify(await ofFlow()) === JSON.stringify(restored), SYNC_WAIT_MS)).toFixed(0)} ms`;
  });

  test('SCTP: a pod reaches the ClusterIP, the outside client the NodePort, answered by every endpoint', async () => {
    // Not a skip: a kernel without SCTP fails here, saying so.
    const world = the(topology, 'the topology');
    if (!(await kernelHasSctp(world.pods)))
      throw new Error('this kernel has no SCTP (no /proc/net/sctp: the sctp module did not load at boot)');
    await startSctpPods(world, SCTP.podPort, pods('ipv4', WEB_PODS));
    const n = node();
    const table = await ipvsTable(n);
    expect(table).toContain(`-A --sctp-service ${SCTP.clusterIp}:${SCTP.port} -s rr`);
    expect(table).toContain(`-A --sctp-service ${ADDRESSES.ipv4.nodeIp}:${SCTP.nodePort} -s rr`);
    expect(await ipsetSave(n)).toContain(`add KUBE-NODE-PORT-SCTP-HASH ${ADDRESSES.ipv4.nodeIp},sctp:${SCTP.nodePort}`);
    const started = performance.now();
    const [fromOutside, fromPod] = await Promise.all([
      sctpProbe(
        world.outside,
        { address: ADDRESSES.ipv4.nodeIp, port: SCTP.nodePort, source: ADDRESSES.ipv4.outsideIp },
        6,
      ),
      sctpProbe(clientPodNetns(), { address: SCTP.clusterIp, port: SCTP.port }, 6),
    ]);
    costs['SCTP: 2 x 6 associations'] = `${(performance.now() - started).toFixed(0)} ms`;
    const summary = (outcomes: typeof fromPod) => ({
      failures: outcomes.flatMap((o) => (o.ok ? [] : [o.reason])),
      backends: [...new Set(outcomes.flatMap((o) => (o.ok ? [o.backend] : [])))].sort(),
      clients: [...new Set(outcomes.flatMap((o) => (o.ok ? [o.client] : [])))].sort(),
    });
    expect(summary(fromPod)).toEqual({
      failures: [],
      backends: pods('ipv4', WEB_PODS),
      clients: [CLIENT_POD.ipv4.address],
    });
    expect(summary(fromOutside)).toEqual({
      failures: [],
      backends: pods('ipv4', WEB_PODS),
      clients: [ADDRESSES.ipv4.podGateway],
    });
  });
});
