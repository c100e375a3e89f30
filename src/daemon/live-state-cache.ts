// The live state kept between syncs, so that a sync costs kernel work in proportion
// to what changed, not to the table: one read of 10,000 services x 10 real servers is
// 10,000 GET_DEST dumps, while one endpoint change is one or two messages.
//
// After a plan the kernel applied whole, the kernel holds the state read before it with
// the plan applied (src/reconcile/apply-to-live.ts); the next sync diffs against that.
// The kernel is read whole again
// - on the first sync (nothing kept yet) and after a restart (a new Syncer adopts what
//   the kernel holds: an empty plan when it is in sync);
// - on every periodic sync: kube-proxy's syncPeriod resync is what repairs drift (someone
//   ran `ipvsadm -C`, deleted an address or a set member), so it must see the kernel;
// - on a retry, and after a sync that failed or had any failed change: what a half-applied
//   batch left is known only to the kernel;
// - when the kept state and the kernel disagree: apply-to-live saw something the kernel
//   would refuse although the kernel took it, or a service to read again is gone.
// Otherwise the kept state is used as it is, but for connection counts, which only the
// kernel knows: whether a real server that leaves is drained or deleted at once, and when a
// draining one may go, depends on its connections now (graceful-termination.ts). So the
// services with a draining real server are read again before the diff, and the services the
// diff then takes a real server from are read again, and diffed once more when their counts
// changed (one GET_DEST dump per service: O(changes)).
//
// iptables: the kept state holds the rules kipvs wrote, exactly as valid as its IPVS part,
// so the cached path runs no iptables-save (two process starts per family); rules changed
// behind kipvs's back are repaired by the periodic resync, like everything else.
//
// Services are found by key through the kept lists' index (src/reconcile/live-index.ts), so
// none of this walks the table. Pure: no I/O, no clock; the Syncer does the reads this decides.
import type { LiveRealServer, LiveService, ServiceKey } from '../ipvs/types.js';
import type { LiveState } from '../contracts/live-state.js';
import type { Plan } from '../contracts/plan.js';
import type { TerminatingRealServers } from '../reconcile/graceful-termination.js';
import { virtualServerKeyText } from '../reconcile/keys.js';
import { liveServiceAt, withLiveServices } from '../reconcile/live-index.js';
import type { SyncTrigger } from './sync-runner.js';

export type FullReadReason = 'first sync' | 'periodic resync' | 'retry' | 'failed sync' | 'kernel disagreed';

/** How a sync gets the live state it diffs against. */
export type LiveStateRead =
  | { readonly kind: 'full'; readonly reason: FullReadReason }
  /** The kept state, with the real servers of `refresh` (services with draining real servers) read again. */
  | { readonly kind: 'cached'; readonly live: LiveState; readonly refresh: readonly ServiceKey[] };

/** What the cache holds: the state after the last sync, or why there is none. */
export type CachedLiveState = { readonly live: LiveState } | { readonly missing: FullReadReason };

export const EMPTY_CACHE: CachedLiveState = { missing: 'first sync' };

/** The read a sync of `trigger` needs, given what is kept and which real servers are draining. */
export function chooseLiveStateRead(trigger: SyncTrigger, cached: CachedLiveState, terminating: TerminatingRealServers): LiveStateRead {
  if ('missing' in cached) return { kind: 'full', reason: cached.missing };
  if (trigger === 'periodic') return { kind: 'full', reason: 'periodic resync' };
  if (trigger === 'retry') return { kind: 'full', reason: 'retry' };
  return { kind: 'cached', live: cached.live, refresh: servicesWithDraining(cached.live, terminating) };
}

/** The services of `live` that have a real server in `terminating` (keys.ts realServerKeyText: "SERVICE>ADDRESS|PORT"). */
export function servicesWithDraining(live: LiveState, terminating: TerminatingRealServers): ServiceKey[] {
  if (terminating.size === 0) return [];
  // An address never holds '>', so the service's key text is what comes before it.
  const draining = new Set([...terminating.keys()].map((key) => key.slice(0, key.indexOf('>'))));
  // In key text order: the same services are read in the same order whatever order they began draining in.
  return live.families.flatMap((f) => [...draining].sort().flatMap((key) => liveServiceAt(f.virtualServers, key)?.service.key ?? []));
}

/** `live` with the real servers of the services in `fresh` replaced by those just read. */
export function withRealServers(live: LiveState, fresh: ReadonlyMap<string, readonly LiveRealServer[]>): LiveState {
  if (fresh.size === 0) return live;
  return {
    ...live,
    families: live.families.map((f) => {
      const replaced = new Map<string, LiveService>();
      for (const [key, realServers] of fresh) {
        const found = liveServiceAt(f.virtualServers, key);
        if (found) replaced.set(key, { service: found.service, realServers });
      }
      return { ...f, virtualServers: withLiveServices(f.virtualServers, replaced) };
    }),
  };
}

/**
 * The services `plan` takes a real server from (a delete, or a drain to weight 0) that are not
 * in `alreadyRead`: their real servers' connection counts must be read before the plan holds.
 */
export function servicesLosingRealServers(plan: Plan, alreadyRead: readonly ServiceKey[]): ServiceKey[] {
  const read = new Set(alreadyRead.map(virtualServerKeyText));
  const losing = new Map<string, ServiceKey>();
  for (const phase of plan.phases) {
    if (phase.kind !== 'ipvs') continue;
    for (const { op } of phase.changes) {
      const leaves = op.op === 'delete-real-server' || (op.op === 'edit-real-server' && op.realServer.weight === 0);
      if (leaves && !read.has(virtualServerKeyText(op.service))) losing.set(virtualServerKeyText(op.service), op.service);
    }
  }
  return [...losing.values()];
}

/** A real server as the diff sees it: everything but its traffic counters, in one order whoever built it. */
function diffedFields(r: LiveRealServer): string {
  const tunnel = r.tunnel ? `${r.tunnel.type}/${r.tunnel.port}/${r.tunnel.flags}` : '';
  return [r.family, r.address, r.port, r.forwarding, r.weight, r.upperThreshold, r.lowerThreshold, tunnel, r.activeConnections, r.inactiveConnections, r.persistentConnections].join('|');
}

/**
 * Whether the real servers just read (`fresh`, by service key text) are those `live` holds:
 * then a diff of `live` with them is the diff already made, and need not be made again.
 */
export function sameRealServers(live: LiveState, fresh: ReadonlyMap<string, readonly LiveRealServer[]>): boolean {
  return [...fresh].every(([key, realServers]) => {
    const kept = live.families.map((f) => liveServiceAt(f.virtualServers, key)).find((s) => s !== undefined)?.realServers;
    if (kept === undefined || kept.length !== realServers.length) return false;
    const keptTexts = new Set(kept.map(diffedFields));
    return realServers.every((r) => keptTexts.has(diffedFields(r)));
  });
}
