// What `kipvs diff` prints: the plan the first sync of `kipvs proxy` would apply, one section
// per tool as `kipvs plan` prints the desired state (IPVS, kube-ipvs0 addresses, ipsets,
// iptables, and the conntrack flows a sync would delete), each line the command that makes
// the change in that tool's own input format: ipvsadm command lines (`kipvs restore` reads
// them), `ip -batch` lines, `ipset restore` lines, `iptables-restore --noflush` input,
// conntrack(8) arguments. Within a section, the changes keep the plan's order (additions
// before removals); a section without changes is left out, so nothing to change prints
// nothing, as diff(1) does.
import { describeEntry, type IpsetOperation, type IpsetSpec } from '../ipset/index.js';
import { formatOperation } from '../ipvsadm/operation-format.js';
import type { AddressChange, ConntrackDeletion, IptablesRewrite, Plan, PlannedChange } from '../contracts/plan.js';
import { formatPlanSummary, summarizePlan } from '../reconcile/plan-summary.js';
import type { IpvsOperation } from '../ipvs/types.js';

export interface KernelDiff {
  readonly nodeName: string;
  /** kube-ipvs0. */
  readonly linkName: string;
  readonly plan: Plan;
}

function section(title: string, lines: readonly string[]): string | undefined {
  return lines.length === 0 ? undefined : `# ${title}\n${lines.map((line) => `${line}\n`).join('')}`;
}

function changesOf<K extends Plan['phases'][number]['kind']>(
  plan: Plan,
  kind: K,
): Extract<Plan['phases'][number], { kind: K }>[] {
  return plan.phases.filter((phase): phase is Extract<Plan['phases'][number], { kind: K }> => phase.kind === kind);
}

function ipvsLines(plan: Plan): string[] {
  const timeouts = plan.ipvsTimeouts ? [formatOperation({ op: 'set-timeouts', timeouts: plan.ipvsTimeouts })] : [];
  const changes = changesOf(plan, 'ipvs').flatMap((phase): readonly PlannedChange<IpvsOperation>[] => phase.changes);
  return [...timeouts, ...changes.map((change) => formatOperation(change.op))];
}

function addressLine(change: AddressChange, linkName: string): string {
  return `addr ${change.op === 'add-address' ? 'add' : 'del'} ${change.address}/${change.prefixLength} dev ${linkName}`;
}

function addressLines(plan: Plan, linkName: string): string[] {
  const link = plan.createLink ? [`link add ${linkName} type dummy`] : [];
  const changes = changesOf(plan, 'address').flatMap((phase) => phase.changes);
  return [...link, ...changes.map((change) => addressLine(change.op, linkName))];
}

/** `ipset create` as kube-proxy runs it (family, hashsize and maxelem, or the port range). */
function createLine(set: IpsetSpec): string {
  const parameters =
    set.type === 'bitmap:port'
      ? `range ${set.options.portFrom}-${set.options.portTo}`
      : `family ${set.family} hashsize ${set.options.hashSize} maxelem ${set.options.maxElem}`;
  return `create ${set.name} ${set.type} ${parameters}${set.comments === true ? ' comment' : ''}`;
}

/**
 * One `ipset restore` line. The plan's -exist (no error when the change is already made) is
 * left out: `ipset restore -exist` gives it to every line.
 */
export function ipsetLine(op: IpsetOperation): string {
  switch (op.op) {
    case 'create-set':
      return createLine(op.set);
    case 'add-entry':
      return `add ${op.set} ${describeEntry(op.entry)}`;
    case 'delete-entry':
      return `del ${op.set} ${describeEntry(op.entry)}`;
    case 'flush-set':
      return `flush ${op.set}`;
    case 'swap-sets':
      return `swap ${op.set} ${op.other}`;
    case 'destroy-set':
      return `destroy ${op.set}`;
  }
}

function ipsetLines(plan: Plan): string[] {
  return changesOf(plan, 'ipset').flatMap((phase) => phase.changes.map((change) => ipsetLine(change.op)));
}

function rewritesOf(plan: Plan, family: IptablesRewrite['family']): string[] {
  // Each rewrite is a whole iptables-restore input for one table, ending in COMMIT.
  return changesOf(plan, 'iptables').flatMap((phase) =>
    phase.rewrites.filter((r) => r.family === family).map((r) => r.restore.replace(/\n$/, '')),
  );
}

/** conntrack(8) arguments deleting the flows: to the service address, or NATed to the removed real server. */
export function conntrackLine(d: ConntrackDeletion): string {
  const reply =
    d.replySource === undefined
      ? ''
      : ` --reply-src ${d.replySource}${d.replySourcePort === undefined ? '' : ` --reply-port-src ${d.replySourcePort}`}`;
  return `-D -f ${d.family === 'inet' ? 'ipv4' : 'ipv6'} -p ${d.protocol} --orig-dst ${d.destination} --orig-port-dst ${d.destinationPort}${reply}`;
}

function conntrackLines(plan: Plan): string[] {
  return changesOf(plan, 'conntrack').flatMap((phase) => phase.changes.map((change) => conntrackLine(change.op)));
}

/** True when the plan changes nothing: `kipvs diff` exits 0. */
export function inSync(plan: Plan): boolean {
  return !plan.createLink && plan.ipvsTimeouts === undefined && plan.phases.length === 0;
}

/** The sections, or "" when nothing would change. */
export function formatDiffText(diff: KernelDiff): string {
  const { plan, linkName } = diff;
  if (inSync(plan)) return '';
  const sections = [
    `# kipvs diff for node ${diff.nodeName}: ${formatPlanSummary(summarizePlan(plan))}\n`,
    section('IPVS (ipvsadm commands)', ipvsLines(plan)),
    section(`${linkName} addresses (ip -batch)`, addressLines(plan, linkName)),
    section('ipsets (ipset restore)', ipsetLines(plan)),
    section('iptables (iptables-restore --noflush)', rewritesOf(plan, 'inet')),
    section('ip6tables (ip6tables-restore --noflush)', rewritesOf(plan, 'inet6')),
    section('conntrack flows (conntrack arguments)', conntrackLines(plan)),
  ];
  return sections.filter((text): text is string => text !== undefined).join('\n');
}
