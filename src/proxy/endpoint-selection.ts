// Which endpoints a virtual server sends to, as kube-proxy's topology code
// (CategorizeEndpoints) and the IPVS proxier's syncEndpoint decide.
//
// Usable endpoints are the ready ones; only when none is ready anywhere do
// serving-and-terminating endpoints take their place (separately for the
// Cluster and the Local set). Topology hints narrow the Cluster set: the
// EndpointSlice controller writes them from Service.spec.trafficDistribution
// (PreferClose and PreferSameZone give zone hints, PreferSameNode node hints)
// and kube-proxy reads only the hints, never the Service field.
import type { EndpointInfo } from './endpoints.js';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePort } from './service-ports.js';

export interface NodeTopology {
  readonly nodeName: string;
  /** This node's topology.kubernetes.io/zone, "" when unlabelled. */
  readonly zone: string;
}

type TopologyMode = 'PreferSameNode' | 'PreferSameZone' | 'none';

/**
 * Same-node when every ready endpoint carries node hints and one is for this node;
 * else same-zone when every ready endpoint carries zone hints and one is for this
 * zone; else no topology. Falling back happens here, never per endpoint.
 */
function topologyMode(endpoints: readonly EndpointInfo[], topology: NodeTopology): TopologyMode {
  const ready = endpoints.filter((ep) => ep.ready);
  const allHave = (hints: (ep: EndpointInfo) => ReadonlySet<string>): boolean =>
    ready.every((ep) => hints(ep).size > 0);
  const oneFor = (hints: (ep: EndpointInfo) => ReadonlySet<string>, value: string): boolean =>
    ready.some((ep) => hints(ep).has(value));
  if (allHave((ep) => ep.nodeHints) && oneFor((ep) => ep.nodeHints, topology.nodeName)) return 'PreferSameNode';
  if (allHave((ep) => ep.zoneHints) && oneFor((ep) => ep.zoneHints, topology.zone)) return 'PreferSameZone';
  return 'none';
}

function availableFor(ep: EndpointInfo, mode: TopologyMode, topology: NodeTopology): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.has(topology.nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.has(topology.zone);
  return true;
}

const servingTerminating = (ep: EndpointInfo): boolean => ep.serving && ep.terminating;

/** The endpoints for Cluster traffic policy; empty if the port never uses them. */
function clusterEndpoints(endpoints: readonly EndpointInfo[], sp: ServicePort, topology: NodeTopology): EndpointInfo[] {
  if (!usesClusterEndpoints(sp)) return [];
  const mode = topologyMode(endpoints, topology);
  const ready = endpoints.filter((ep) => ep.ready && availableFor(ep, mode, topology));
  // The topology mode already fell back if no ready endpoint suited it, so an empty
  // list here means none is ready anywhere: use the terminating ones that still serve.
  return ready.length > 0 ? ready : endpoints.filter(servingTerminating);
}

/** The endpoints for Local traffic policy; empty if the port never uses them. */
export function localEndpoints(endpoints: readonly EndpointInfo[], sp: ServicePort): EndpointInfo[] {
  if (!usesLocalEndpoints(sp)) return [];
  const local = endpoints.filter((ep) => ep.isLocal);
  const ready = local.filter((ep) => ep.ready);
  return ready.length > 0 ? ready : local.filter(servingTerminating);
}

/**
 * The real servers of one virtual server. With a Local policy (internal for the
 * cluster IP, external for the other addresses) the local endpoints are used, and
 * when there are none, the IPVS proxier falls back to the Cluster set
 * (kubernetes#97081: pods on this node can still reach the Service).
 */
export function selectEndpoints(
  endpoints: readonly EndpointInfo[],
  sp: ServicePort,
  topology: NodeTopology,
  localPolicy: boolean,
): EndpointInfo[] {
  if (localPolicy) {
    const local = localEndpoints(endpoints, sp);
    if (local.length > 0) return local;
  }
  return clusterEndpoints(endpoints, sp, topology);
}
