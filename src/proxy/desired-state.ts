// The model: cluster objects, this node, the host facts and the configuration
// in; the desired kernel state out. Pure: no I/O, no clock, no randomness, and
// the same input always gives the same (sorted) output. One pass per IP
// family, as kube-proxy runs one proxier per family.
import { ipsetName, type SetName } from '../contracts/ipset-names.js';
import { IP_FAMILIES, type IpFamily } from '../net/ip-family.js';
import type { HostFacts, ProxyModelConfig } from './config.js';
import type { SchedulerFlags } from '../ipvs/scheduler-flags.js';
import { validateEndpointSlice, type ValidEndpointSlice } from './endpoint-slice-input.js';
import { collectEndpoints } from './endpoints.js';
import type { Validated } from './input.js';
import { loopbackAddress, parseCidr, parseIp, type Cidr, type IpAddress } from './ip.js';
import { buildIpSets, type MemberContext } from './ipsets.js';
import { buildIptables, type IptablesContext } from './iptables.js';
import { buildIpvsState, type IpvsContext } from './ipvs-state.js';
import { notLocalMatch } from './local-detector.js';
import { validateNode, type ValidNode } from './node-input.js';
import { expandNodePortAddresses, nodePortIPs } from './node-port-addresses.js';
import { validateService, type ValidService } from './service-input.js';
import { schedulingDefaults } from './service-scheduling.js';
import { servicePortKey, servicePortsFor, type ServicePort } from './service-ports.js';
import { desiredSysctls } from './sysctls.js';
import type {
  DesiredState,
  FamilyState,
  DesiredIpset,
  IptablesState,
  Problem,
  ProblemSubject,
} from '../contracts/desired-state.js';

/** The name of kube-proxy's dummy link, which holds the service addresses. */
export const LINK_NAME = 'kube-ipvs0';

/** The cluster objects the model reads, raw, as the API server sent them: it validates them. */
export interface ClusterObjects {
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  /** This node's Node object, when known (zone label, pod CIDRs). */
  readonly node?: unknown;
}

export interface ModelInput extends ClusterObjects {
  readonly host: HostFacts;
  readonly config: ProxyModelConfig;
}

/** Cluster objects after validation, for callers that validate as objects arrive. */
export interface ValidObjects {
  readonly services: readonly ValidService[];
  readonly endpointSlices: readonly ValidEndpointSlice[];
  readonly node?: ValidNode;
}

export function validateObjects(input: Pick<ModelInput, 'services' | 'endpointSlices' | 'node' | 'config'>): {
  readonly objects: ValidObjects;
  readonly problems: readonly Problem[];
} {
  const problems: Problem[] = [];
  const keep = <T>(result: Validated<T>): T[] => {
    problems.push(...result.problems);
    return result.value === undefined ? [] : [result.value];
  };
  const defaults = schedulingDefaults(input.config);
  const services = input.services.flatMap((raw) => keep(validateService(raw, defaults)));
  const endpointSlices = input.endpointSlices.flatMap((raw) => keep(validateEndpointSlice(raw)));
  const [node] = input.node === undefined ? [] : keep(validateNode(input.node, input.config.nodeName));
  return { objects: { services, endpointSlices, ...(node ? { node } : {}) }, problems };
}

export function computeDesiredState(input: ModelInput): DesiredState {
  const { objects, problems } = validateObjects(input);
  const state = buildDesiredState(objects, input.host, input.config);
  return { ...state, problems: [...problems, ...state.problems] };
}

/** Parses a list of addresses or CIDRs of the config or host facts, reporting the bad ones. */
function parseAll<T>(
  values: readonly string[],
  parse: (text: string) => T | undefined,
  subject: ProblemSubject,
  field: string,
  what: string,
  problems: Problem[],
): T[] {
  return values.flatMap((text, i) => {
    const parsed = parse(text);
    if (parsed === undefined)
      problems.push({
        subject,
        namespace: '',
        name: '',
        path: `${field}[${i}]`,
        message: `"${text}" is not ${what}; ignored`,
      });
    return parsed === undefined ? [] : [parsed];
  });
}

/** Everything the passes of all families share, parsed once. */
interface Shared {
  readonly config: ProxyModelConfig;
  readonly host: HostFacts;
  readonly node: ValidNode | undefined;
  readonly scheduler: string;
  readonly schedulerFlags: SchedulerFlags;
  readonly primaryNodeIPs: readonly IpAddress[];
  readonly localAddresses: readonly IpAddress[];
  readonly nodePortCidrs: readonly Cidr[];
  readonly clusterCIDRs: readonly Cidr[];
  readonly excludeCIDRs: readonly Cidr[];
}

/** What one family's pass needs besides the Services and EndpointSlices. */
export interface FamilyFacts {
  readonly family: IpFamily;
  readonly nodeName: string;
  readonly ipvs: IpvsContext;
  readonly members: MemberContext;
  readonly iptables: Omit<IptablesContext, 'hasMembers'>;
  readonly nodePortAddresses: readonly string[];
  readonly excludeCIDRs: readonly string[];
}

/** One family's state and the problems found building it. */
export interface FamilyPass {
  readonly state: FamilyState;
  readonly problems: readonly Problem[];
}

export function compareServicePorts(a: ServicePort, b: ServicePort): number {
  const ka = servicePortKey(a.ref);
  const kb = servicePortKey(b.ref);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function familyFacts(family: IpFamily, shared: Shared): FamilyFacts {
  const { config, node } = shared;
  const localAddresses = shared.localAddresses.filter((ip) => ip.family === family);
  const selectedNodePortIPs = nodePortIPs(shared.nodePortCidrs, family, localAddresses);
  // Without a node IP of the family, kube-proxy takes the loopback address for it.
  const primaryNodeIP = shared.primaryNodeIPs.find((ip) => ip.family === family) ?? loopbackAddress(family);
  const notLocal = notLocalMatch(
    {
      mode: config.detectLocalMode,
      clusterCIDRs: shared.clusterCIDRs,
      podCIDRs: node?.podCIDRs ?? [],
      bridgeInterface: config.detectLocal.bridgeInterface,
      interfaceNamePrefix: config.detectLocal.interfaceNamePrefix,
    },
    family,
  );
  return {
    family,
    nodeName: config.nodeName,
    ipvs: {
      family,
      topology: { nodeName: config.nodeName, zone: node?.zone ?? '' },
      scheduler: shared.scheduler,
      schedulerFlags: shared.schedulerFlags,
      localAddresses: new Set(localAddresses.map((ip) => ip.text)),
      nodePortIPs: selectedNodePortIPs,
    },
    members: { family, nodePortIPs: selectedNodePortIPs, primaryNodeIP },
    iptables: {
      family,
      masqueradeAll: config.masqueradeAll,
      masqueradeMark: 2 ** config.masqueradeBit,
      ...(notLocal ? { notLocal } : {}),
      randomFully: shared.host.iptablesRandomFully,
      primaryNodeIP,
    },
    nodePortAddresses: selectedNodePortIPs.map((ip) => ip.text),
    excludeCIDRs: shared.excludeCIDRs.filter((c) => c.family === family).map((c) => c.text),
  };
}

/** The rules of a family whose sets are `ipsets`: a rule matching a set exists only while the set has members. */
export function familyIptables(
  servicePorts: readonly ServicePort[],
  facts: FamilyFacts,
  ipsets: readonly DesiredIpset[],
): IptablesState {
  const withMembers = new Set(ipsets.filter((s) => s.entries.length > 0).map((s) => s.name));
  return buildIptables(servicePorts, {
    ...facts.iptables,
    hasMembers: (name: SetName) => withMembers.has(ipsetName(name, facts.family)),
  });
}

function familyState(objects: ValidObjects, facts: FamilyFacts): FamilyPass {
  const { family } = facts;
  // Sorted, so that of two ports wanting one virtual server the same one always wins.
  const servicePorts = objects.services.flatMap((s) => servicePortsFor(s, family)).sort(compareServicePorts);
  const endpoints = collectEndpoints(objects.endpointSlices, family, facts.nodeName);
  const ipvs = buildIpvsState(servicePorts, endpoints, facts.ipvs);
  const ipsets = buildIpSets(servicePorts, endpoints, { ...facts.members, linkAddresses: ipvs.linkAddresses });
  return {
    state: {
      family,
      virtualServers: ipvs.virtualServers,
      linkAddresses: ipvs.linkAddresses,
      nodePortAddresses: facts.nodePortAddresses,
      ipsets,
      iptables: familyIptables(servicePorts, facts, ipsets),
      excludeCIDRs: facts.excludeCIDRs,
      noLocalEndpoints: ipvs.noLocalEndpoints,
    },
    problems: ipvs.problems,
  };
}

/** The desired state whose families `pass` builds from their facts (the host's and the configuration's parts done here). */
export function desiredStateWith(
  node: ValidNode | undefined,
  host: HostFacts,
  config: ProxyModelConfig,
  pass: (facts: FamilyFacts) => FamilyPass,
): DesiredState {
  const problems: Problem[] = [];
  const primaryNodeIPs = parseAll(host.nodeIPs, parseIp, 'host', 'nodeIPs', 'an IP address', problems);
  const scheduling = schedulingDefaults(config);
  const shared: Shared = {
    config,
    host,
    node,
    scheduler: scheduling.scheduler,
    schedulerFlags: scheduling.flags,
    primaryNodeIPs,
    localAddresses: parseAll(host.localAddresses, parseIp, 'host', 'localAddresses', 'an IP address', problems),
    nodePortCidrs: parseAll(
      expandNodePortAddresses(config.nodePortAddresses, primaryNodeIPs),
      parseCidr,
      'config',
      'nodePortAddresses',
      'a CIDR',
      problems,
    ),
    clusterCIDRs: parseAll(config.clusterCIDRs, parseCidr, 'config', 'clusterCIDRs', 'a CIDR', problems),
    excludeCIDRs: parseAll(config.excludeCIDRs, parseCidr, 'config', 'excludeCIDRs', 'a CIDR', problems),
  };
  const families = IP_FAMILIES.filter((f) => config.ipFamilies.includes(f)).map((family) =>
    pass(familyFacts(family, shared)),
  );
  const { tcp, tcpFin, udp } = config.ipvsTimeouts;
  return {
    linkName: LINK_NAME,
    families: families.map((f) => f.state),
    sysctls: desiredSysctls(config.strictARP, host.kernelRelease),
    ...(tcp > 0 || tcpFin > 0 || udp > 0 ? { ipvsTimeouts: config.ipvsTimeouts } : {}),
    problems: [...problems, ...families.flatMap((f) => f.problems)],
  };
}

export function buildDesiredState(objects: ValidObjects, host: HostFacts, config: ProxyModelConfig): DesiredState {
  return desiredStateWith(objects.node, host, config, (facts) => familyState(objects, facts));
}
