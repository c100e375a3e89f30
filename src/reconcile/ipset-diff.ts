// kube-proxy's ipsets of one family: every set exists (kube-proxy creates them
// all, even empty) and holds exactly the model's members. Members are compared
// by ipset's own text for them (formatIpSetEntry), the same for the model's
// entries and the kernel's. Adds and deletes carry -exist, so a plan applied
// twice, or racing another writer, does not fail on a member already there or
// already gone.
//
// A live set of another type or family cannot take the model's members. It can
// only be destroyed and created again, and the kernel refuses to destroy a set
// that iptables rules use (IPSET_ERR_BUSY); swapping is no way out either, as
// ip_set_swap refuses sets of different types. So the set is re-created only
// when nothing references it; otherwise the plan leaves it alone and says so.
// Hash sizes are not compared: the kernel grows a hash set as it fills.
import { formatIpSetEntry } from '../contracts/ipset-text.js';
import type { LiveFamilyState } from '../contracts/live-state.js';
import type { IpsetEntry, IpsetHeader, IpsetOperation, IpsetSpec } from '../ipset/types.js';
import type { FamilyState, DesiredIpset } from '../contracts/desired-state.js';
import type { ChangeCause, PlannedChange } from '../contracts/plan.js';
import type { ServiceIndex } from './service-index.js';

type IpsetChange = PlannedChange<IpsetOperation>;

export interface IpsetFamilyDiff {
  /** Sets created (or destroyed and created) first, then the members added. */
  readonly additions: readonly IpsetChange[];
  readonly deletions: readonly IpsetChange[];
  readonly problems: readonly string[];
}

/** ipset's text for a member; hash:net members (no kube-proxy set has them) are their network. */
export function entryText(entry: IpsetEntry): string {
  if (!('ip' in entry) && 'net' in entry) return entry.net;
  return formatIpSetEntry(entry);
}

/** The create parameters of a model set; undefined when its type and options disagree. */
function specOf(set: DesiredIpset): IpsetSpec | undefined {
  const { name, type, options, family } = set;
  if (type === 'bitmap:port') return options.kind === 'bitmap' ? { name, type, options } : undefined;
  return options.kind === 'hash' ? { name, type, family, options } : undefined;
}

/** A bitmap:port set has no family (NFPROTO_UNSPEC), so only a hash set's family is compared. */
export function sameKind(set: DesiredIpset, header: IpsetHeader): boolean {
  return header.type === set.type && (set.type === 'bitmap:port' || header.family === set.family);
}

function describe(type: string, family: string | undefined): string {
  return family === undefined ? type : `${type} family ${family}`;
}

/** The Service port a member belongs to, when its address and port are a virtual server's. */
function causeOf(entry: IpsetEntry, reason: string, services: ServiceIndex): ChangeCause {
  const service = !('ip' in entry)
    ? undefined
    : 'protocol' in entry
      ? services.byEndpoint(entry.ip, entry.protocol, entry.port)
      : services.byAddress(entry.ip);
  return { ...(service ? { service } : {}), reason };
}

export function diffIpsets(
  desired: FamilyState,
  live: LiveFamilyState | undefined,
  services: ServiceIndex,
): IpsetFamilyDiff {
  const liveByName = new Map((live?.ipsets ?? []).map((s) => [s.header.name, s]));
  const sets: IpsetChange[] = [];
  const adds: IpsetChange[] = [];
  const deletions: IpsetChange[] = [];
  const problems: string[] = [];
  const add = (set: DesiredIpset, entry: IpsetEntry): void => {
    adds.push({
      op: { op: 'add-entry', set: set.name, entry, exist: true },
      cause: causeOf(entry, 'set member added', services),
    });
  };
  const addAll = (set: DesiredIpset): void => {
    for (const entry of set.entries) add(set, entry);
  };
  for (const set of desired.ipsets) {
    const spec = specOf(set);
    if (!spec) {
      problems.push(
        `ipset ${set.name}: the model's type ${set.type} does not match its ${set.options.kind} options; left alone`,
      );
      continue;
    }
    const create: IpsetChange = { op: { op: 'create-set', set: spec, exist: true }, cause: { reason: 'new set' } };
    const found = liveByName.get(set.name);
    if (!found) {
      sets.push(create);
      addAll(set);
      continue;
    }
    const { header } = found;
    if (!sameKind(set, header)) {
      const drift = `is ${describe(header.type, header.family)}, kube-proxy's is ${describe(set.type, set.type === 'bitmap:port' ? undefined : set.family)}`;
      if (header.references > 0) {
        problems.push(
          `ipset ${set.name} ${drift}; ${header.references} iptables rule(s) use it, so it cannot be re-created and is left as it is`,
        );
        continue;
      }
      sets.push(
        { op: { op: 'destroy-set', set: set.name, exist: true }, cause: { reason: `set ${drift}` } },
        { ...create, cause: { reason: 'set re-created' } },
      );
      addAll(set);
      continue;
    }
    const liveEntries = new Map(found.entries.map((e) => [entryText(e), e]));
    const wanted = new Set<string>();
    for (const entry of set.entries) {
      const text = entryText(entry);
      wanted.add(text);
      if (!liveEntries.has(text)) add(set, entry);
    }
    for (const [text, entry] of liveEntries) {
      if (!wanted.has(text))
        deletions.push({
          op: { op: 'delete-entry', set: set.name, entry, exist: true },
          cause: causeOf(entry, 'set member removed', services),
        });
    }
  }
  return { additions: [...sets, ...adds], deletions, problems };
}
