// The Services kube-proxy serves a health check for on this node, and the
// number it reports for each: pkg/proxy's HCServiceNodePorts and
// EndpointsMap.LocalReadyEndpoints.
//
// A Service needs a health check when it is a LoadBalancer with
// externalTrafficPolicy Local (apiservice.NeedsHealthCheck) and has a
// spec.healthCheckNodePort. Its count is the number of distinct addresses of
// ready endpoints on this node: a pod serving two ports counts once, and a
// terminating endpoint never counts, so that load balancers move away from a
// node whose pods are all going.
import { collectEndpoints } from './endpoints.js';
import type { ValidEndpointSlice } from './endpoint-slice-input.js';
import type { ValidService } from './service-input.js';

export interface HealthCheckService {
  readonly namespace: string;
  readonly name: string;
  /** Ready endpoints on this node, by distinct address. */
  readonly localEndpoints: number;
}

/** By healthCheckNodePort: the Service checked on it. The API server keeps these ports unique. */
export type HealthCheckNodePorts = ReadonlyMap<number, HealthCheckService>;

export function healthCheckNodePorts(
  services: readonly ValidService[],
  slices: readonly ValidEndpointSlice[],
  nodeName: string,
): HealthCheckNodePorts {
  const wanted = services.filter(
    (s) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && s.healthCheckNodePort !== 0,
  );
  const ports = new Map<number, HealthCheckService>();
  for (const service of wanted) {
    // kube-proxy counts in one family's proxier; the Service's primary family (its first cluster IP) is that one.
    const [primary] = service.clusterIPs.keys();
    const ownSlices = slices.filter(
      (slice) => slice.namespace === service.namespace && slice.serviceName === service.name,
    );
    const addresses = new Set<string>();
    for (const endpoints of primary === undefined ? [] : collectEndpoints(ownSlices, primary, nodeName).values()) {
      for (const endpoint of endpoints) if (endpoint.isLocal && endpoint.ready) addresses.add(endpoint.address.text);
    }
    ports.set(service.healthCheckNodePort, {
      namespace: service.namespace,
      name: service.name,
      localEndpoints: addresses.size,
    });
  }
  return ports;
}
