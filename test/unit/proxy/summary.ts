// Compact, readable views of a DesiredState for the model's table tests: one
// line per virtual server, the non-empty ipsets, and iptables rules in the
// argument order kube-proxy writes them. Exact-shape tests pin the fields these
// views leave out.
import { formatIpSetEntry } from '../../../src/contracts/ipset-text.js';
import type { IpFamily } from '../../../src/net/ip-family.js';
import {
  computeDesiredState,
  type DesiredState,
  type FamilyState,
  type HostFacts,
  type IptablesRule,
  type ProxyModelConfig,
  type RuleMatch,
  type RuleTarget,
} from '../../../src/proxy/index.js';
import { hostFacts, modelConfig, type Json } from '../../fixtures/proxy/objects.js';

export interface Scenario {
  readonly services?: readonly Json[];
  readonly slices?: readonly Json[];
  readonly node?: Json;
  readonly config?: Partial<ProxyModelConfig>;
  readonly host?: Partial<HostFacts>;
}

export function run(scenario: Scenario): DesiredState {
  return computeDesiredState({
    services: scenario.services ?? [],
    endpointSlices: scenario.slices ?? [],
    ...(scenario.node ? { node: scenario.node } : {}),
    config: modelConfig(scenario.config),
    host: hostFacts(scenario.host),
  });
}

export function familyOf(state: DesiredState, family: IpFamily = 'IPv4'): FamilyState {
  const found = state.families.find((f) => f.family === family);
  if (!found) throw new Error(`no ${family} state`);
  return found;
}

/** "cluster-ip tcp 10.96.0.10:53 default/dns:dns -> 10.244.1.5:53 10.244.2.7:53", plus " persistent 600" when sticky. */
export function virtualServerLines(state: DesiredState, family: IpFamily = 'IPv4'): string[] {
  return familyOf(state, family).virtualServers.map((d) => {
    const key = d.virtualServer.key;
    const where =
      'address' in key
        ? `${key.protocol} ${key.family === 'inet6' ? `[${key.address}]` : key.address}:${key.port}`
        : `fwmark ${key.fwmark}`;
    const sticky = d.virtualServer.flags.persistent ? ` persistent ${d.virtualServer.timeout}` : '';
    const servers = d.realServers.map((r) =>
      r.family === 'inet6' ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`,
    );
    return `${d.role} ${where}${sticky} ${d.service.namespace}/${d.service.name}:${d.service.port} ->${servers.map((s) => ` ${s}`).join('')}`;
  });
}

/** Every set with members, by name. */
export function ipsetMembers(state: DesiredState, family: IpFamily = 'IPv4'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const set of familyOf(state, family).ipsets) {
    if (set.entries.length > 0) out[set.name] = set.entries.map(formatIpSetEntry);
  }
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function matchText(m: RuleMatch): string {
  const not = (negate: boolean): string => (negate ? '! ' : '');
  switch (m.match) {
    case 'source':
      return `${not(m.negate)}-s ${m.cidr}`;
    case 'in-interface':
      return `${not(m.negate)}-i ${m.name}`;
    case 'protocol':
      return `-p ${m.protocol}`;
    case 'comment':
      return `-m comment --comment "${m.comment}"`;
    case 'set':
      return `-m set --match-set ${m.set} ${m.directions.join(',')}`;
    case 'addrtype':
      return `-m addrtype ${not(m.negate)}--${m.direction}-type ${m.addressType}`;
    case 'physdev-is-in':
      return `-m physdev ${not(m.negate)}--physdev-is-in`;
    case 'mark':
      return `-m mark ${not(m.negate)}--mark ${hex(m.value)}/${hex(m.mask)}`;
    case 'conntrack':
      return `-m conntrack --ctstate ${m.states.join(',')}`;
    case 'ipvs':
      return `-m ipvs --vaddr ${m.vaddr} --vproto ${m.vproto} --vport ${m.vport}`;
  }
}

function targetText(t: RuleTarget): string {
  switch (t.target) {
    case 'jump':
      return `-j ${t.chain}`;
    case 'MASQUERADE':
      return t.randomFully ? '-j MASQUERADE --random-fully' : '-j MASQUERADE';
    case 'MARK':
      return `-j MARK --${t.op}-mark ${hex(t.value)}`;
    default:
      return `-j ${t.target}`;
  }
}

export function ruleLine(rule: IptablesRule): string {
  return [`-A ${rule.chain}`, ...rule.matches.map(matchText), targetText(rule.target)].join(' ');
}

/** The rules of one chain of a table, as lines. */
export function chainLines(
  state: DesiredState,
  table: 'nat' | 'filter',
  chain: string,
  family: IpFamily = 'IPv4',
): string[] {
  return familyOf(state, family)
    .iptables[table].rules.filter((r) => r.chain === chain)
    .map(ruleLine);
}
