// What to do with a live real server that no Service wants any more, as
// kube-proxy's graceful termination manager (pkg/proxy/ipvs/graceful_termination.go)
// decides it: UDP and SCTP ones go at once (the kernel drops their flows on the
// next packet, net.ipv4.vs.expire_nodest_conn=1); a TCP one with connections is
// first set to weight 0, so it gets no new ones, and deleted once its active and
// inactive connections are gone. kube-proxy tries the delete first, so a TCP
// real server without connections goes at once whatever its weight.
//
// kube-proxy keeps the draining ones in memory and checks them every minute,
// without a deadline. kipvs keeps "since when" per real server (the caller
// holds the map between syncs) and gives up waiting after a grace period, so a
// client that never closes cannot keep a dead endpoint in the table forever.
import type { LiveRealServer, Protocol } from '../ipvs/types.js';

/** Real-server key (keys.ts realServerKeyText) → when it started terminating, in ms. */
export type TerminatingRealServers = ReadonlyMap<string, number>;

export type TerminationStep =
  /** Delete it now; the reason names why it may go. */
  | { readonly action: 'delete'; readonly reason: 'endpoint removed' | 'endpoint drained' | 'grace period over' }
  /** Set its weight to 0 and wait, terminating since `since`. */
  | { readonly action: 'drain'; readonly since: number }
  /** Already at weight 0 with connections left: wait, terminating since `since`. */
  | { readonly action: 'wait'; readonly since: number };

export interface TerminationClock {
  readonly now: number;
  readonly gracePeriodMs: number;
}

/**
 * The next step for `realServer` of a `protocol` virtual server, terminating since `since`
 * when an earlier sync started it (undefined: it starts now, also for one found at weight 0
 * after a restart, whose start kipvs cannot know).
 */
export function terminationStep(
  realServer: LiveRealServer,
  protocol: Protocol,
  since: number | undefined,
  clock: TerminationClock,
): TerminationStep {
  if (protocol !== 'tcp') return { action: 'delete', reason: 'endpoint removed' };
  // No counts: kipvs added it and has not read it since, so it has had no connections to drain.
  if ((realServer.activeConnections ?? 0) + (realServer.inactiveConnections ?? 0) === 0) {
    return { action: 'delete', reason: since === undefined ? 'endpoint removed' : 'endpoint drained' };
  }
  const started = since ?? clock.now;
  if (clock.now - started >= clock.gracePeriodMs) return { action: 'delete', reason: 'grace period over' };
  return realServer.weight > 0 ? { action: 'drain', since: started } : { action: 'wait', since: started };
}
