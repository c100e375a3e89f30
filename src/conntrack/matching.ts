// Which conntrack entries a list of deletions clears. kube-proxy
// (pkg/proxy/conntrack/cleanup.go) reads a family's entries in one dump and
// deletes the UDP ones whose original destination is a service address (or
// NodePort) and whose reply source is not a serving endpoint: the NAT that
// IPVS masquerading set up towards a real server that is gone. The reconciler
// names those flows as ConntrackDeletions (a destination, and the reply source
// when only one real server goes); this matches one dump per family and
// protocol against all of them. Pure.
import type { DeletionFailure } from './results.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, type AddressFamily } from '../net/ip-address.js';
import { invalidConntrackRequest } from './errors.js';
import type { ConntrackDeletion, ConntrackFlow, FlowQuery } from './types.js';

/** A deletion with its addresses in inet_ntop form, as flows carry them. */
interface Matcher {
  readonly deletion: ConntrackDeletion;
  readonly replySource: string | undefined;
  readonly replySourcePort: number | undefined;
}

/** The deletions of one family and protocol, by original destination ("address port"). */
export interface DeletionGroup {
  readonly query: FlowQuery;
  readonly byDestination: ReadonlyMap<string, readonly Matcher[]>;
}

export interface MatchedFlow {
  readonly flow: ConntrackFlow;
  /** The first deletion (in the caller's order) the flow matches. */
  readonly deletion: ConntrackDeletion;
}

const endpoint = (address: string, port: number): string => `${address} ${port}`;

/** Text to the form the kernel's addresses decode to, so that "fd00::0a" and "fd00::a" match. */
function canonical(family: AddressFamily, text: string): string {
  return family === 'inet' ? formatIPv4(parseIPv4(text)) : formatIPv6(parseIPv6(text));
}

function isPort(value: number | undefined): boolean {
  return value === undefined || (Number.isInteger(value) && value >= 0 && value <= 0xffff);
}

function matcherOf(d: ConntrackDeletion): Matcher {
  if (d.family !== 'inet' && d.family !== 'inet6') throw new Error(`family '${String(d.family)}' is not inet or inet6`);
  if (d.protocol !== 'udp' && d.protocol !== 'sctp')
    throw new Error(`protocol '${String(d.protocol)}' is not udp or sctp`);
  for (const value of [d.destinationPort, d.replySourcePort]) {
    if (!isPort(value)) throw new Error(`port ${value} is not an integer from 0 to 65535`);
  }
  return {
    deletion: d,
    replySource: d.replySource === undefined ? undefined : canonical(d.family, d.replySource),
    replySourcePort: d.replySourcePort,
  };
}

/** Sorts deletions into one group per family and protocol; a deletion the wire cannot carry is a failure (EINVAL). */
export function groupDeletions(deletions: readonly ConntrackDeletion[]): {
  groups: DeletionGroup[];
  invalid: DeletionFailure[];
} {
  const groups = new Map<string, { query: FlowQuery; byDestination: Map<string, Matcher[]> }>();
  const invalid: DeletionFailure[] = [];
  for (const deletion of deletions) {
    let matcher: Matcher;
    let destination: string;
    try {
      matcher = matcherOf(deletion);
      destination = endpoint(canonical(deletion.family, deletion.destination), deletion.destinationPort);
    } catch (err) {
      invalid.push({
        deletion,
        error: invalidConntrackRequest(
          { op: 'delete-flows', deletion },
          err instanceof Error ? err.message : String(err),
          err,
        ),
      });
      continue;
    }
    const key = `${deletion.family} ${deletion.protocol}`;
    let group = groups.get(key);
    if (!group) {
      group = { query: { family: deletion.family, protocol: deletion.protocol }, byDestination: new Map() };
      groups.set(key, group);
    }
    const matchers = group.byDestination.get(destination);
    if (matchers) matchers.push(matcher);
    else group.byDestination.set(destination, [matcher]);
  }
  return { groups: [...groups.values()], invalid };
}

function matches(m: Matcher, flow: ConntrackFlow): boolean {
  return (
    (m.replySource === undefined || m.replySource === flow.reply.source) &&
    (m.replySourcePort === undefined || m.replySourcePort === flow.reply.sourcePort)
  );
}

/** The flows of a group's dump that one of its deletions clears, each once. */
export function matchFlows(group: DeletionGroup, flows: readonly ConntrackFlow[]): MatchedFlow[] {
  const matched: MatchedFlow[] = [];
  for (const flow of flows) {
    if (flow.family !== group.query.family || flow.protocol !== group.query.protocol) continue;
    const candidates = group.byDestination.get(endpoint(flow.original.destination, flow.original.destinationPort));
    const hit = candidates?.find((m) => matches(m, flow));
    if (hit) matched.push({ flow, deletion: hit.deletion });
  }
  return matched;
}
