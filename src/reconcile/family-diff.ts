// One family's part of the diff, whole or since the previous desired state.
//
// Whole: every virtual server, address, set member and rule compared with the live state.
//
// Since: the live state is what the previous sync's plan left, applied whole (the sync engine's
// kept state, src/sync/kept-live-state.ts), so everything the previous desired state asked
// for is there: a part of the desired state that is the previous one's object (the
// incremental model, src/proxy/incremental-model.ts, keeps unchanged parts ===) has nothing
// to change, and only the other parts are compared. Two things are not the previous desired
// state's as applied, and are compared every time: the real servers still draining (kept at
// weight 0, in `terminating`; their connection counts are read again), and a set the kernel
// could not re-create (another type, used by rules). When what decides ownership of live
// virtual servers changes (the link's or NodePort addresses, excludeCIDRs, which virtual
// servers exist), IPVS is compared whole: a live virtual server no longer wanted, or someone
// else's that becomes kipvs's, is only found by looking at all of them.
import type { LiveFamilyState } from '../contracts/live-state.js';
import type { ServiceKey } from '../ipvs/types.js';
import { compareIpTexts } from '../proxy/ip.js';
import type {
  DesiredFamilyChanges,
  DesiredVirtualServer,
  FamilyState,
  DesiredIpset,
} from '../contracts/desired-state.js';
import { diffAddresses, type AddressFamilyDiff } from './address-diff.js';
import { diffIpsets, sameKind, type IpsetFamilyDiff } from './ipset-diff.js';
import { diffIptables } from './iptables-diff.js';
import { diffIpvs, type IpvsDiffContext, type IpvsFamilyDiff } from './ipvs-diff.js';
import { virtualServerKeyText } from './keys.js';
import { liveServiceAt } from './live-index.js';
import { ownershipTest } from './ownership.js';
import type { IptablesRewrite } from '../contracts/plan.js';
import { serviceIndex } from './service-index.js';

export interface FamilyDiff {
  readonly ipvs: IpvsFamilyDiff;
  readonly addresses: AddressFamilyDiff;
  readonly ipsets: IpsetFamilyDiff;
  readonly iptables: readonly IptablesRewrite[];
}

export function diffFamily(desired: FamilyState, live: LiveFamilyState | undefined, ctx: IpvsDiffContext): FamilyDiff {
  const services = serviceIndex(desired);
  return {
    ipvs: diffIpvs(desired, live, ownershipTest(desired, live), ctx),
    addresses: diffAddresses(desired, live, services),
    ipsets: diffIpsets(desired, live, services),
    iptables: diffIptables(desired.iptables, desired.family, live?.iptables),
  };
}

const sameTexts = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((text, i) => text === b[i]);

/** Whether `desired` wants the virtual servers `previous` did, in the same order (they are sorted by key). */
function sameVirtualServers(desired: FamilyState, previous: FamilyState): boolean {
  const before = previous.virtualServers;
  return (
    desired.virtualServers.length === before.length &&
    desired.virtualServers.every((d, i) => {
      const p = before[i];
      return (
        d === p ||
        (p !== undefined && virtualServerKeyText(d.virtualServer.key) === virtualServerKeyText(p.virtualServer.key))
      );
    })
  );
}

/** The virtual servers that changed since `previous`, found by comparing each with the previous one at its place. */
function changedByScan(desired: FamilyState, previous: FamilyState): readonly DesiredVirtualServer[] | undefined {
  if (!sameVirtualServers(desired, previous)) return undefined;
  return desired.virtualServers.filter((d, i) => d !== previous.virtualServers[i]);
}

/** The virtual servers the model says changed since `previous`; undefined when it says virtual servers came or went. */
function changedByModel(changes: DesiredFamilyChanges): readonly DesiredVirtualServer[] | undefined {
  return changes.keysChanged ? undefined : changes.changed;
}

/**
 * The IPVS part, comparing only the virtual servers that changed (as the model says, or found
 * by comparing) or have real servers draining; whole when virtual servers came or went.
 */
function diffIpvsSince(
  desired: FamilyState,
  previous: FamilyState,
  live: LiveFamilyState | undefined,
  ctx: IpvsDiffContext,
  changes: DesiredFamilyChanges | undefined,
): IpvsFamilyDiff {
  const addressesKept =
    desired.linkAddresses === previous.linkAddresses &&
    sameTexts(desired.nodePortAddresses, previous.nodePortAddresses) &&
    sameTexts(desired.excludeCIDRs, previous.excludeCIDRs);
  const changed =
    !addressesKept || !live
      ? undefined
      : changes?.since === previous
        ? changedByModel(changes)
        : changedByScan(desired, previous);
  if (!changed || !live) return diffIpvs(desired, live, ownershipTest(desired, live), ctx);
  const compared = new Map(changed.map((d) => [virtualServerKeyText(d.virtualServer.key), d]));
  // keys.ts realServerKeyText: the virtual server's key text, then ">" (never in an address).
  for (const key of new Set([...ctx.terminating.keys()].map((text) => text.slice(0, text.indexOf('>'))))) {
    const found = compared.has(key) ? undefined : liveServiceAt(live.virtualServers, key)?.service.key;
    const wanted = found && 'address' in found ? desiredAt(desired, changes, found) : undefined;
    if (wanted) compared.set(key, wanted);
  }
  const liveCompared = [...compared.keys()].flatMap((key) => liveServiceAt(live.virtualServers, key) ?? []);
  // Every live virtual server given is wanted, so none is a candidate for deletion.
  const inModelOrder = [...compared.values()].sort(compareVirtualServers);
  return diffIpvs(
    { ...desired, virtualServers: inModelOrder },
    { ...live, virtualServers: liveCompared },
    () => false,
    ctx,
  );
}

/** The model's order of virtual servers (src/proxy/ipvs-state.ts comparePlaced): address, port, protocol. */
function compareVirtualServers(a: DesiredVirtualServer, b: DesiredVirtualServer): number {
  const ka = a.virtualServer.key;
  const kb = b.virtualServer.key;
  if (!('address' in ka) || !('address' in kb)) return 0;
  return (
    compareIpTexts(ka.address, kb.address) ||
    ka.port - kb.port ||
    (ka.protocol < kb.protocol ? -1 : ka.protocol > kb.protocol ? 1 : 0)
  );
}

/** The desired virtual server on a live one's key: by the model's lookup, or found in the sorted list. */
function desiredAt(
  desired: FamilyState,
  changes: DesiredFamilyChanges | undefined,
  key: Extract<ServiceKey, { address: string }>,
): DesiredVirtualServer | undefined {
  if (changes) return changes.at(key.address, key.protocol, key.port);
  const text = virtualServerKeyText(key);
  return desired.virtualServers.find((d) => virtualServerKeyText(d.virtualServer.key) === text);
}

/** A set the previous plan left as the previous desired state asked: the same object, and a live set that took it. */
function setInSync(set: DesiredIpset, previous: DesiredIpset | undefined, live: LiveFamilyState): boolean {
  if (set !== previous) return false;
  const found = live.ipsets.find((s) => s.header.name === set.name);
  return found !== undefined && sameKind(set, found.header);
}

export function diffFamilySince(
  desired: FamilyState,
  previous: FamilyState,
  live: LiveFamilyState | undefined,
  ctx: IpvsDiffContext,
  changes?: DesiredFamilyChanges,
): FamilyDiff {
  if (!live) return diffFamily(desired, live, ctx);
  const services = serviceIndex(desired);
  const ipsets = desired.ipsets.filter((set, i) => !setInSync(set, previous.ipsets[i], live));
  const names = new Set(ipsets.map((s) => s.name));
  return {
    ipvs: diffIpvsSince(desired, previous, live, ctx, changes),
    addresses:
      desired.linkAddresses === previous.linkAddresses
        ? { binds: [], unbinds: [] }
        : diffAddresses(desired, live, services),
    ipsets: diffIpsets(
      { ...desired, ipsets },
      { ...live, ipsets: live.ipsets.filter((s) => names.has(s.header.name)) },
      services,
    ),
    iptables:
      desired.iptables === previous.iptables ? [] : diffIptables(desired.iptables, desired.family, live.iptables),
  };
}
