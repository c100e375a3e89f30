// A kept live state brought up to date with real servers read again. Only the kernel knows a
// real server's connection counts, and they decide whether one that leaves is drained or
// deleted at once (graceful-termination.ts); so a sync that diffs against the state it kept
// (src/sync) first reads again the services whose real servers drain, then those its plan
// takes a real server from. These functions say which services those are and put what was
// read into the kept state; virtual servers are found through the kept lists' index
// (live-index.ts), so none of this walks the table. The key texts stay this layer's own.
import type { LiveState } from '../contracts/live-state.js';
import type { Plan } from '../contracts/plan.js';
import type { LiveRealServer, LiveService, ServiceKey } from '../ipvs/types.js';
import type { TerminatingRealServers } from './graceful-termination.js';
import { virtualServerKeyText } from './keys.js';
import { liveServiceAt, withLiveServices } from './live-index.js';

/** A service's real servers as just read from the kernel. */
export interface FreshRealServers {
  readonly service: ServiceKey;
  readonly realServers: readonly LiveRealServer[];
}

/** The services of `live` that have a real server in `terminating`, in key order (the same services read in the same order whenever they began draining). */
export function servicesWithDraining(live: LiveState, terminating: TerminatingRealServers): ServiceKey[] {
  if (terminating.size === 0) return [];
  // A real server's key text is its service's, '>', then its own (keys.ts); an address never holds '>'.
  const draining = new Set([...terminating.keys()].map((key) => key.slice(0, key.indexOf('>'))));
  return live.families.flatMap((f) =>
    [...draining].sort().flatMap((key) => liveServiceAt(f.virtualServers, key)?.service.key ?? []),
  );
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
      if (leaves && !read.has(virtualServerKeyText(op.service)))
        losing.set(virtualServerKeyText(op.service), op.service);
    }
  }
  return [...losing.values()];
}

/** `live` with the real servers of the services in `fresh` replaced by those just read. */
export function withRealServers(live: LiveState, fresh: readonly FreshRealServers[]): LiveState {
  if (fresh.length === 0) return live;
  return {
    ...live,
    families: live.families.map((f) => {
      const replaced = new Map<string, LiveService>();
      for (const { service, realServers } of fresh) {
        const key = virtualServerKeyText(service);
        const found = liveServiceAt(f.virtualServers, key);
        if (found) replaced.set(key, { service: found.service, realServers });
      }
      return { ...f, virtualServers: withLiveServices(f.virtualServers, replaced) };
    }),
  };
}

/** A real server as the diff sees it: everything but its traffic counters, in one order whoever built it. */
function diffedFields(r: LiveRealServer): string {
  const tunnel = r.tunnel ? `${r.tunnel.type}/${r.tunnel.port}/${r.tunnel.flags}` : '';
  return [
    r.family,
    r.address,
    r.port,
    r.forwarding,
    r.weight,
    r.upperThreshold,
    r.lowerThreshold,
    tunnel,
    r.activeConnections ?? 0,
    r.inactiveConnections ?? 0,
    r.persistentConnections ?? 0,
  ].join('|');
}

/**
 * Whether the real servers just read are those `live` holds: then a diff of `live` with them
 * is the diff already made, and need not be made again.
 */
export function sameRealServers(live: LiveState, fresh: readonly FreshRealServers[]): boolean {
  return fresh.every(({ service, realServers }) => {
    const key = virtualServerKeyText(service);
    const kept = live.families
      .map((f) => liveServiceAt(f.virtualServers, key))
      .find((s) => s !== undefined)?.realServers;
    if (kept === undefined || kept.length !== realServers.length) return false;
    const keptTexts = new Set(kept.map(diffedFields));
    return realServers.every((r) => keptTexts.has(diffedFields(r)));
  });
}
