// A Service seen by one family's proxier: one ServicePort per spec.ports entry,
// with only that family's addresses, as kube-proxy's service change tracker
// builds them (one proxier per family; a Service without a cluster IP of the
// family does not exist for that proxier).
import type { IpFamily } from '../net/ip-family.js';
import type { Protocol } from '../ipvs/types.js';
import { cidrContains, type Cidr, type IpAddress } from './ip.js';
import type { ValidService } from './service-input.js';
import type { Scheduling } from './service-scheduling.js';
import type { ServicePortRef } from '../contracts/desired-state.js';

export interface ServicePort {
  readonly ref: ServicePortRef;
  readonly clusterIP: IpAddress;
  readonly port: number;
  readonly protocol: Protocol;
  /** 0 when none. */
  readonly nodePort: number;
  /** ClientIP affinity timeout in seconds; undefined for None. */
  readonly affinityTimeoutSeconds?: number;
  readonly externalIPs: readonly IpAddress[];
  readonly loadBalancerIPs: readonly IpAddress[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  /** 0 when none: only LoadBalancer Services with externalTrafficPolicy Local have one. */
  readonly healthCheckNodePort: number;
  /** externalTrafficPolicy Local on an externally reachable Service. */
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** The Service's own IPVS scheduler and flags; undefined: the node's. */
  readonly scheduling?: Scheduling;
}

/** The key endpoints and service ports meet on: namespace/name, port name and protocol. */
export function servicePortKey(ref: ServicePortRef): string {
  return `${ref.namespace}/${ref.name}:${ref.port}/${ref.protocol}`;
}

/** Reachable other than through the cluster IP (NodePort, externalIPs or a load balancer). */
export function externallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;
}

/** Some traffic uses Cluster-policy endpoints: internal traffic, or external traffic that loops back inside the cluster. */
export function usesClusterEndpoints(sp: ServicePort): boolean {
  return !sp.internalPolicyLocal || externallyAccessible(sp);
}

export function usesLocalEndpoints(sp: ServicePort): boolean {
  return sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible(sp));
}

export function servicePortsFor(service: ValidService, family: IpFamily): ServicePort[] {
  const clusterIP = service.clusterIPs.get(family);
  if (!clusterIP) return [];
  // The Service-level test (type, not this family's addresses), as kube-proxy's ExternalPolicyLocal.
  const reachableFromOutside =
    service.type === 'NodePort' || service.type === 'LoadBalancer' || service.externalIPs.length > 0;
  const externalPolicyLocal = reachableFromOutside && service.externalTrafficPolicy === 'Local';
  const needsHealthCheck = service.type === 'LoadBalancer' && externalPolicyLocal;
  const ofFamily = <T extends { readonly family: IpFamily }>(items: readonly T[]): T[] =>
    items.filter((i) => i.family === family);
  return service.ports.map((p) => ({
    ref: { namespace: service.namespace, name: service.name, port: p.name, protocol: p.protocol },
    clusterIP,
    port: p.port,
    protocol: p.protocol,
    nodePort: p.nodePort,
    ...(service.affinityTimeoutSeconds !== undefined ? { affinityTimeoutSeconds: service.affinityTimeoutSeconds } : {}),
    externalIPs: ofFamily(service.externalIPs),
    loadBalancerIPs: ofFamily(service.loadBalancerIPs),
    loadBalancerSourceRanges: ofFamily(service.loadBalancerSourceRanges),
    healthCheckNodePort: needsHealthCheck ? service.healthCheckNodePort : 0,
    externalPolicyLocal,
    internalPolicyLocal: service.internalTrafficPolicy === 'Local',
    ...(service.scheduling ? { scheduling: service.scheduling } : {}),
  }));
}

/**
 * Whether the node itself may reach the port's load balancer IPs: one of its
 * loadBalancerSourceRanges contains the node's primary IP. If not, kube-proxy
 * also drops the node's own connections to them (kubernetes#119656).
 */
export function sourceRangesAdmitNode(sp: ServicePort, nodeIP: IpAddress): boolean {
  return sp.loadBalancerSourceRanges.some((cidr) => cidrContains(cidr, nodeIP));
}
