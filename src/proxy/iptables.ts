// The iptables chains and rules of one family (iptables or ip6tables), as
// kube-proxy's IPVS proxier writes them with iptables-restore: IPVS does the
// load balancing, iptables only masquerades, filters and accepts, mostly by
// matching the ipsets. Rules keep kube-proxy's order, match order and comments
// so that `iptables-save` reads the same on a kipvs node.
import { SET, ipsetName, type SetName } from '../contracts/ipset-names.js';
import type { IpFamily } from '../net/ip-family.js';
import type { Protocol } from '../ipvs/types.js';
import { compareIps, type IpAddress } from './ip.js';
import { setComment } from './ipsets.js';
import { sourceRangesAdmitNode, type ServicePort } from './service-ports.js';
import type { BuiltinJump, IptablesRule, IptablesState, RuleMatch, RuleTarget } from '../contracts/desired-state.js';

export const CHAIN = {
  services: 'KUBE-SERVICES',
  postrouting: 'KUBE-POSTROUTING',
  nodePort: 'KUBE-NODE-PORT',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  markMasq: 'KUBE-MARK-MASQ',
  forward: 'KUBE-FORWARD',
  proxyFirewall: 'KUBE-PROXY-FIREWALL',
  sourceRangesFirewall: 'KUBE-SOURCE-RANGES-FIREWALL',
  ipvsFilter: 'KUBE-IPVS-FILTER',
  ipvsOutFilter: 'KUBE-IPVS-OUT-FILTER',
} as const;

const NAT_CHAINS = [CHAIN.services, CHAIN.postrouting, CHAIN.nodePort, CHAIN.loadBalancer, CHAIN.markMasq];
const FILTER_CHAINS = [
  CHAIN.forward,
  CHAIN.nodePort,
  CHAIN.proxyFirewall,
  CHAIN.sourceRangesFirewall,
  CHAIN.ipvsFilter,
  CHAIN.ipvsOutFilter,
];

/** Jumps from the built-in chains, in the order kube-proxy ensures them. */
const JUMPS: readonly BuiltinJump[] = [
  { table: 'nat', chain: 'OUTPUT', target: CHAIN.services, comment: 'kubernetes service portals' },
  { table: 'nat', chain: 'PREROUTING', target: CHAIN.services, comment: 'kubernetes service portals' },
  { table: 'nat', chain: 'POSTROUTING', target: CHAIN.postrouting, comment: 'kubernetes postrouting rules' },
  { table: 'filter', chain: 'FORWARD', target: CHAIN.forward, comment: 'kubernetes forwarding rules' },
  { table: 'filter', chain: 'INPUT', target: CHAIN.nodePort, comment: 'kubernetes health check rules' },
  { table: 'filter', chain: 'INPUT', target: CHAIN.proxyFirewall, comment: 'kube-proxy firewall rules' },
  { table: 'filter', chain: 'FORWARD', target: CHAIN.proxyFirewall, comment: 'kube-proxy firewall rules' },
  { table: 'filter', chain: 'INPUT', target: CHAIN.ipvsFilter, comment: 'kubernetes ipvs access filter' },
  { table: 'filter', chain: 'OUTPUT', target: CHAIN.ipvsOutFilter, comment: 'kubernetes ipvs access filter' },
];

type Direction = 'src' | 'dst';

/**
 * Rules that exist only while their set has members: "-A FROM [-p PROTO] -m comment
 * --comment DESCRIPTION -m set --match-set SET DIRECTIONS -j TO". The local NodePort
 * sets come before the general ones so that Local traffic RETURNs before it is marked.
 */
const SET_RULES: readonly {
  readonly set: SetName;
  readonly table: 'nat' | 'filter';
  readonly chain: string;
  readonly directions: readonly Direction[];
  readonly protocol?: Protocol;
  readonly target: RuleTarget;
}[] = [
  {
    set: SET.loopBack,
    table: 'nat',
    chain: CHAIN.postrouting,
    directions: ['dst', 'dst', 'src'],
    target: { target: 'MASQUERADE', randomFully: false },
  },
  {
    set: SET.loadBalancer,
    table: 'nat',
    chain: CHAIN.services,
    directions: ['dst', 'dst'],
    target: { target: 'jump', chain: CHAIN.loadBalancer },
  },
  {
    set: SET.loadBalancerLocal,
    table: 'nat',
    chain: CHAIN.loadBalancer,
    directions: ['dst', 'dst'],
    target: { target: 'RETURN' },
  },
  {
    set: SET.nodePortLocalTCP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst'],
    protocol: 'tcp',
    target: { target: 'RETURN' },
  },
  {
    set: SET.nodePortTCP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst'],
    protocol: 'tcp',
    target: { target: 'jump', chain: CHAIN.markMasq },
  },
  {
    set: SET.nodePortLocalUDP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst'],
    protocol: 'udp',
    target: { target: 'RETURN' },
  },
  {
    set: SET.nodePortUDP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst'],
    protocol: 'udp',
    target: { target: 'jump', chain: CHAIN.markMasq },
  },
  {
    set: SET.nodePortLocalSCTP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst', 'dst'],
    protocol: 'sctp',
    target: { target: 'RETURN' },
  },
  {
    set: SET.nodePortSCTP,
    table: 'nat',
    chain: CHAIN.nodePort,
    directions: ['dst', 'dst'],
    protocol: 'sctp',
    target: { target: 'jump', chain: CHAIN.markMasq },
  },
  {
    set: SET.loadBalancerFW,
    table: 'filter',
    chain: CHAIN.proxyFirewall,
    directions: ['dst', 'dst'],
    target: { target: 'jump', chain: CHAIN.sourceRangesFirewall },
  },
  {
    set: SET.loadBalancerSourceCIDR,
    table: 'filter',
    chain: CHAIN.sourceRangesFirewall,
    directions: ['dst', 'dst', 'src'],
    target: { target: 'RETURN' },
  },
  {
    set: SET.loadBalancerSourceIP,
    table: 'filter',
    chain: CHAIN.sourceRangesFirewall,
    directions: ['dst', 'dst', 'src'],
    target: { target: 'RETURN' },
  },
];

export interface IptablesContext {
  readonly family: IpFamily;
  readonly masqueradeAll: boolean;
  /** 1 << masqueradeBit. */
  readonly masqueradeMark: number;
  /** "Not from a local pod", when detect-local can tell in this family. */
  readonly notLocal?: RuleMatch;
  readonly randomFully: boolean;
  /** The node's primary IP of the family (loopback when it has none, as kube-proxy assumes). */
  readonly primaryNodeIP: IpAddress;
  /** Whether a set (by its IPv4 name) has members. */
  readonly hasMembers: (set: SetName) => boolean;
}

const ACCEPT: RuleTarget = { target: 'ACCEPT' };
const RETURN: RuleTarget = { target: 'RETURN' };
const jump = (chain: string): RuleTarget => ({ target: 'jump', chain });
const comment = (text: string): RuleMatch => ({ match: 'comment', comment: text });
const addrtype = (direction: Direction, negate: boolean): RuleMatch => ({
  match: 'addrtype',
  direction,
  addressType: 'LOCAL',
  negate,
});

/**
 * Load balancer IP ports the node itself must not reach: their source ranges leave the
 * node out, yet its packets to a local VIP would skip the firewall. Sorted.
 */
function blockedFromNode(
  servicePorts: readonly ServicePort[],
  nodeIP: IpAddress,
): { ip: IpAddress; protocol: Protocol; port: number }[] {
  const blocked = new Map<string, { ip: IpAddress; protocol: Protocol; port: number }>();
  for (const sp of servicePorts) {
    if (sp.loadBalancerSourceRanges.length === 0 || sourceRangesAdmitNode(sp, nodeIP)) continue;
    for (const ip of sp.loadBalancerIPs)
      blocked.set(`${ip.text}|${sp.protocol}|${sp.port}`, { ip, protocol: sp.protocol, port: sp.port });
  }
  return [...blocked.values()].sort(
    (a, b) =>
      compareIps(a.ip, b.ip) || a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0),
  );
}

export function buildIptables(servicePorts: readonly ServicePort[], ctx: IptablesContext): IptablesState {
  const nat: IptablesRule[] = [];
  const filter: IptablesRule[] = [];
  const set = (name: SetName, directions: readonly Direction[]): RuleMatch => ({
    match: 'set',
    set: ipsetName(name, ctx.family),
    directions,
  });
  const setMatches = (name: SetName, directions: readonly Direction[]): RuleMatch[] => [
    comment(setComment(name)),
    set(name, directions),
  ];
  const mark = { value: ctx.masqueradeMark, mask: ctx.masqueradeMark };

  // Connections from the node's loopback to a service are left alone.
  nat.push({
    chain: CHAIN.services,
    matches: [{ match: 'source', cidr: ctx.family === 'IPv4' ? '127.0.0.0/8' : '::1/128', negate: false }],
    target: RETURN,
  });

  for (const rule of SET_RULES) {
    if (!ctx.hasMembers(rule.set)) continue;
    const protocol: RuleMatch[] = rule.protocol ? [{ match: 'protocol', protocol: rule.protocol }] : [];
    (rule.table === 'nat' ? nat : filter).push({
      chain: rule.chain,
      matches: [...protocol, ...setMatches(rule.set, rule.directions)],
      target: rule.target,
    });
  }

  if (ctx.hasMembers(SET.clusterIP)) {
    const toClusterIP = setMatches(SET.clusterIP, ['dst', 'dst']);
    // Which cluster-IP traffic is masqueraded: all of it, what does not come from a pod, or
    // (no way to tell pods apart) what the node sends from a service address, which
    // kube-ipvs0 makes the preferred source for connections to service addresses.
    const matches = ctx.masqueradeAll
      ? toClusterIP
      : ctx.notLocal
        ? [...toClusterIP, ctx.notLocal]
        : setMatches(SET.clusterIP, ['src', 'dst']);
    nat.push({ chain: CHAIN.services, matches, target: jump(CHAIN.markMasq) });
  }

  // Traffic to an external IP is accepted when it comes from off the node (neither a bridge
  // port nor a local address) or is addressed to a local address (e.g. a cloud LB's VIP).
  const acceptExternal = (matches: readonly RuleMatch[]): void => {
    nat.push({
      chain: CHAIN.services,
      matches: [...matches, { match: 'physdev-is-in', negate: true }, addrtype('src', true)],
      target: ACCEPT,
    });
    nat.push({ chain: CHAIN.services, matches: [...matches, addrtype('dst', false)], target: ACCEPT });
  };
  if (ctx.hasMembers(SET.externalIP)) {
    const toExternalIP = setMatches(SET.externalIP, ['dst', 'dst']);
    nat.push({ chain: CHAIN.services, matches: toExternalIP, target: jump(CHAIN.markMasq) });
    acceptExternal(toExternalIP);
  }
  // externalTrafficPolicy Local keeps the client's address: accepted, never marked.
  if (ctx.hasMembers(SET.externalIPLocal)) acceptExternal(setMatches(SET.externalIPLocal, ['dst', 'dst']));

  nat.push({ chain: CHAIN.services, matches: [addrtype('dst', false)], target: jump(CHAIN.nodePort) });
  nat.push({ chain: CHAIN.loadBalancer, matches: [], target: jump(CHAIN.markMasq) });
  filter.push({ chain: CHAIN.sourceRangesFirewall, matches: [], target: { target: 'DROP' } });
  for (const { ip, protocol, port } of blockedFromNode(servicePorts, ctx.primaryNodeIP)) {
    filter.push({
      chain: CHAIN.ipvsOutFilter,
      matches: [
        { match: 'source', cidr: ip.text, negate: false },
        { match: 'ipvs', vaddr: ip.text, vproto: protocol, vport: port },
      ],
      target: { target: 'DROP' },
    });
  }

  // Accept what IPVS will handle, in case later rules of the table would drop it.
  for (const name of [SET.clusterIP, SET.loadBalancer] as const) {
    if (ctx.hasMembers(name)) nat.push({ chain: CHAIN.services, matches: [set(name, ['dst', 'dst'])], target: ACCEPT });
  }

  // Forward what was marked for masquerading even when FORWARD's policy drops, and its replies.
  filter.push({
    chain: CHAIN.forward,
    matches: [comment('kubernetes forwarding rules'), { match: 'mark', ...mark, negate: false }],
    target: ACCEPT,
  });
  filter.push({
    chain: CHAIN.forward,
    matches: [
      comment('kubernetes forwarding conntrack rule'),
      { match: 'conntrack', states: ['RELATED', 'ESTABLISHED'] },
    ],
    target: ACCEPT,
  });
  filter.push({ chain: CHAIN.nodePort, matches: setMatches(SET.healthCheckNodePort, ['dst']), target: ACCEPT });

  // New connections to a bound service address on a port no Service serves are refused
  // (kubernetes#72236: otherwise host ports would answer on every service IP).
  for (const [name, directions] of [
    [SET.loadBalancer, ['dst', 'dst']],
    [SET.clusterIP, ['dst', 'dst']],
    [SET.externalIP, ['dst', 'dst']],
    [SET.externalIPLocal, ['dst', 'dst']],
    [SET.healthCheckNodePort, ['dst']],
  ] as const) {
    filter.push({ chain: CHAIN.ipvsFilter, matches: [set(name, directions)], target: RETURN });
  }
  filter.push({
    chain: CHAIN.ipvsFilter,
    matches: [{ match: 'conntrack', states: ['NEW'] }, set(SET.ipvsIPs, ['dst'])],
    target: { target: 'REJECT' },
  });

  // Masquerade only marked packets, clearing the mark so a packet passing again is not
  // masqueraded twice.
  nat.push({ chain: CHAIN.postrouting, matches: [{ match: 'mark', ...mark, negate: true }], target: RETURN });
  nat.push({ chain: CHAIN.postrouting, matches: [], target: { target: 'MARK', op: 'xor', value: ctx.masqueradeMark } });
  nat.push({
    chain: CHAIN.postrouting,
    matches: [comment('kubernetes service traffic requiring SNAT')],
    target: { target: 'MASQUERADE', randomFully: ctx.randomFully },
  });
  nat.push({ chain: CHAIN.markMasq, matches: [], target: { target: 'MARK', op: 'or', value: ctx.masqueradeMark } });

  return {
    jumps: JUMPS,
    nat: { chains: NAT_CHAINS, rules: nat },
    filter: { chains: FILTER_CHAINS, rules: filter },
  };
}
