// The model, memoised per Service: a sync after one EndpointSlice change rebuilds that
// Service's pieces (its ports, virtual servers with real servers, bound addresses, set
// members) and reuses every other Service's, as the same objects (===). The watch hands
// the same object for everything unchanged (an update replaces an object, never edits it;
// src/daemon/validation-memo.ts keeps the validated objects just as stable), so object
// identity tells what changed.
//
// What is whole-cluster is still settled over all Services, in the full model's order
// (desired-state.ts): which port keeps a virtual server two claim, the bound addresses,
// the counts of Services without local endpoints, the rules. Only its costly steps reuse
// the previous result when their input is the same: the sort of the virtual servers (when
// the same keys win), the sorted link addresses (when the same are bound), and each set's
// sorted members (when no Service's members of that set changed). The result deep-equals
// computeDesiredState's for the same objects (test/unit/proxy/incremental-model.test.ts).
//
// Pure: it keeps the previous result, but the same sequence of inputs gives the same outputs.
import type { HostFacts, ProxyModelConfig } from './config.js';
import { compareServicePorts, desiredStateWith, familyIptables, type FamilyFacts, type FamilyPass, type ValidObjects } from './desired-state.js';
import type { ValidEndpointSlice } from './endpoint-slice-input.js';
import { collectEndpoints } from './endpoints.js';
import { compareIps, type IpFamily } from './ip.js';
import { ipSetOf, linkAddressMembers, membersOfPorts, SET, SET_DEFINITIONS, type SetMembers, type SetName } from './ipsets.js';
import { claimsOf, comparePlaced, settleClaims, type PortClaims } from './ipvs-state.js';
import type { ValidService } from './service-input.js';
import { servicePortsFor, type ServicePort } from './service-ports.js';
import type { DesiredState, FamilyState, IpSet, IpSetEntry } from './types.js';

/** The Services of one namespace/name (the API server has one; bad input may repeat it) and their EndpointSlices. */
interface ServiceGroup {
  readonly services: ValidService[];
  readonly slices: ValidEndpointSlice[];
}

/** What one ServiceGroup gives one family. */
interface GroupPieces extends ServiceGroup {
  /** Sorted by servicePortKey. */
  readonly ports: readonly ServicePort[];
  readonly claims: readonly PortClaims[];
  readonly members: SetMembers;
}

/** One family's previous result and the pieces it was assembled from. */
interface FamilyMemo {
  /** The family's facts as text: pieces are reused only while they are unchanged. */
  readonly facts: string;
  readonly groups: ReadonlyMap<string, GroupPieces>;
  /** Group keys, sorted. */
  readonly order: readonly string[];
  /** The winning virtual servers' keys, in the state's order. */
  readonly virtualServerKeys: readonly string[];
  readonly state: FamilyState;
}

/**
 * A group's key: "namespace/name:", the prefix of all its ports' servicePortKeys. Kubernetes
 * names hold neither "/" nor ":", so no key is a prefix of another and groups sorted by key
 * give their ports in servicePortKey order, the full model's order.
 */
const groupKey = (namespace: string, name: string): string => `${namespace}/${name}:`;

function groupsOf(objects: ValidObjects): Map<string, ServiceGroup> {
  const groups = new Map<string, ServiceGroup>();
  for (const service of objects.services) {
    const key = groupKey(service.namespace, service.name);
    const group = groups.get(key);
    if (group) group.services.push(service);
    else groups.set(key, { services: [service], slices: [] });
  }
  // A slice of no Service adds nothing: its endpoints meet no port.
  for (const slice of objects.endpointSlices) groups.get(groupKey(slice.namespace, slice.serviceName))?.slices.push(slice);
  return groups;
}

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((item, i) => item === b[i]);

/** Whether two Maps have the same keys (in any order). */
const sameKeys = (a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean => a.size === b.size && [...a.keys()].every((key) => b.has(key));

function piecesOf(group: ServiceGroup, facts: FamilyFacts): GroupPieces {
  const ports = group.services.flatMap((s) => servicePortsFor(s, facts.family)).sort(compareServicePorts);
  const endpoints = collectEndpoints(group.slices, facts.family, facts.nodeName);
  return { ...group, ports, claims: ports.map((sp) => claimsOf(sp, endpoints, facts.ipvs)), members: membersOfPorts(ports, endpoints, facts.members) };
}

const NO_MEMBERS: SetMembers = new Map();

/** Adds to `changed` the sets whose members from one group differ between `before` and `after`. */
function noteChangedSets(before: SetMembers, after: SetMembers, changed: Set<SetName>): void {
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name) ?? new Map<string, IpSetEntry>();
    const b = after.get(name) ?? new Map<string, IpSetEntry>();
    if (!sameKeys(a, b)) changed.add(name);
  }
}

/** Facts as text; a Set (the host's addresses) as its members. */
const factsText = (facts: FamilyFacts): string => JSON.stringify(facts, (_key, value: unknown) => (value instanceof Set ? [...(value as Set<unknown>)] : value));

export class IncrementalModel {
  private memos = new Map<IpFamily, FamilyMemo>();

  /** buildDesiredState(objects, host, config), reusing the pieces of Services unchanged since the last call. */
  build(objects: ValidObjects, host: HostFacts, config: ProxyModelConfig): DesiredState {
    const groups = groupsOf(objects);
    const memos = new Map<IpFamily, FamilyMemo>();
    const state = desiredStateWith(objects.node, host, config, (facts) => {
      const memo = this.familyPass(groups, facts);
      memos.set(facts.family, memo.memo);
      return memo.pass;
    });
    this.memos = memos;
    return state;
  }

  private familyPass(groups: ReadonlyMap<string, ServiceGroup>, facts: FamilyFacts): { readonly pass: FamilyPass; readonly memo: FamilyMemo } {
    const text = factsText(facts);
    const kept = this.memos.get(facts.family);
    const previous = kept?.facts === text ? kept : undefined;
    const changedSets = new Set<SetName>();
    const pieces = new Map<string, GroupPieces>();
    for (const [key, group] of groups) {
      const old = previous?.groups.get(key);
      if (old && sameItems(old.services, group.services) && sameItems(old.slices, group.slices)) {
        pieces.set(key, old);
        continue;
      }
      const fresh = piecesOf(group, facts);
      noteChangedSets(old?.members ?? NO_MEMBERS, fresh.members, changedSets);
      pieces.set(key, fresh);
    }
    for (const [key, old] of previous?.groups ?? []) if (!groups.has(key)) noteChangedSets(old.members, NO_MEMBERS, changedSets);

    const order = previous && sameKeys(previous.groups, pieces) ? previous.order : [...pieces.keys()].sort();
    const ordered = order.flatMap((key) => pieces.get(key) ?? []);
    const settled = settleClaims(ordered.flatMap((g) => g.claims));
    const sameWinners = previous !== undefined && previous.virtualServerKeys.length === settled.winners.size && previous.virtualServerKeys.every((key) => settled.winners.has(key));
    const virtualServerKeys = sameWinners ? previous.virtualServerKeys : [...settled.winners].sort(([, a], [, b]) => comparePlaced(a, b)).map(([key]) => key);
    const virtualServers = virtualServerKeys.flatMap((key) => settled.winners.get(key)?.desired ?? []);
    const sameBound = previous !== undefined && previous.state.linkAddresses.length === settled.bound.size && previous.state.linkAddresses.every((a) => settled.bound.has(a));
    const linkAddresses = sameBound ? previous.state.linkAddresses : [...settled.bound.values()].sort(compareIps).map((ip) => ip.text);
    if (!sameBound) changedSets.add(SET.ipvsIPs);

    const ipsets = SET_DEFINITIONS.map((d, i): IpSet => {
      const kept = previous?.state.ipsets[i];
      if (kept && !changedSets.has(d.name)) return kept;
      const entries = d.name === SET.ipvsIPs ? linkAddressMembers(linkAddresses) : ordered.flatMap((g) => [...(g.members.get(d.name)?.values() ?? [])]);
      return ipSetOf(d, facts.family, entries);
    });
    const iptables = familyIptables(ordered.flatMap((g) => g.ports), facts, ipsets);
    const state: FamilyState = {
      family: facts.family,
      virtualServers,
      linkAddresses,
      nodePortAddresses: facts.nodePortAddresses,
      ipsets,
      // The rules are few (the sets carry the Services): rebuilt, and the previous object kept when they are the same.
      iptables: previous && JSON.stringify(previous.state.iptables) === JSON.stringify(iptables) ? previous.state.iptables : iptables,
      excludeCIDRs: facts.excludeCIDRs,
      noLocalEndpoints: settled.noLocalEndpoints,
    };
    return { pass: { state, problems: settled.problems }, memo: { facts: text, groups: pieces, order, virtualServerKeys, state } };
  }
}
