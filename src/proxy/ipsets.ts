// The ipsets of one family and their members, as kube-proxy's IPVS proxier
// fills them. The sets let a handful of iptables rules cover every Service:
// each rule matches a set instead of one rule per address.
import { ipsetName, SET, type SetName } from '../contracts/ipset-names.js';
import { formatIpSetEntry } from '../contracts/ipset-text.js';
import { type IpFamily, addressFamilyOf } from '../net/ip-family.js';
import type { Protocol } from '../ipvs/types.js';
import type { EndpointsByServicePort } from './endpoints.js';
import { compareIpTexts, type IpAddress } from './ip.js';
import { servicePortKey, sourceRangesAdmitNode, type ServicePort } from './service-ports.js';
import type { DesiredIpset, DesiredIpsetEntry, DesiredIpsetType } from '../contracts/desired-state.js';

export interface SetDefinition {
  readonly name: SetName;
  readonly type: DesiredIpsetType;
  readonly comment: string;
}

// kube-proxy's sets in its order, with its types and descriptions (operators grep for
// these in `ipset list` and in rule comments, so they are kept word for word).
export const SET_DEFINITIONS: readonly SetDefinition[] = [
  {
    name: SET.loopBack,
    type: 'hash:ip,port,ip',
    comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose',
  },
  { name: SET.clusterIP, type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  {
    name: SET.externalIP,
    type: 'hash:ip,port',
    comment: 'Kubernetes service external ip + port for masquerade and filter purpose',
  },
  {
    name: SET.externalIPLocal,
    type: 'hash:ip,port',
    comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local',
  },
  { name: SET.loadBalancer, type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  {
    name: SET.loadBalancerFW,
    type: 'hash:ip,port',
    comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange',
  },
  {
    name: SET.loadBalancerLocal,
    type: 'hash:ip,port',
    comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local',
  },
  {
    name: SET.loadBalancerSourceIP,
    type: 'hash:ip,port,ip',
    comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose',
  },
  {
    name: SET.loadBalancerSourceCIDR,
    type: 'hash:ip,port,net',
    comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose',
  },
  { name: SET.nodePortTCP, type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  {
    name: SET.nodePortLocalTCP,
    type: 'bitmap:port',
    comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local',
  },
  { name: SET.nodePortUDP, type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  {
    name: SET.nodePortLocalUDP,
    type: 'bitmap:port',
    comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local',
  },
  {
    name: SET.nodePortSCTP,
    type: 'hash:ip,port',
    comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
  },
  {
    name: SET.nodePortLocalSCTP,
    type: 'hash:ip,port',
    comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
  },
  { name: SET.healthCheckNodePort, type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: SET.ipvsIPs, type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

const COMMENTS = new Map(SET_DEFINITIONS.map((d) => [d.name, d.comment]));

export function setComment(name: SetName): string {
  return COMMENTS.get(name) ?? name;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The second address of an entry, or its network's address and prefix length ("" and -1 when it has neither). */
function secondOf(e: DesiredIpsetEntry): readonly [string, number] {
  if ('ip2' in e) return [e.ip2, -1];
  if (!('net' in e)) return ['', -1];
  const slash = e.net.indexOf('/');
  return slash < 0 ? [e.net, -1] : [e.net.slice(0, slash), Number(e.net.slice(slash + 1))];
}

/** Port-only entries, then address-only ones, then address,port entries: one set never mixes them. */
const entryShape = (e: DesiredIpsetEntry): number => (!('ip' in e) ? 0 : 'protocol' in e ? 2 : 1);

/** Orders entries as a set lists them (ipSetOf); entries of different ipset texts never compare equal. */
export function compareEntries(a: DesiredIpsetEntry, b: DesiredIpsetEntry): number {
  const shape = entryShape(a) - entryShape(b);
  if (shape !== 0) return shape;
  if (!('ip' in a)) return 'ip' in b ? -1 : a.port - b.port;
  if (!('ip' in b)) return 1;
  const byAddress = compareIpTexts(a.ip, b.ip);
  if (byAddress !== 0 || !('protocol' in a) || !('protocol' in b)) return byAddress;
  const [secondA, prefixA] = secondOf(a);
  const [secondB, prefixB] = secondOf(b);
  return a.port - b.port || byText(a.protocol, b.protocol) || compareIpTexts(secondA, secondB) || prefixA - prefixB;
}

/** Entries in numeric order (compareEntries allocates nothing for IPv4 entries; sets hold tens of thousands). */
function sortEntries(entries: Iterable<DesiredIpsetEntry>): DesiredIpsetEntry[] {
  return [...entries].sort(compareEntries);
}

/** What the members of service ports depend on besides the ports and their endpoints. */
export interface MemberContext {
  readonly family: IpFamily;
  readonly nodePortIPs: readonly IpAddress[];
  /** The node's primary IP of the family (loopback when it has none, as kube-proxy assumes). */
  readonly primaryNodeIP: IpAddress;
}

export interface IpSetContext extends MemberContext {
  /** The addresses bound to kube-ipvs0 (they make up KUBE-IPVS-IPS). */
  readonly linkAddresses: readonly string[];
}

const NODE_PORT_SETS: Record<Protocol, { readonly all: SetName; readonly local: SetName }> = {
  tcp: { all: SET.nodePortTCP, local: SET.nodePortLocalTCP },
  udp: { all: SET.nodePortUDP, local: SET.nodePortLocalUDP },
  sctp: { all: SET.nodePortSCTP, local: SET.nodePortLocalSCTP },
};

/** The members one service port adds, set by set. */
function membersOf(
  sp: ServicePort,
  endpoints: EndpointsByServicePort,
  ctx: MemberContext,
  add: (set: SetName, entry: DesiredIpsetEntry) => void,
): void {
  const { protocol, port } = sp;
  // Hairpin: a local endpoint reaching its own Service is masqueraded, whatever its readiness.
  for (const ep of endpoints.get(servicePortKey(sp.ref)) ?? []) {
    if (ep.isLocal) add(SET.loopBack, { ip: ep.address.text, protocol, port: ep.port, ip2: ep.address.text });
  }
  add(SET.clusterIP, { ip: sp.clusterIP.text, protocol, port });
  for (const ip of sp.externalIPs) {
    add(sp.externalPolicyLocal ? SET.externalIPLocal : SET.externalIP, { ip: ip.text, protocol, port });
  }
  for (const ip of sp.loadBalancerIPs) {
    add(SET.loadBalancer, { ip: ip.text, protocol, port });
    if (sp.externalPolicyLocal) add(SET.loadBalancerLocal, { ip: ip.text, protocol, port });
    if (sp.loadBalancerSourceRanges.length === 0) continue;
    add(SET.loadBalancerFW, { ip: ip.text, protocol, port });
    for (const cidr of sp.loadBalancerSourceRanges)
      add(SET.loadBalancerSourceCIDR, { ip: ip.text, protocol, port, net: cidr.text });
    // The node reaches its own load balancer IPs with that IP as source (the address is local).
    if (sourceRangesAdmitNode(sp, ctx.primaryNodeIP))
      add(SET.loadBalancerSourceIP, { ip: ip.text, protocol, port, ip2: ip.text });
  }
  if (sp.nodePort !== 0) {
    // As kube-proxy: with no address to serve NodePorts on, the rest of the port is skipped,
    // its health check node port included.
    if (ctx.nodePortIPs.length === 0) return;
    const sets = NODE_PORT_SETS[protocol];
    // bitmap:port sets hold the port alone; the SCTP sets are hash:ip,port, one member per node address.
    const members: DesiredIpsetEntry[] =
      protocol === 'sctp'
        ? ctx.nodePortIPs.map((ip) => ({ ip: ip.text, protocol, port: sp.nodePort }))
        : [{ port: sp.nodePort }];
    for (const member of members) {
      add(sets.all, member);
      if (sp.externalPolicyLocal) add(sets.local, member);
    }
  }
  if (sp.healthCheckNodePort !== 0) add(SET.healthCheckNodePort, { port: sp.healthCheckNodePort });
}

/** Members by set (by its IPv4 name), each by ipset's text for it. */
export type SetMembers = ReadonlyMap<SetName, ReadonlyMap<string, DesiredIpsetEntry>>;

/** The members `servicePorts` add to the sets (KUBE-IPVS-IPS holds the link's addresses: none here). */
export function membersOfPorts(
  servicePorts: readonly ServicePort[],
  endpoints: EndpointsByServicePort,
  ctx: MemberContext,
): SetMembers {
  const members = new Map<SetName, Map<string, DesiredIpsetEntry>>();
  const add = (set: SetName, entry: DesiredIpsetEntry): void => {
    const entries = members.get(set) ?? new Map<string, DesiredIpsetEntry>();
    members.set(set, entries.set(formatIpSetEntry(entry), entry));
  };
  for (const sp of servicePorts) membersOf(sp, endpoints, ctx, add);
  return members;
}

/** KUBE-IPVS-IPS's members: the addresses bound to kube-ipvs0. */
export function linkAddressMembers(linkAddresses: readonly string[]): DesiredIpsetEntry[] {
  return linkAddresses.map((ip) => ({ ip }));
}

/** One of kube-proxy's sets in `family`, holding `entries` (repeats by ipset's text are one member). */
export function ipSetOf(d: SetDefinition, family: IpFamily, entries: Iterable<DesiredIpsetEntry>): DesiredIpset {
  const unique = new Map<string, DesiredIpsetEntry>();
  for (const entry of entries) unique.set(formatIpSetEntry(entry), entry);
  return {
    name: ipsetName(d.name, family),
    type: d.type,
    family: addressFamilyOf(family),
    comment: d.comment,
    // kube-proxy's create parameters: hashsize 1024 maxelem 65536, or range 0-65535.
    options:
      d.type === 'bitmap:port'
        ? { kind: 'bitmap', portFrom: 0, portTo: 65535 }
        : { kind: 'hash', hashSize: 1024, maxElem: 65536 },
    entries: sortEntries(unique.values()),
  };
}

export function buildIpSets(
  servicePorts: readonly ServicePort[],
  endpoints: EndpointsByServicePort,
  ctx: IpSetContext,
): DesiredIpset[] {
  const members = membersOfPorts(servicePorts, endpoints, ctx);
  return SET_DEFINITIONS.map((d) =>
    ipSetOf(
      d,
      ctx.family,
      d.name === SET.ipvsIPs ? linkAddressMembers(ctx.linkAddresses) : (members.get(d.name)?.values() ?? []),
    ),
  );
}
