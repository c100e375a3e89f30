// One family's desired state, kept between builds and updated group by group: a group is
// the Services of one namespace/name and their EndpointSlices (the API server has one
// Service per name; bad input may repeat it). A changed group's pieces (its ports, the
// virtual servers and addresses they claim, its set members) are taken out of the counts
// they were added to and the new ones put in; each virtual-server key a change touched is
// settled again from its current claimants, and the sorted lists (virtual servers, bound
// addresses, each set's members) are patched where they changed. So a sync after one
// EndpointSlice changed costs in proportion to that Service, not to the cluster.
//
// The result is buildDesiredState's (desired-state.ts) for the same groups, by construction:
// - two ports claiming one virtual server: the first in servicePortKey order keeps it, as in
//   settleClaims; claimants are ordered by group key (the prefix of their ports' keys), then
//   by their place in the group's sorted claims, then by the order a port claims them;
// - the conflicts' problems in that same claim order;
// - an address is bound while any claim binds it, a set member kept while any group adds it;
// - the rules are rebuilt only when what they are built from changed: which sets have
//   members, and the ports whose load balancer source ranges leave the node out.
// test/unit/proxy/incremental-model.test.ts checks it against computeDesiredState.
import { SET, type SetName } from '../contracts/ipset-names.js';
import type { Protocol } from '../ipvs/types.js';
import { compareServicePorts, familyIptables, type FamilyFacts, type FamilyPass } from './desired-state.js';
import type { ValidEndpointSlice } from './endpoint-slice-input.js';
import { collectEndpoints } from './endpoints.js';
import { compareIps, type IpAddress } from './ip.js';
import {
  compareEntries,
  ipSetOf,
  linkAddressMembers,
  membersOfPorts,
  SET_DEFINITIONS,
  type SetMembers,
} from './ipsets.js';
import { claimsOf, comparePlaced, conflictProblem, type Placed, type PortClaims } from './ipvs-state.js';
import type { ValidService } from './service-input.js';
import { servicePortsFor, sourceRangesAdmitNode, type ServicePort } from './service-ports.js';
import { insertSorted, removeSorted } from './sorted-patch.js';
import type {
  DesiredFamilyChanges,
  DesiredVirtualServer,
  FamilyState,
  DesiredIpset,
  DesiredIpsetEntry,
  Problem,
  ServicePortRef,
} from '../contracts/desired-state.js';

/** The Services of one namespace/name and their EndpointSlices. */
export interface ModelGroup {
  readonly services: readonly ValidService[];
  readonly slices: readonly ValidEndpointSlice[];
}

/** What one group gives one family. */
interface GroupPieces {
  readonly group: ModelGroup;
  readonly claims: readonly PortClaims[];
  readonly members: SetMembers;
  readonly noLocal: { readonly internal: boolean; readonly external: boolean };
  /** Its ports whose load balancer source ranges leave the node out (the rules drop the node's own packets to them). */
  readonly blocked: readonly ServicePort[];
}

/** One port's claim on one virtual server, where it stands in claim order. */
interface Claimant {
  readonly group: string;
  /** The claim's place among its group's claims (sorted by servicePortKey). */
  readonly claim: number;
  /** The virtual server's place among the claim's. */
  readonly wanted: number;
  readonly ref: ServicePortRef;
  readonly placed: Placed;
}

function compareClaimants(a: Claimant, b: Claimant): number {
  return a.group < b.group ? -1 : a.group > b.group ? 1 : a.claim - b.claim || a.wanted - b.wanted;
}

const placedKey = (address: string, protocol: Protocol, port: number): string => `${address}|${protocol}|${port}`;

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((item, i) => item === b[i]);

/**
 * What changes in one round, net: an item counted up from zero then down again (or the
 * reverse) within the round is no change.
 */
class NetChanges<T> {
  readonly added = new Map<string, T>();
  readonly removed = new Map<string, T>();

  appeared(key: string, item: T): void {
    if (!this.removed.delete(key)) this.added.set(key, item);
  }

  vanished(key: string, item: T): void {
    if (!this.added.delete(key)) this.removed.set(key, item);
  }

  get size(): number {
    return this.added.size + this.removed.size;
  }
}

/** Items counted by key: the list holds an item while any contribution adds it. */
class Counted<T> {
  private readonly counts = new Map<string, { readonly item: T; count: number }>();

  add(key: string, item: T, changes: NetChanges<T>): void {
    const found = this.counts.get(key);
    if (found) found.count += 1;
    else {
      this.counts.set(key, { item, count: 1 });
      changes.appeared(key, item);
    }
  }

  remove(key: string, changes: NetChanges<T>): void {
    const found = this.counts.get(key);
    if (!found) return;
    if (--found.count > 0) return;
    this.counts.delete(key);
    changes.vanished(key, found.item);
  }

  *items(): IterableIterator<T> {
    for (const { item } of this.counts.values()) yield item;
  }
}

/** Past this many changed items a list is sorted again rather than patched item by item. */
const patchLimit = (length: number): number => 64 + (length >> 4);

/** Items taken out of and put into a sorted list (an item put in replaces the one it compares equal to). */
interface ListChanges<T> {
  readonly removed: Iterable<T>;
  readonly added: Iterable<T>;
  readonly size: number;
}

/** `sorted` with `changes` made, patched or sorted again, or the same array when nothing changed. */
function patched<T>(
  sorted: readonly T[],
  changes: ListChanges<T>,
  all: () => Iterable<T>,
  compare: (a: T, b: T) => number,
): readonly T[] {
  if (changes.size === 0) return sorted;
  if (changes.size > patchLimit(sorted.length)) return [...all()].sort(compare);
  const result = [...sorted];
  for (const item of changes.removed) removeSorted(result, item, compare);
  for (const item of changes.added) insertSorted(result, item, compare);
  return result;
}

const listChanges = <T>(changes: NetChanges<T> | undefined): ListChanges<T> => ({
  removed: changes?.removed.values() ?? [],
  added: changes?.added.values() ?? [],
  size: changes?.size ?? 0,
});

export class FamilyIndex {
  private readonly pieces = new Map<string, GroupPieces>();
  private readonly claimants = new Map<string, Claimant[]>();
  /** Virtual-server keys with more than one claimant: where the conflicts' problems come from. */
  private readonly contested = new Set<string>();
  private readonly bound = new Counted<IpAddress>();
  private readonly members = new Map<SetName, Counted<DesiredIpsetEntry>>();
  private readonly blocked = new Map<string, readonly ServicePort[]>();
  private readonly noLocal = { internal: 0, external: 0 };
  private placed: readonly Placed[] = [];
  private linkIps: readonly IpAddress[] = [];
  private previous: FamilyPass | undefined;
  /** Which sets had members when the rules were built. */
  private rulesFor = '';

  constructor(
    readonly facts: FamilyFacts,
    /** The facts as text: the index holds only while they are the same. */
    readonly factsText: string,
  ) {}

  private piecesOf(group: ModelGroup): GroupPieces {
    const { facts } = this;
    const ports = group.services.flatMap((s) => servicePortsFor(s, facts.family)).sort(compareServicePorts);
    const endpoints = collectEndpoints(group.slices, facts.family, facts.nodeName);
    const claims = ports.map((sp) => claimsOf(sp, endpoints, facts.ipvs));
    return {
      group,
      claims,
      members: membersOfPorts(ports, endpoints, facts.members),
      // As settleClaims counts them: once per Service, whatever its ports.
      noLocal: { internal: claims.some((c) => c.noLocal.internal), external: claims.some((c) => c.noLocal.external) },
      blocked: ports.filter(
        (sp) => sp.loadBalancerSourceRanges.length > 0 && !sourceRangesAdmitNode(sp, facts.iptables.primaryNodeIP),
      ),
    };
  }

  private membersOf(set: SetName): Counted<DesiredIpsetEntry> {
    let counted = this.members.get(set);
    if (!counted) {
      counted = new Counted();
      this.members.set(set, counted);
    }
    return counted;
  }

  /**
   * The state after the groups in `touched` became what they map to (undefined: gone), and
   * what changed since the previous state. Groups not in `touched` are as they were.
   */
  update(touched: ReadonlyMap<string, ModelGroup | undefined>): {
    readonly pass: FamilyPass;
    readonly changes: DesiredFamilyChanges | undefined;
  } {
    const winnersBefore = new Map<string, Placed | undefined>();
    const bound = new NetChanges<IpAddress>();
    const members = new Map<SetName, NetChanges<DesiredIpsetEntry>>();
    const memberChanges = (set: SetName): NetChanges<DesiredIpsetEntry> => {
      let changes = members.get(set);
      if (!changes) {
        changes = new NetChanges();
        members.set(set, changes);
      }
      return changes;
    };
    let blockedChanged = false;
    const step = (key: string, pieces: GroupPieces, sign: 1 | -1): void => {
      pieces.claims.forEach((claim, c) => {
        claim.wanted.forEach((placed, w) => {
          const vsKey = placedKey(placed.address.text, placed.protocol, placed.port);
          const list = this.claimants.get(vsKey) ?? [];
          if (!winnersBefore.has(vsKey)) winnersBefore.set(vsKey, list[0]?.placed);
          const claimant: Claimant = { group: key, claim: c, wanted: w, ref: claim.ref, placed };
          if (sign > 0) insertSorted(list, claimant, compareClaimants);
          else removeSorted(list, claimant, compareClaimants);
          if (list.length > 0) this.claimants.set(vsKey, list);
          else this.claimants.delete(vsKey);
        });
        for (const ip of claim.bound) {
          if (sign > 0) this.bound.add(ip.text, ip, bound);
          else this.bound.remove(ip.text, bound);
        }
      });
      if (pieces.noLocal.internal) this.noLocal.internal += sign;
      if (pieces.noLocal.external) this.noLocal.external += sign;
      for (const [set, entries] of pieces.members) {
        const counted = this.membersOf(set);
        for (const [text, entry] of entries) {
          if (sign > 0) counted.add(text, entry, memberChanges(set));
          else counted.remove(text, memberChanges(set));
        }
      }
      if (pieces.blocked.length > 0) {
        blockedChanged = true;
        if (sign > 0) this.blocked.set(key, pieces.blocked);
        else this.blocked.delete(key);
      }
    };
    for (const [key, group] of touched) {
      const old = this.pieces.get(key);
      if (old && group && sameItems(old.group.services, group.services) && sameItems(old.group.slices, group.slices))
        continue;
      if (old) step(key, old, -1);
      if (group) {
        const fresh = this.piecesOf(group);
        step(key, fresh, 1);
        this.pieces.set(key, fresh);
      } else {
        this.pieces.delete(key);
      }
    }
    return this.settle(winnersBefore, bound, members, blockedChanged);
  }

  /** The state from the counts, the lists patched where the round changed them. */
  private settle(
    winnersBefore: ReadonlyMap<string, Placed | undefined>,
    bound: NetChanges<IpAddress>,
    members: ReadonlyMap<SetName, NetChanges<DesiredIpsetEntry>>,
    blockedChanged: boolean,
  ): { readonly pass: FamilyPass; readonly changes: DesiredFamilyChanges | undefined } {
    const { facts, previous } = this;
    const lost: Placed[] = [];
    const won: Placed[] = [];
    const changed: DesiredVirtualServer[] = [];
    let keysChanged = false;
    let conflictsChanged = previous === undefined;
    for (const [vsKey, before] of winnersBefore) {
      const list = this.claimants.get(vsKey);
      const now = list?.[0]?.placed;
      const contested = (list?.length ?? 0) > 1;
      if (contested || this.contested.has(vsKey)) conflictsChanged = true;
      if (contested) this.contested.add(vsKey);
      else this.contested.delete(vsKey);
      if (now === before) continue;
      if (before) lost.push(before);
      if (now) {
        won.push(now);
        changed.push(now.desired);
      }
      if (!now || !before) keysChanged = true;
    }
    const placed = patched(
      this.placed,
      { removed: lost, added: won, size: lost.length + won.length },
      () => this.winners(),
      comparePlaced,
    );
    const virtualServers =
      placed === this.placed && previous ? previous.state.virtualServers : placed.map((p) => p.desired);
    this.placed = placed;

    const linkIps = patched(this.linkIps, listChanges(bound), () => this.bound.items(), compareIps);
    const linkAddresses =
      linkIps === this.linkIps && previous ? previous.state.linkAddresses : linkIps.map((ip) => ip.text);
    this.linkIps = linkIps;

    const ipsets = SET_DEFINITIONS.map((d, i): DesiredIpset => {
      const kept = previous?.state.ipsets[i];
      // KUBE-IPVS-IPS holds the bound addresses; the other sets the groups' members.
      const isLink = d.name === SET.ipvsIPs;
      const all = (): Iterable<DesiredIpsetEntry> =>
        isLink ? linkAddressMembers(linkAddresses) : (this.members.get(d.name)?.items() ?? []);
      if (!kept) return ipSetOf(d, facts.family, all());
      const asEntries = (ips: Iterable<IpAddress>): DesiredIpsetEntry[] =>
        linkAddressMembers([...ips].map((ip) => ip.text));
      const changes: ListChanges<DesiredIpsetEntry> = isLink
        ? { removed: asEntries(bound.removed.values()), added: asEntries(bound.added.values()), size: bound.size }
        : listChanges(members.get(d.name));
      const entries = patched(kept.entries, changes, all, compareEntries);
      return entries === kept.entries ? kept : { ...kept, entries };
    });
    const rulesFor = ipsets.map((s) => (s.entries.length > 0 ? '1' : '0')).join('');
    const iptables =
      previous && !blockedChanged && rulesFor === this.rulesFor
        ? previous.state.iptables
        : familyIptables([...this.blocked.values()].flat(), facts, ipsets);
    this.rulesFor = rulesFor;
    const noLocal = previous?.state.noLocalEndpoints;
    const state: FamilyState = {
      family: facts.family,
      virtualServers,
      linkAddresses,
      nodePortAddresses: facts.nodePortAddresses,
      ipsets,
      iptables,
      excludeCIDRs: facts.excludeCIDRs,
      noLocalEndpoints:
        noLocal && noLocal.internal === this.noLocal.internal && noLocal.external === this.noLocal.external
          ? noLocal
          : { ...this.noLocal },
    };
    const problems = conflictsChanged || !previous ? this.conflicts() : previous.problems;
    const pass: FamilyPass = { state, problems };
    this.previous = pass;
    const at = (address: string, protocol: Protocol, port: number): DesiredVirtualServer | undefined =>
      this.claimants.get(placedKey(address, protocol, port))?.[0]?.placed.desired;
    return { pass, changes: previous ? { since: previous.state, keysChanged, changed, at } : undefined };
  }

  private *winners(): IterableIterator<Placed> {
    for (const list of this.claimants.values()) if (list[0]) yield list[0].placed;
  }

  /** settleClaims's problems: every claimant but the first of each virtual server, in claim order. */
  private conflicts(): Problem[] {
    const losers: { readonly claimant: Claimant; readonly owner: ServicePortRef }[] = [];
    for (const vsKey of this.contested) {
      const [first, ...rest] = this.claimants.get(vsKey) ?? [];
      if (first) for (const claimant of rest) losers.push({ claimant, owner: first.placed.desired.service });
    }
    return losers
      .sort((a, b) => compareClaimants(a.claimant, b.claimant))
      .map(({ claimant, owner }) => conflictProblem(claimant.ref, claimant.placed, owner));
  }
}
