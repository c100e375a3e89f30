// IPVS virtual and real servers of one family, and the addresses bound to
// kube-ipvs0, as kube-proxy's IPVS proxier programs them: per service port a
// virtual server on the cluster IP, on each external IP, on each load balancer
// IP and on each NodePort address, with the selected endpoints at weight 1.
import { type IpFamily, addressFamilyOf } from '../net/ip-family.js';
import type { Protocol, RealServer, VirtualServer } from '../ipvs/types.js';
import type { SchedulerFlags } from '../ipvs/scheduler-flags.js';
import { localEndpoints, selectEndpoints, type NodeTopology } from './endpoint-selection.js';
import type { EndpointInfo, EndpointsByServicePort } from './endpoints.js';
import { compareIps, type IpAddress } from './ip.js';
import { externallyAccessible, servicePortKey, usesLocalEndpoints, type ServicePort } from './service-ports.js';
import type { DesiredVirtualServer, Problem, ServicePortRef, VirtualServerRole } from '../contracts/desired-state.js';

export interface IpvsContext {
  readonly family: IpFamily;
  readonly topology: NodeTopology;
  /** The node's scheduler and its flags, for the Services without their own. */
  readonly scheduler: string;
  readonly schedulerFlags: SchedulerFlags;
  /** Texts of the host's own addresses (not on kube-ipvs0): such addresses are never bound. */
  readonly localAddresses: ReadonlySet<string>;
  readonly nodePortIPs: readonly IpAddress[];
}

export interface IpvsFamilyState {
  readonly virtualServers: readonly DesiredVirtualServer[];
  readonly linkAddresses: readonly string[];
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
  readonly problems: readonly Problem[];
}

function virtualServer(address: IpAddress, port: number, sp: ServicePort, ctx: IpvsContext): VirtualServer {
  const persistent = sp.affinityTimeoutSeconds !== undefined;
  return {
    key: { family: addressFamilyOf(ctx.family), protocol: sp.protocol, address: address.text, port },
    scheduler: sp.scheduling?.scheduler ?? ctx.scheduler,
    flags: { persistent, hashed: false, onePacket: false, ...(sp.scheduling?.flags ?? ctx.schedulerFlags) },
    timeout: sp.affinityTimeoutSeconds ?? 0,
    // One client address per persistence entry: /32 (as a netmask) or /128 (as a prefix length).
    netmask: ctx.family === 'IPv4' ? 0xffffffff : 128,
  };
}

function realServer(ep: EndpointInfo, family: IpFamily): RealServer {
  return {
    family: addressFamilyOf(family),
    address: ep.address.text,
    port: ep.port,
    forwarding: 'masquerade',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
  };
}

interface Wanted {
  readonly address: IpAddress;
  readonly port: number;
  readonly role: VirtualServerRole;
  readonly bind: boolean;
  /** Which traffic policy applies: internal for the cluster IP, external for the rest. */
  readonly localPolicy: boolean;
}

/** Every virtual server one service port asks for. */
function wantedBy(sp: ServicePort, ctx: IpvsContext): Wanted[] {
  // An external or load balancer IP that is already the node's own is served but not bound.
  const external = (address: IpAddress, role: VirtualServerRole): Wanted => ({
    address,
    port: sp.port,
    role,
    bind: !ctx.localAddresses.has(address.text),
    localPolicy: sp.externalPolicyLocal,
  });
  return [
    { address: sp.clusterIP, port: sp.port, role: 'cluster-ip', bind: true, localPolicy: sp.internalPolicyLocal },
    ...sp.externalIPs.map((ip) => external(ip, 'external-ip')),
    ...sp.loadBalancerIPs.map((ip) => external(ip, 'load-balancer')),
    ...(sp.nodePort === 0
      ? []
      : ctx.nodePortIPs.map((ip) => ({
          address: ip,
          port: sp.nodePort,
          role: 'node-port' as const,
          bind: false,
          localPolicy: sp.externalPolicyLocal,
        }))),
  ];
}

/** A virtual server with the parts it sorts by: address, port, protocol. */
export interface Placed {
  readonly address: IpAddress;
  readonly protocol: Protocol;
  readonly port: number;
  readonly desired: DesiredVirtualServer;
}

export function comparePlaced(a: Placed, b: Placed): number {
  const byProtocol = a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
  return compareIps(a.address, b.address) || a.port - b.port || byProtocol;
}

/** What one service port asks of IPVS, before the ports claiming one virtual server are settled. */
export interface PortClaims {
  readonly ref: ServicePortRef;
  /** Its virtual servers, in the order they are claimed. */
  readonly wanted: readonly Placed[];
  /** The addresses it binds to kube-ipvs0 (even for a virtual server another port keeps). */
  readonly bound: readonly IpAddress[];
  /** Whether its Local policy finds no endpoint on this node, by policy. */
  readonly noLocal: { readonly internal: boolean; readonly external: boolean };
}

/** The virtual servers, bound addresses and no-local-endpoint counts of one service port. */
export function claimsOf(sp: ServicePort, endpoints: EndpointsByServicePort, ctx: IpvsContext): PortClaims {
  const spEndpoints = endpoints.get(servicePortKey(sp.ref)) ?? [];
  // As kube-proxy counts them: Services with endpoints somewhere whose Local policy finds
  // none on this node (their virtual servers then fall back to the Cluster endpoints,
  // kubernetes#97081), once per Service whatever its ports.
  const hasAny = spEndpoints.some((ep) => ep.ready || (ep.serving && ep.terminating));
  const noLocalHere = hasAny && usesLocalEndpoints(sp) && localEndpoints(spEndpoints, sp).length === 0;
  // The real servers depend only on which policy applies: select once per policy and
  // share the list between the port's virtual servers.
  const selections = new Map<boolean, readonly RealServer[]>();
  const realServersFor = (localPolicy: boolean): readonly RealServer[] => {
    const known = selections.get(localPolicy);
    if (known) return known;
    const selected = selectEndpoints(spEndpoints, sp, ctx.topology, localPolicy).map((ep) =>
      realServer(ep, ctx.family),
    );
    selections.set(localPolicy, selected);
    return selected;
  };
  const all = wantedBy(sp, ctx);
  return {
    ref: sp.ref,
    wanted: all.map((wanted) => ({
      address: wanted.address,
      protocol: sp.protocol,
      port: wanted.port,
      desired: {
        virtualServer: virtualServer(wanted.address, wanted.port, sp, ctx),
        realServers: realServersFor(wanted.localPolicy),
        service: sp.ref,
        role: wanted.role,
      },
    })),
    bound: all.filter((wanted) => wanted.bind).map((wanted) => wanted.address),
    noLocal: {
      internal: noLocalHere && sp.internalPolicyLocal,
      external: noLocalHere && sp.externalPolicyLocal && externallyAccessible(sp),
    },
  };
}

/** The problem of a port whose claim on `placed` loses to `owner`, a port before it in servicePortKey order. */
export function conflictProblem(ref: ServicePortRef, placed: Placed, owner: ServicePortRef): Problem {
  return {
    subject: 'Service',
    namespace: ref.namespace,
    name: ref.name,
    path: '',
    message: `port "${ref.port}" wants virtual server ${placed.address.text}:${placed.port}/${placed.protocol}, which ${owner.namespace}/${owner.name}:${owner.port} already has; ignored`,
  };
}

/** Ports' claims settled: the first port (in servicePortKey order) that claims a virtual server keeps it. */
export interface SettledClaims {
  /** By "address|protocol|port", in claim order. */
  readonly winners: ReadonlyMap<string, Placed>;
  /** By address text, in claim order. */
  readonly bound: ReadonlyMap<string, IpAddress>;
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
  readonly problems: readonly Problem[];
}

/** `claims` must come in servicePortKey order: when two ports want one virtual server, the first keeps it. */
export function settleClaims(claims: Iterable<PortClaims>): SettledClaims {
  const winners = new Map<string, Placed>();
  const bound = new Map<string, IpAddress>();
  const problems: Problem[] = [];
  const noLocal = { internal: new Set<string>(), external: new Set<string>() };
  for (const claim of claims) {
    const service = `${claim.ref.namespace}/${claim.ref.name}`;
    if (claim.noLocal.internal) noLocal.internal.add(service);
    if (claim.noLocal.external) noLocal.external.add(service);
    for (const address of claim.bound) bound.set(address.text, address);
    for (const placed of claim.wanted) {
      const key = `${placed.address.text}|${placed.protocol}|${placed.port}`;
      const owner = winners.get(key);
      if (!owner) {
        winners.set(key, placed);
        continue;
      }
      problems.push(conflictProblem(claim.ref, placed, owner.desired.service));
    }
  }
  return {
    winners,
    bound,
    noLocalEndpoints: { internal: noLocal.internal.size, external: noLocal.external.size },
    problems,
  };
}

/** `servicePorts` must be sorted by key: when two ports want one virtual server, the first keeps it. */
export function buildIpvsState(
  servicePorts: readonly ServicePort[],
  endpoints: EndpointsByServicePort,
  ctx: IpvsContext,
): IpvsFamilyState {
  const settled = settleClaims(servicePorts.map((sp) => claimsOf(sp, endpoints, ctx)));
  return {
    virtualServers: [...settled.winners.values()].sort(comparePlaced).map((p) => p.desired),
    linkAddresses: [...settled.bound.values()].sort(compareIps).map((ip) => ip.text),
    noLocalEndpoints: settled.noLocalEndpoints,
    problems: settled.problems,
  };
}
