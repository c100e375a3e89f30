// The cluster the end-to-end tests of `kipvs proxy` run: the Node, and Services with their
// EndpointSlices as the API server would hold them, built with the proxy model's fixtures
// (test/fixtures/proxy/objects.ts). Every Service's endpoints are pods of the backends helper,
// so every answer names the endpoint that served it.
import {
  endpoint,
  endpointSlice,
  loadBalancerStatus,
  port,
  service,
  type EndpointOptions,
  type Json,
} from '../fixtures/proxy/objects.js';
import { POD_HTTP_PORT, POD_UDP_PORT } from './backends/protocol.js';
import { ADDRESSES, hostPrefix, podAddress, type Family } from './topology.js';

export const NODE_NAME = 'e2e-node';
export const CLUSTER_CIDR = '10.244.0.0/16';
/** NodePorts answer on the node IP only (not on the pods' gateway or loopback). */
export const NODE_PORT_ADDRESSES = [`${ADDRESSES.ipv4.nodeIp}/32`, `${ADDRESSES.ipv6.nodeIp}/128`];

/** The Node: its InternalIPs are the node IPs NodePorts are reached on. */
export function nodeObject(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME },
    status: {
      addresses: [
        { type: 'InternalIP', address: ADDRESSES.ipv4.nodeIp },
        { type: 'InternalIP', address: ADDRESSES.ipv6.nodeIp },
      ],
    },
  };
}

/** One Service's addresses and ports in one family. */
export interface ServiceShape {
  readonly name: string;
  readonly family: Family;
  readonly clusterIp: string;
  readonly externalIp?: string;
  readonly loadBalancerIp?: string;
  /** HTTP on `http` (TCP), answered by the pods' HTTP port; UDP on `udp` when given. */
  readonly http: { readonly port: number; readonly nodePort?: number };
  readonly udp?: { readonly port: number; readonly nodePort?: number };
  /** More of the Service's spec (sessionAffinity, externalTrafficPolicy, ...), over the rest. */
  readonly spec?: Json;
}

/** web: every kind of address (ClusterIP, NodePort, externalIP, LoadBalancer), HTTP and UDP. */
export const WEB: ServiceShape = {
  name: 'web',
  family: 'ipv4',
  clusterIp: '10.96.0.10',
  externalIp: '203.0.113.10',
  loadBalancerIp: '198.51.100.10',
  http: { port: 80, nodePort: 30080 },
  udp: { port: 53, nodePort: 30053 },
};

/** web6: the IPv6 twin of web's ClusterIP and NodePort. */
export const WEB6: ServiceShape = {
  name: 'web6',
  family: 'ipv6',
  clusterIp: 'fd00:96::10',
  http: { port: 80, nodePort: 30081 },
  udp: { port: 53 },
};

/** doomed: a Service the tests delete. */
export const DOOMED: ServiceShape = {
  name: 'doomed',
  family: 'ipv4',
  clusterIp: '10.96.0.20',
  http: { port: 80, nodePort: 30090 },
};

const PORT_NAMES = { http: 'http', udp: 'dns' } as const;

export function serviceObject(shape: ServiceShape): Json {
  const ports = [
    { ...port(PORT_NAMES.http, shape.http.port, 'TCP', shape.http.nodePort), targetPort: POD_HTTP_PORT },
    ...(shape.udp
      ? [{ ...port(PORT_NAMES.udp, shape.udp.port, 'UDP', shape.udp.nodePort), targetPort: POD_UDP_PORT }]
      : []),
  ];
  const type =
    shape.loadBalancerIp !== undefined ? 'LoadBalancer' : shape.http.nodePort !== undefined ? 'NodePort' : 'ClusterIP';
  const spec: Json = {
    type,
    clusterIP: shape.clusterIp,
    clusterIPs: [shape.clusterIp],
    ipFamilies: [shape.family === 'ipv4' ? 'IPv4' : 'IPv6'],
    ports,
    ...(shape.externalIp !== undefined ? { externalIPs: [shape.externalIp] } : {}),
    ...shape.spec,
  };
  return service(
    shape.name,
    spec,
    shape.loadBalancerIp !== undefined ? { status: loadBalancerStatus(shape.loadBalancerIp) } : {},
  );
}

/** An endpoint: pod number `index` of the Service's family, on this node, with `conditions`. */
export interface EndpointState {
  readonly pod: number;
  /** The node it runs on: this node unless said. */
  readonly node?: string;
  readonly conditions?: Pick<EndpointOptions, 'ready' | 'serving' | 'terminating'>;
}

const READY = { ready: true, serving: true, terminating: false } as const;
/** A pod being deleted: not ready, still serving while it drains (what the kubelet reports). */
export const TERMINATING = { ready: false, serving: true, terminating: true } as const;

export function endpointSliceObject(shape: ServiceShape, endpoints: readonly EndpointState[]): Json {
  const ports = [
    port(PORT_NAMES.http, POD_HTTP_PORT, 'TCP'),
    ...(shape.udp ? [port(PORT_NAMES.udp, POD_UDP_PORT, 'UDP')] : []),
  ];
  return endpointSlice(
    shape.name,
    ports,
    endpoints.map(({ pod, node = NODE_NAME, conditions = READY }) =>
      endpoint(podAddress(shape.family, pod), { node, ...conditions }),
    ),
    { addressType: shape.family === 'ipv4' ? 'IPv4' : 'IPv6' },
  );
}

/** Ready endpoints for pods `pods`. */
export function ready(pods: readonly number[]): EndpointState[] {
  return pods.map((pod) => ({ pod }));
}

/** ipvsadm's form of an address and port: 10.0.0.1:80, [fd00::1]:80. */
export function ipvsEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The virtual servers of a Service (ipvsadm -t/-u form), each with its pods' port. */
export function virtualServers(shape: ServiceShape): { readonly service: string; readonly podPort: number }[] {
  const nodeIp = ADDRESSES[shape.family].nodeIp;
  const tcp = (address: string, p: number): { service: string; podPort: number } => ({
    service: `-t ${ipvsEndpoint(address, p)}`,
    podPort: POD_HTTP_PORT,
  });
  const udp = (address: string, p: number): { service: string; podPort: number } => ({
    service: `-u ${ipvsEndpoint(address, p)}`,
    podPort: POD_UDP_PORT,
  });
  const servers = [tcp(shape.clusterIp, shape.http.port)];
  if (shape.http.nodePort !== undefined) servers.push(tcp(nodeIp, shape.http.nodePort));
  if (shape.externalIp !== undefined) servers.push(tcp(shape.externalIp, shape.http.port));
  if (shape.loadBalancerIp !== undefined) servers.push(tcp(shape.loadBalancerIp, shape.http.port));
  if (shape.udp) {
    servers.push(udp(shape.clusterIp, shape.udp.port));
    if (shape.udp.nodePort !== undefined) servers.push(udp(nodeIp, shape.udp.nodePort));
    if (shape.externalIp !== undefined) servers.push(udp(shape.externalIp, shape.udp.port));
    if (shape.loadBalancerIp !== undefined) servers.push(udp(shape.loadBalancerIp, shape.udp.port));
  }
  return servers;
}

/**
 * `ipvsadm -Sn` lines kube-proxy's IPVS mode programs for a Service whose ready endpoints are
 * `pods`: round robin (the default scheduler), masquerade forwarding, weight 1.
 */
export function ipvsLines(shape: ServiceShape, pods: readonly number[]): string[] {
  return virtualServers(shape).flatMap(({ service: vs, podPort }) => [
    `-A ${vs} -s rr`,
    ...pods.map((pod) => `-a ${vs} -r ${ipvsEndpoint(podAddress(shape.family, pod), podPort)} -m -w 1`),
  ]);
}

/** The addresses kube-ipvs0 holds for a Service (`ip addr` form: address/prefix). */
export function linkAddresses(shape: ServiceShape): string[] {
  const prefix = hostPrefix(shape.family);
  return [shape.clusterIp, shape.externalIp, shape.loadBalancerIp].flatMap((a) =>
    a === undefined ? [] : [`${a}/${prefix}`],
  );
}
