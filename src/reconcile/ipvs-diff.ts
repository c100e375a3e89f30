// The IPVS part of a plan for one family: virtual servers and their real
// servers, as kube-proxy's syncService / syncEndpoint / cleanLegacyService
// converge them (pkg/proxy/ipvs/proxier.go), with graceful termination
// (graceful-termination.ts) for real servers no Service wants any more.
import type { LiveFamilyState } from '../contracts/live-state.js';
import type {
  IpvsOperation,
  LiveRealServer,
  LiveService,
  LiveVirtualServer,
  Protocol,
  RealServer,
  ServiceKey,
  VirtualServer,
} from '../ipvs/types.js';
import type { DesiredVirtualServer, FamilyState } from '../contracts/desired-state.js';
import { terminationStep, type TerminatingRealServers, type TerminationClock } from './graceful-termination.js';
import { realServerKeyText, virtualServerKeyText } from './keys.js';
import type { OwnershipTest } from './ownership.js';
import type { ChangeCause, ConntrackDeletion, PlannedChange } from '../contracts/plan.js';

type IpvsChange = PlannedChange<IpvsOperation>;

export interface IpvsFamilyDiff {
  /** Services added or edited, each followed by its real servers added or edited. */
  readonly additions: readonly IpvsChange[];
  /** Real servers set to weight 0. */
  readonly drains: readonly IpvsChange[];
  readonly realServerDeletes: readonly IpvsChange[];
  /** Each takes its real servers with it (ip_vs_del_service unlinks them all). */
  readonly serviceDeletes: readonly IpvsChange[];
  readonly conntrack: readonly PlannedChange<ConntrackDeletion>[];
  /** The real servers still terminating after this plan, with since when. */
  readonly terminating: readonly (readonly [string, number])[];
}

/** What differs between a desired and a live virtual server, as the cause names it. */
function serviceDrift(desired: VirtualServer, live: LiveVirtualServer): string[] {
  const a = desired.flags;
  const b = live.flags;
  // The kernel sets IP_VS_SVC_F_HASHED on every service it holds (ip_vs_svc_hash), so that bit is not compared.
  const flagsDiffer =
    a.persistent !== b.persistent ||
    a.onePacket !== b.onePacket ||
    a.sched1 !== b.sched1 ||
    a.sched2 !== b.sched2 ||
    a.sched3 !== b.sched3;
  const engineDiffers = (desired.persistenceEngine ?? '') !== (live.persistenceEngine ?? '');
  // Checked field by field first: most virtual servers are in sync.
  if (
    !flagsDiffer &&
    !engineDiffers &&
    desired.scheduler === live.scheduler &&
    desired.timeout === live.timeout &&
    desired.netmask === live.netmask
  )
    return [];
  return [
    desired.scheduler !== live.scheduler ? 'scheduler' : '',
    flagsDiffer ? 'flags' : '',
    desired.timeout !== live.timeout ? 'persistence timeout' : '',
    desired.netmask !== live.netmask ? 'netmask' : '',
    engineDiffers ? 'persistence engine' : '',
  ].filter((name) => name !== '');
}

function tunnelText(r: RealServer): string {
  return r.tunnel ? `${r.tunnel.type}|${r.tunnel.port}|${r.tunnel.flags}` : '';
}

/** What differs between a desired and a live real server; checked field by field first, as most are equal. */
function realServerDrift(desired: RealServer, live: RealServer): string[] {
  const same =
    desired.weight === live.weight &&
    desired.forwarding === live.forwarding &&
    desired.upperThreshold === live.upperThreshold &&
    desired.lowerThreshold === live.lowerThreshold &&
    desired.tunnel === undefined &&
    live.tunnel === undefined;
  if (same) return [];
  return [
    desired.weight !== live.weight ? 'weight' : '',
    desired.forwarding !== live.forwarding ? 'forwarding' : '',
    desired.upperThreshold !== live.upperThreshold ? 'upper threshold' : '',
    desired.lowerThreshold !== live.lowerThreshold ? 'lower threshold' : '',
    tunnelText(desired) !== tunnelText(live) ? 'tunnel' : '',
  ].filter((name) => name !== '');
}

/** The settable part of a live real server, without its counters. */
function settable(live: LiveRealServer): RealServer {
  const { family, address, port, forwarding, weight, upperThreshold, lowerThreshold, tunnel } = live;
  return { family, address, port, forwarding, weight, upperThreshold, lowerThreshold, ...(tunnel ? { tunnel } : {}) };
}

/** UDP and SCTP flows stay pinned to their conntrack entry; TCP ones end on the peer's reset. */
function conntrackProtocol(key: ServiceKey): { protocol: 'udp' | 'sctp'; address: string; port: number } | undefined {
  if ('fwmark' in key || key.protocol === 'tcp') return undefined;
  return { protocol: key.protocol, address: key.address, port: key.port };
}

/** A fwmark service may carry any protocol: its real servers drain as TCP ones do. */
function terminationProtocol(key: ServiceKey): Protocol {
  return 'fwmark' in key ? 'tcp' : key.protocol;
}

interface Output {
  readonly additions: IpvsChange[];
  readonly drains: IpvsChange[];
  readonly realServerDeletes: IpvsChange[];
  readonly serviceDeletes: IpvsChange[];
  readonly conntrack: PlannedChange<ConntrackDeletion>[];
  readonly terminating: [string, number][];
}

function addVirtualServer(d: DesiredVirtualServer, out: Output): void {
  const key = d.virtualServer.key;
  out.additions.push({
    op: { op: 'add-service', service: d.virtualServer },
    cause: { service: d.service, reason: 'new virtual server' },
  });
  // One cause for all of them: a first sync plans 500,000 of these at 50,000 Services.
  const cause: ChangeCause = { service: d.service, reason: 'endpoint added' };
  for (const realServer of d.realServers)
    out.additions.push({ op: { op: 'add-real-server', service: key, realServer }, cause });
}

export interface IpvsDiffContext {
  readonly terminating: TerminatingRealServers;
  readonly clock: TerminationClock;
}

/** Whether the live real servers are the desired ones, address and port, in the same order. */
function sameRealServerOrder(desired: readonly RealServer[], live: readonly LiveRealServer[]): boolean {
  if (desired.length !== live.length) return false;
  for (let i = 0; i < desired.length; i++) {
    const d = desired[i] as RealServer;
    const l = live[i] as LiveRealServer;
    if (d.address !== l.address || d.port !== l.port) return false;
  }
  return true;
}

function syncVirtualServer(d: DesiredVirtualServer, live: LiveService, ctx: IpvsDiffContext, out: Output): void {
  const key = d.virtualServer.key;
  const cause = (reason: string): ChangeCause => ({ service: d.service, reason });
  let added: ChangeCause | undefined;
  const drift = serviceDrift(d.virtualServer, live.service);
  if (drift.length > 0)
    out.additions.push({
      op: { op: 'edit-service', service: d.virtualServer },
      cause: cause(`drifted ${drift.join(', ')}`),
    });

  // Live real servers by address and port; the ones left once the desired are taken out are stale.
  // The kernel lists a service's real servers in the order they were added, which is the
  // desired order when kipvs added them: then they pair up by position, with no key text or
  // map for each (a periodic resync at 50,000 Services compares 500,000).
  const aligned = sameRealServerOrder(d.realServers, live.realServers);
  const unwanted = aligned ? undefined : new Map(live.realServers.map((r) => [`${r.address}|${r.port}`, r]));
  for (const [i, realServer] of d.realServers.entries()) {
    let found: LiveRealServer | undefined;
    if (aligned) found = live.realServers[i];
    else {
      const id = `${realServer.address}|${realServer.port}`;
      found = unwanted?.get(id);
      unwanted?.delete(id);
    }
    if (!found) {
      added ??= cause('endpoint added');
      out.additions.push({ op: { op: 'add-real-server', service: key, realServer }, cause: added });
      continue;
    }
    const rsDrift = realServerDrift(realServer, found);
    if (rsDrift.length === 0) continue;
    // A terminating endpoint that is wanted again goes back to its weight.
    const reason =
      found.weight === 0 && rsDrift.includes('weight') ? 'endpoint ready again' : `drifted ${rsDrift.join(', ')}`;
    out.additions.push({ op: { op: 'edit-real-server', service: key, realServer }, cause: cause(reason) });
  }

  const flows = conntrackProtocol(key);
  // kube-proxy clears a UDP service's flows when it gains endpoints after having none: packets
  // sent meanwhile left entries that would keep steering the client nowhere
  // (pkg/proxy/conntrack/cleanup.go).
  if (flows && live.realServers.length === 0 && d.realServers.length > 0) {
    out.conntrack.push({
      op: { family: key.family, protocol: flows.protocol, destination: flows.address, destinationPort: flows.port },
      cause: cause('endpoints available'),
    });
  }

  const protocol = terminationProtocol(key);
  for (const stale of unwanted?.values() ?? []) {
    const id = realServerKeyText(key, stale);
    const step = terminationStep(stale, protocol, ctx.terminating.get(id), ctx.clock);
    if (step.action === 'delete') {
      out.realServerDeletes.push({
        op: {
          op: 'delete-real-server',
          service: key,
          realServer: { family: stale.family, address: stale.address, port: stale.port },
        },
        cause: cause(step.reason),
      });
      if (flows) {
        out.conntrack.push({
          op: {
            family: key.family,
            protocol: flows.protocol,
            destination: flows.address,
            destinationPort: flows.port,
            replySource: stale.address,
            replySourcePort: stale.port,
          },
          cause: cause('endpoint removed'),
        });
      }
      continue;
    }
    if (step.action === 'drain') {
      out.drains.push({
        op: { op: 'edit-real-server', service: key, realServer: { ...settable(stale), weight: 0 } },
        cause: cause('endpoint terminating'),
      });
    }
    out.terminating.push([id, step.since]);
  }
}

export function diffIpvs(
  desired: FamilyState,
  live: LiveFamilyState | undefined,
  owned: OwnershipTest,
  ctx: IpvsDiffContext,
): IpvsFamilyDiff {
  const out: Output = {
    additions: [],
    drains: [],
    realServerDeletes: [],
    serviceDeletes: [],
    conntrack: [],
    terminating: [],
  };
  const liveByKey = new Map((live?.virtualServers ?? []).map((l) => [virtualServerKeyText(l.service.key), l]));
  const wanted = new Set<string>();
  for (const d of desired.virtualServers) {
    const keyText = virtualServerKeyText(d.virtualServer.key);
    wanted.add(keyText);
    const found = liveByKey.get(keyText);
    if (found) syncVirtualServer(d, found, ctx, out);
    else addVirtualServer(d, out);
  }
  for (const [keyText, stale] of liveByKey) {
    const key = stale.service.key;
    if (wanted.has(keyText) || !owned(key)) continue;
    const cause: ChangeCause = { reason: 'stale virtual server' };
    out.serviceDeletes.push({ op: { op: 'delete-service', key }, cause });
    const flows = conntrackProtocol(key);
    if (flows)
      out.conntrack.push({
        op: { family: key.family, protocol: flows.protocol, destination: flows.address, destinationPort: flows.port },
        cause,
      });
  }
  return out;
}
