// kube-proxy's chains and rules as `iptables-save` / `ip6tables-save` (iptables 1.8)
// print them on a node where only kube-proxy has rules: the exact spelling a live
// save shows, so that the two can be compared line by line, and a text that
// `iptables-restore` accepts and saves back unchanged (the kernel tests check both).
//
// What iptables-save does to the rules kube-proxy writes:
//  - the IP header matches (-s, -i, -p) come first, before every -m match, whatever
//    the order they were written in;
//  - an address always has its prefix length ("-s 10.0.0.1/32");
//  - a comment is quoted only when it has a character other than [A-Za-z0-9_-];
//  - MARK --or-mark V and --xor-mark V come back as --set-xmark V/V and V/0x0;
//  - REJECT names its default reply, -m ipvs numbers its protocol;
//  - user chains are declared and listed in name order, after the built-in chains.
import type { IpFamily } from '../net/ip-family.js';
import type { Protocol } from '../ipvs/types.js';
import type {
  BuiltinJump,
  ConntrackState,
  IptablesRule,
  IptablesState,
  IptablesTable,
  RuleMatch,
  RuleTarget,
} from './desired-state.js';

type TableName = 'nat' | 'filter';

/** The built-in chains of each table, in the order iptables-save lists them (hook order). */
const BUILTIN_CHAINS: Record<TableName, readonly BuiltinJump['chain'][]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** kube-proxy writes the nat table first (pkg/proxy/ipvs syncProxyRules). */
const TABLES: readonly TableName[] = ['nat', 'filter'];

const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };

/** libxt_conntrack prints states in this order, whatever order they were given in. */
const CONNTRACK_STATE_ORDER: readonly ConntrackState[] = ['NEW', 'RELATED', 'ESTABLISHED'];

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const not = (negate: boolean): string => (negate ? '! ' : '');

/** xtables_save_string: bare when made only of [A-Za-z0-9_-], else double-quoted with ", \ and ' escaped. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** An address or network with its prefix length, as iptables-save prints -s. */
function withPrefix(cidr: string, family: IpFamily): string {
  return cidr.includes('/') ? cidr : `${cidr}/${family === 'IPv4' ? 32 : 128}`;
}

type HeaderMatch = Extract<RuleMatch, { match: 'source' | 'in-interface' | 'protocol' }>;

function isHeaderMatch(m: RuleMatch): m is HeaderMatch {
  return m.match === 'source' || m.match === 'in-interface' || m.match === 'protocol';
}

/** The IP header part, in the order iptables-save prints it: -s, then -i, then -p. */
const HEADER_ORDER: readonly HeaderMatch['match'][] = ['source', 'in-interface', 'protocol'];

function headerText(m: HeaderMatch, family: IpFamily): string {
  switch (m.match) {
    case 'source':
      return `${not(m.negate)}-s ${withPrefix(m.cidr, family)}`;
    case 'in-interface':
      return `${not(m.negate)}-i ${m.name}`;
    case 'protocol':
      return `-p ${m.protocol}`;
  }
}

function matchText(m: Exclude<RuleMatch, HeaderMatch>): string {
  switch (m.match) {
    case 'comment':
      return `-m comment --comment ${saveString(m.comment)}`;
    case 'set':
      return `-m set --match-set ${m.set} ${m.directions.join(',')}`;
    case 'addrtype':
      return `-m addrtype ${not(m.negate)}--${m.direction}-type ${m.addressType}`;
    case 'physdev-is-in':
      return `-m physdev ${not(m.negate)}--physdev-is-in`;
    case 'mark':
      // libxt_mark leaves out a mask of all ones.
      return `-m mark ${not(m.negate)}--mark ${hex(m.value)}${m.mask >>> 0 === 0xffffffff ? '' : `/${hex(m.mask)}`}`;
    case 'conntrack':
      return `-m conntrack --ctstate ${CONNTRACK_STATE_ORDER.filter((s) => m.states.includes(s)).join(',')}`;
    case 'ipvs':
      // libxt_ipvs: the protocol as a number, the address without a full-length mask.
      return `-m ipvs --vproto ${PROTOCOL_NUMBER[m.vproto]} --vaddr ${m.vaddr} --vport ${m.vport}`;
  }
}

function targetText(t: RuleTarget, family: IpFamily): string {
  switch (t.target) {
    case 'jump':
      return `-j ${t.chain}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${family === 'IPv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`;
    case 'MASQUERADE':
      return t.randomFully ? '-j MASQUERADE --random-fully' : '-j MASQUERADE';
    case 'MARK':
      // libxt_MARK saves every form as --set-xmark: OR sets the bits (mask = value), XOR flips them (mask 0).
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.op === 'or' ? t.value : 0)}`;
    default:
      return `-j ${t.target}`;
  }
}

/** One rule as iptables-save prints it: "-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment ...". */
export function formatIptablesRule(rule: IptablesRule, family: IpFamily): string {
  const header = HEADER_ORDER.flatMap((kind) =>
    rule.matches.filter((m): m is HeaderMatch => isHeaderMatch(m) && m.match === kind),
  ).map((m) => headerText(m, family));
  const others = rule.matches.filter((m): m is Exclude<RuleMatch, HeaderMatch> => !isHeaderMatch(m)).map(matchText);
  return [`-A ${rule.chain}`, ...header, ...others, targetText(rule.target, family)].join(' ');
}

/**
 * The jumps from the built-in chains as rules. kube-proxy inserts each one first in its
 * chain when it is missing, so on a node that starts without them a chain holds them in
 * the reverse of the order they are ensured in.
 */
function jumpRules(jumps: readonly BuiltinJump[], table: TableName): IptablesRule[] {
  return jumps
    .filter((j) => j.table === table)
    .reverse()
    .map(
      (j): IptablesRule => ({
        chain: j.chain,
        matches: [{ match: 'comment', comment: j.comment }],
        target: { target: 'jump', chain: j.target },
      }),
    );
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatTable(name: TableName, table: IptablesTable, jumps: readonly BuiltinJump[], family: IpFamily): string[] {
  const builtins = BUILTIN_CHAINS[name];
  const userChains = [...table.chains].sort(byName);
  const rulesByChain = new Map<string, string[]>();
  for (const rule of [...jumpRules(jumps, name), ...table.rules]) {
    const chainRules = rulesByChain.get(rule.chain) ?? [];
    chainRules.push(formatIptablesRule(rule, family));
    rulesByChain.set(rule.chain, chainRules);
  }
  // A chain's rules keep their order; chains come in the order they are declared.
  const chains = [...builtins, ...userChains];
  return [
    `*${name}`,
    ...builtins.map((chain) => `:${chain} ACCEPT [0:0]`),
    ...userChains.map((chain) => `:${chain} - [0:0]`),
    ...chains.flatMap((chain) => rulesByChain.get(chain) ?? []),
    'COMMIT',
  ];
}

/** Both tables of one family (iptables for IPv4, ip6tables for IPv6), without the "# Generated by" lines. */
export function formatIptablesSave(iptables: IptablesState, family: IpFamily): string {
  return `${TABLES.flatMap((name) => formatTable(name, iptables[name], iptables.jumps, family)).join('\n')}\n`;
}
