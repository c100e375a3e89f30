// One family's part of the diff, whole or since the previous desired state.
//
// Whole: every virtual server, address, set member and rule compared with the live state.
//
// Since: the live state is what the previous sync's plan left, applied whole (the Syncer's
// kept state, src/daemon/live-state-cache.ts), so everything the previous desired state asked
// for is there: a part of the desired state that is the previous one's object (the
// incremental model, src/proxy/incremental-model.ts, keeps unchanged parts ===) has nothing
// to change, and only the other parts are compared. Two things are not the previous desired
// state's as applied, and are compared every time: the real servers still draining (kept at
// weight 0, in `terminating`; their connection counts are read again), and a set the kernel
// could not re-create (another type, used by rules). When what decides ownership of live
// virtual servers changes (the link's or NodePort addresses, excludeCIDRs, which virtual
// servers exist), IPVS is compared whole: a live virtual server no longer wanted, or someone
// else's that becomes kipvs's, is only found by looking at all of them.
import type { LiveFamilyState } from '../kernel/live-state.js';
import type { FamilyState, IpSet } from '../proxy/types.js';
import { diffAddresses, type AddressFamilyDiff } from './address-diff.js';
import { diffIpsets, sameKind, type IpsetFamilyDiff } from './ipset-diff.js';
import { diffIptables } from './iptables-diff.js';
import { diffIpvs, type IpvsDiffContext, type IpvsFamilyDiff } from './ipvs-diff.js';
import { virtualServerKeyText } from './keys.js';
import { ownershipTest } from './ownership.js';
import type { IptablesRewrite } from './plan.js';
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

const sameTexts = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((text, i) => text === b[i]);

/** Whether `desired` wants the virtual servers `previous` did, in the same order (they are sorted by key). */
function sameVirtualServers(desired: FamilyState, previous: FamilyState): boolean {
  const before = previous.virtualServers;
  return (
    desired.virtualServers.length === before.length &&
    desired.virtualServers.every((d, i) => {
      const p = before[i];
      return d === p || (p !== undefined && virtualServerKeyText(d.virtualServer.key) === virtualServerKeyText(p.virtualServer.key));
    })
  );
}

/** The IPVS part, comparing only the virtual servers that changed or have real servers draining. */
function diffIpvsSince(desired: FamilyState, previous: FamilyState, live: LiveFamilyState | undefined, ctx: IpvsDiffContext): IpvsFamilyDiff {
  const ownershipKept =
    desired.linkAddresses === previous.linkAddresses &&
    sameTexts(desired.nodePortAddresses, previous.nodePortAddresses) &&
    sameTexts(desired.excludeCIDRs, previous.excludeCIDRs) &&
    sameVirtualServers(desired, previous);
  if (!ownershipKept || !live) return diffIpvs(desired, live, ownershipTest(desired, live), ctx);
  // keys.ts realServerKeyText: the virtual server's key text, then ">" (never in an address).
  const draining = new Set([...ctx.terminating.keys()].map((key) => key.slice(0, key.indexOf('>'))));
  const changed = desired.virtualServers.filter((d, i) => d !== previous.virtualServers[i] || (draining.size > 0 && draining.has(virtualServerKeyText(d.virtualServer.key))));
  const keys = new Set(changed.map((d) => virtualServerKeyText(d.virtualServer.key)));
  const liveChanged = live.virtualServers.filter((l) => keys.has(virtualServerKeyText(l.service.key)));
  // Every live virtual server given is wanted, so none is a candidate for deletion.
  return diffIpvs({ ...desired, virtualServers: changed }, { ...live, virtualServers: liveChanged }, () => false, ctx);
}

/** A set the previous plan left as the previous desired state asked: the same object, and a live set that took it. */
function setInSync(set: IpSet, previous: IpSet | undefined, live: LiveFamilyState): boolean {
  if (set !== previous) return false;
  const found = live.ipsets.find((s) => s.header.name === set.name);
  return found !== undefined && sameKind(set, found.header);
}

export function diffFamilySince(desired: FamilyState, previous: FamilyState, live: LiveFamilyState | undefined, ctx: IpvsDiffContext): FamilyDiff {
  if (!live) return diffFamily(desired, live, ctx);
  const services = serviceIndex(desired);
  const ipsets = desired.ipsets.filter((set, i) => !setInSync(set, previous.ipsets[i], live));
  const names = new Set(ipsets.map((s) => s.name));
  return {
    ipvs: diffIpvsSince(desired, previous, live, ctx),
    addresses: desired.linkAddresses === previous.linkAddresses ? { binds: [], unbinds: [] } : diffAddresses(desired, live, services),
    ipsets: diffIpsets({ ...desired, ipsets }, { ...live, ipsets: live.ipsets.filter((s) => names.has(s.header.name)) }, services),
    iptables: desired.iptables === previous.iptables ? [] : diffIptables(desired.iptables, desired.family, live.iptables),
  };
}
