// What `kipvs plan` prints: the desired state of one node in the formats
// operators already read, one section per tool, each introduced by "#" lines
// (a comment to those tools), sections separated by a blank line. Cut out, a
// section is input for its tool: `kipvs restore` (`ipvsadm -R` too, once the
// "#" lines are removed: it reads them as options), `ip -batch`, `ipset
// restore`, `iptables-restore`, `sysctl -p`; test/kernel/plan-*.test.ts feed
// them to those tools and read back the same.
import { stringify } from 'yaml';
import type { LiveService } from '../ipvs/types.js';
import { formatOperation } from '../ipvsadm/operation-format.js';
import { formatSave } from '../ipvsadm/save-format.js';
import { formatIpSetSave } from '../contracts/ipset-text.js';
import { formatIptablesSave } from '../contracts/iptables-text.js';
import type { DesiredState, DesiredVirtualServer, FamilyState } from '../proxy/index.js';

export interface Plan {
  readonly nodeName: string;
  /** The node IPs the plan was computed with, primary of each family first. */
  readonly nodeIPs: readonly string[];
  readonly state: DesiredState;
}

/** The save format prints no counters; a planned service has none yet. */
function asLiveService(desired: DesiredVirtualServer): LiveService {
  return {
    service: desired.virtualServer,
    realServers: desired.realServers.map((rs) => ({
      ...rs,
      activeConnections: 0,
      inactiveConnections: 0,
      persistentConnections: 0,
    })),
  };
}

function section(title: readonly string[], body: string): string {
  return `${title.map((line) => `# ${line}`).join('\n')}\n${body}`;
}

function ipvsSection(state: DesiredState): string {
  const notes: string[] = [];
  // Global timeouts are not part of the table, so not of -Sn; they are set with ipvsadm --set.
  if (state.ipvsTimeouts)
    notes.push(`timeouts: ipvsadm ${formatOperation({ op: 'set-timeouts', timeouts: state.ipvsTimeouts })}`);
  const excluded = state.families.flatMap((f) => f.excludeCIDRs);
  if (excluded.length > 0) notes.push(`virtual servers in ${excluded.join(', ')} are left alone (ipvs.excludeCIDRs)`);
  const services = state.families.flatMap((f) => f.virtualServers.map(asLiveService));
  return section(['IPVS (ipvsadm -Sn)', ...notes], formatSave(services));
}

function addressesSection(state: DesiredState): string {
  const lines = state.families.flatMap((f) =>
    f.linkAddresses.map((ip) => `addr add ${ip}/${f.family === 'IPv4' ? 32 : 128} dev ${state.linkName}\n`),
  );
  return section([`${state.linkName} addresses (ip -batch; ${state.linkName} is a dummy link)`], lines.join(''));
}

function ipsetsSection(state: DesiredState): string {
  return section(['ipsets (ipset save)'], formatIpSetSave(state.families.flatMap((f) => f.ipsets)));
}

function iptablesSection(family: FamilyState): string {
  const tool = family.family === 'IPv4' ? 'iptables' : 'ip6tables';
  return section([`${tool} (${tool}-save)`], formatIptablesSave(family.iptables, family.family));
}

function sysctlsSection(state: DesiredState): string {
  // sysctl(8) names use dots where /proc/sys uses slashes.
  return section(
    ['sysctls (sysctl -p)'],
    state.sysctls.map((s) => `${s.name.replaceAll('/', '.')} = ${s.value}\n`).join(''),
  );
}

export function formatPlanText(plan: Plan): string {
  const { state } = plan;
  const families = state.families.map((f) => f.family).join(' and ');
  const header = section(
    [
      `kipvs plan for node ${plan.nodeName}: ${families}, node IPs ${plan.nodeIPs.length > 0 ? plan.nodeIPs.join(', ') : 'none'}`,
    ],
    '',
  );
  return [
    header,
    ipvsSection(state),
    addressesSection(state),
    ipsetsSection(state),
    ...state.families.map(iptablesSection),
    sysctlsSection(state),
  ].join('\n');
}

/** The node, then the desired state as the model gives it. */
function planDocument(plan: Plan): Record<string, unknown> {
  return { nodeName: plan.nodeName, nodeIPs: plan.nodeIPs, ...plan.state };
}

/** Everything as one JSON document. */
export function formatPlanJson(plan: Plan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}

/** The same document as YAML (what the JSON has, field for field). */
export function formatPlanYaml(plan: Plan): string {
  return stringify(planDocument(plan), { lineWidth: 0 });
}
