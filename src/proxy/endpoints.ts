// The endpoints of each service port, merged from its EndpointSlices as
// kube-proxy's EndpointSliceCache does: slices meet their Service through the
// kubernetes.io/service-name label and ports through name and protocol; an
// endpoint is identified by ip:port across slices.
import type { IpFamily } from '../net/ip-family.js';
import type { ValidEndpointSlice } from './endpoint-slice-input.js';
import { compareIps, type IpAddress } from './ip.js';
import { servicePortKey } from './service-ports.js';

export interface EndpointInfo {
  readonly address: IpAddress;
  readonly port: number;
  /** On this node (its nodeName is this node's name). */
  readonly isLocal: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly zoneHints: ReadonlySet<string>;
  readonly nodeHints: ReadonlySet<string>;
}

/** Endpoints by servicePortKey, each list sorted by address and port. */
export type EndpointsByServicePort = ReadonlyMap<string, readonly EndpointInfo[]>;

function compareSlices(a: ValidEndpointSlice, b: ValidEndpointSlice): number {
  const ka = `${a.namespace}/${a.serviceName}/${a.name}`;
  const kb = `${b.namespace}/${b.serviceName}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  return compareIps(a.address, b.address) || a.port - b.port;
}

const NO_HINTS: ReadonlySet<string> = new Set();
const hintSet = (hints: readonly string[]): ReadonlySet<string> => (hints.length === 0 ? NO_HINTS : new Set(hints));

export function collectEndpoints(
  slices: readonly ValidEndpointSlice[],
  family: IpFamily,
  nodeName: string,
): EndpointsByServicePort {
  const byPort = new Map<string, Map<string, EndpointInfo>>();
  // Slices in a fixed order, so that a merge never depends on the order objects arrived in.
  for (const slice of slices.filter((s) => s.family === family).sort(compareSlices)) {
    for (const port of slice.ports) {
      const key = servicePortKey({
        namespace: slice.namespace,
        name: slice.serviceName,
        port: port.name,
        protocol: port.protocol,
      });
      const endpoints = byPort.get(key) ?? new Map<string, EndpointInfo>();
      byPort.set(key, endpoints);
      for (const endpoint of slice.endpoints) {
        const info: EndpointInfo = {
          address: endpoint.address,
          port: port.port,
          isLocal: nodeName !== '' && endpoint.nodeName === nodeName,
          ready: endpoint.ready,
          serving: endpoint.serving,
          terminating: endpoint.terminating,
          zoneHints: hintSet(endpoint.zoneHints),
          nodeHints: hintSet(endpoint.nodeHints),
        };
        const id = `${info.address.text}:${info.port}`;
        // The same ip:port twice (moving between slices, or an IP reused while its old pod
        // terminates): as kube-proxy, a non-terminating endpoint wins over a terminating one.
        if (!endpoints.has(id) || !info.terminating) endpoints.set(id, info);
      }
    }
  }
  return new Map([...byPort].map(([key, endpoints]) => [key, [...endpoints.values()].sort(compareEndpoints)]));
}
