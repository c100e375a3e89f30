// The cluster of the takeover test (../kernel/takeover.test.ts): one Service of every shape whose
// kernel state kube-proxy's IPVS mode differs in, on the end-to-end topology (node IP
// 192.168.50.1, pods 10.244.1.N on this node). test/fixtures/kube-proxy-ipvs holds the state
// kube-proxy leaves on the node for exactly these objects.
import { endpoint, endpointSlice, loadBalancerStatus, port, service, type Json } from '../fixtures/proxy/objects.js';
import { POD_HTTP_PORT } from './backends/protocol.js';
import { NODE_NAME, nodeObject } from './proxy-cluster.js';
import { podAddress } from './topology.js';

/** A pod of another node: in the Service's endpoints, never reached from this one. */
export const REMOTE_POD = '10.244.2.5';

export interface TakeoverService {
  readonly name: string;
  readonly object: Json;
  /** Pod numbers on this node, and endpoints elsewhere. */
  readonly pods: readonly number[];
  readonly remote?: readonly string[];
}

const http = (nodePort?: number): Json => ({ ...port('http', 80, 'TCP', nodePort), targetPort: POD_HTTP_PORT });

/** NodePort (and its ClusterIP). */
export const WEB: TakeoverService = {
  name: 'web',
  object: service('web', {
    type: 'NodePort',
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    ipFamilies: ['IPv4'],
    ports: [http(30080)],
  }),
  pods: [2, 3],
};

/** ClusterIP with ClientIP session affinity (the API server's default timeout, 3 hours). */
export const STICKY: TakeoverService = {
  name: 'sticky',
  object: service('sticky', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.30',
    clusterIPs: ['10.96.0.30'],
    ipFamilies: ['IPv4'],
    ports: [http()],
    sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
  }),
  pods: [2, 3],
};

/** ClusterIP with an external IP. */
export const EXTERNAL: TakeoverService = {
  name: 'ext',
  object: service('ext', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.40',
    clusterIPs: ['10.96.0.40'],
    ipFamilies: ['IPv4'],
    ports: [http()],
    externalIPs: ['203.0.113.10'],
  }),
  pods: [4],
};

/** LoadBalancer open to the node's network only (which holds the node IP itself). */
export const FIREWALLED: TakeoverService = {
  name: 'fw',
  object: service(
    'fw',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.50',
      clusterIPs: ['10.96.0.50'],
      ipFamilies: ['IPv4'],
      ports: [http(30050)],
      loadBalancerSourceRanges: ['192.168.50.0/24'],
    },
    { status: loadBalancerStatus('198.51.100.10') },
  ),
  pods: [4],
};

/** LoadBalancer with externalTrafficPolicy Local: one endpoint here, one on another node. */
export const LOCAL: TakeoverService = {
  name: 'local',
  object: service(
    'local',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.60',
      clusterIPs: ['10.96.0.60'],
      ipFamilies: ['IPv4'],
      ports: [http(30060)],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32060,
    },
    { status: loadBalancerStatus('198.51.100.20') },
  ),
  pods: [5],
  remote: [REMOTE_POD],
};

export const TAKEOVER_SERVICES: readonly TakeoverService[] = [WEB, STICKY, EXTERNAL, FIREWALLED, LOCAL];

export function takeoverSlice(s: TakeoverService, pods: readonly number[] = s.pods): Json {
  const conditions = { ready: true, serving: true, terminating: false };
  return endpointSlice(
    s.name,
    [port('http', POD_HTTP_PORT, 'TCP')],
    [
      ...pods.map((pod) => endpoint(podAddress('ipv4', pod), { node: NODE_NAME, ...conditions })),
      ...(s.remote ?? []).map((address) => endpoint(address, { node: 'other-node', ...conditions })),
    ],
    { addressType: 'IPv4' },
  );
}

/** Every object of the cluster, the Node first, as the API server and `kipvs diff -f` take them. */
export function takeoverObjects(): Json[] {
  return [nodeObject(), ...TAKEOVER_SERVICES.flatMap((s) => [s.object, takeoverSlice(s)])];
}
