// The live state kept between syncs, so that a sync costs kernel work in proportion
// to what changed, not to the table: one read of 10,000 services x 10 real servers is
// 10,000 GET_DEST dumps, while one endpoint change is one or two messages.
//
// After a plan the kernel applied whole, the kernel holds the state read before it with
// the plan applied (src/reconcile/apply-to-live.ts); the next sync diffs against that.
// The kernel is read whole again
// - on the first sync (nothing kept yet) and after a restart (a new engine adopts what
//   the kernel holds: an empty plan when it is in sync);
// - on every periodic sync: kube-proxy's syncPeriod resync is what repairs drift (someone
//   ran `ipvsadm -C`, deleted an address or a set member), so it must see the kernel;
// - on a retry, and after a sync that failed or had any failed change: what a half-applied
//   batch left is known only to the kernel;
// - when the kept state and the kernel disagree: apply-to-live saw something the kernel
//   would refuse although the kernel took it, or a service to read again is gone.
// Otherwise the kept state is used as it is, but for connection counts, which only the
// kernel knows: the services with a draining real server are read again before the diff,
// and those the diff then takes a real server from (src/reconcile/live-refresh.ts).
//
// iptables: the kept state holds the rules kipvs wrote, exactly as valid as its IPVS part,
// so the kept path runs no iptables-save (two process starts per family); rules changed
// behind kipvs's back are repaired by the periodic resync, like everything else.
//
// Pure: no I/O, no clock; the engine does the reads this decides.
import type { LiveState } from '../contracts/live-state.js';
import type { ServiceKey } from '../ipvs/types.js';
import type { TerminatingRealServers } from '../reconcile/graceful-termination.js';
import { servicesWithDraining } from '../reconcile/live-refresh.js';
import type { SyncTrigger } from './sync-trigger.js';

export type FullReadReason = 'first sync' | 'periodic resync' | 'retry' | 'failed sync' | 'kernel disagreed';

/** How a sync gets the live state it diffs against. */
export type LiveStateRead =
  | { readonly kind: 'full'; readonly reason: FullReadReason }
  /** The kept state, with the real servers of `refresh` (services with draining real servers) read again. */
  | { readonly kind: 'kept'; readonly live: LiveState; readonly refresh: readonly ServiceKey[] };

/** What the engine keeps: the state after the last sync, or why there is none. */
export type KeptLiveState = { readonly live: LiveState } | { readonly missing: FullReadReason };

export const NOTHING_KEPT: KeptLiveState = { missing: 'first sync' };

/** The read a sync of `trigger` needs, given what is kept and which real servers are draining. */
export function chooseLiveStateRead(
  trigger: SyncTrigger,
  kept: KeptLiveState,
  terminating: TerminatingRealServers,
): LiveStateRead {
  if ('missing' in kept) return { kind: 'full', reason: kept.missing };
  if (trigger === 'periodic') return { kind: 'full', reason: 'periodic resync' };
  if (trigger === 'retry') return { kind: 'full', reason: 'retry' };
  return { kind: 'kept', live: kept.live, refresh: servicesWithDraining(kept.live, terminating) };
}
