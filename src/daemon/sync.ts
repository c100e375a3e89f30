// One sync of the proxier, straight down the layers and back once: the
// cluster objects and host facts go through the pure model, the desired state
// is diffed with the live kernel state, the plan is applied in batches, and
// what happened comes back as a value for the logs, the audit trail and the
// metrics. Three things are kept between syncs: the model (sync-model.ts: a
// sync after a few changes validates and models only the changed objects), the
// graceful-termination state (which real servers are draining since when) and
// the live state the last plan left (live-state-cache.ts), so that a sync that
// is not a periodic resync reads from the kernel only the connection counts of
// the services whose real servers drain or leave, and diffs only what the
// model says changed.
import type { ApplyReport, ConntrackFlowDeleter, IptablesToolset, KernelClients, LiveState, NetlinkTraffic } from '../kernel/index.js';
import { applyPlan, desiredSetNames, readLiveState } from '../kernel/index.js';
import { IpvsError, type LiveRealServer, type ServiceKey } from '../ipvs/index.js';
import type { IpFamily } from '../net/ip-address.js';
import type { ClusterObjects, DesiredState, HostFacts, ProxyModelConfig } from '../proxy/index.js';
import type { HealthCheckNodePorts } from '../proxy/health-check-node-ports.js';
import { ipvsFamily } from '../proxy/ip.js';
import { applyPlanToLive } from '../reconcile/apply-to-live.js';
import { diffState, type DiffResult, type TerminatingRealServers } from '../reconcile/index.js';
import { virtualServerKeyText } from '../reconcile/keys.js';
import { indexLiveServices } from '../reconcile/live-index.js';
import { chooseLiveStateRead, EMPTY_CACHE, sameRealServers, servicesLosingRealServers, withRealServers, type CachedLiveState, type FullReadReason, type LiveStateRead } from './live-state-cache.js';
import type { ClusterChanges } from './change-feed.js';
import type { SyncTrigger } from './sync-runner.js';
import { SyncModel, type ModelInputRead } from './sync-model.js';

export type { ClusterObjects };

export interface SyncerOptions {
  readonly clients: KernelClients;
  readonly iptables: IptablesToolset;
  readonly conntrack?: ConntrackFlowDeleter;
  readonly linkName: string;
  readonly model: ProxyModelConfig;
  /** How long a TCP real server with connections may drain before it is deleted anyway. */
  readonly gracePeriodMs: number;
  readonly now: () => number;
}

/** Where the live state came from: a read of the whole kernel, or the kept state with the services whose real servers drain or leave read again. */
export type LiveStateOrigin = { readonly kind: 'full'; readonly reason: FullReadReason } | { readonly kind: 'cached'; readonly refreshedServices: number };

/** How the live state was got, and what getting it cost. */
export type LiveStateSource = LiveStateOrigin & {
  /** The read's netlink traffic (0 messages for the kept state as it is). */
  readonly netlink: NetlinkTraffic;
};

export interface SyncResult {
  readonly desired: DesiredState;
  /** Whether the model read only the changed objects, or every object and why. */
  readonly modelRead: ModelInputRead;
  /** The Services whose health check node ports this node serves (healthCheckNodePorts of the objects). */
  readonly healthCheckNodePorts: HealthCheckNodePorts;
  readonly live: LiveState;
  readonly source: LiveStateSource;
  readonly diff: DiffResult;
  readonly report: ApplyReport;
  /** Wall time of the whole sync, ms. */
  readonly durationMs: number;
}

interface LiveAndDiff {
  readonly live: LiveState;
  readonly diff: DiffResult;
  readonly origin: LiveStateOrigin;
}

export class Syncer {
  private terminating: TerminatingRealServers = new Map();
  private cached: CachedLiveState = EMPTY_CACHE;
  /** The desired state whose plan made the kept live state: a diff against the kept state compares only what changed since. */
  private applied: DesiredState | undefined;
  private readonly model: SyncModel;

  constructor(private readonly options: SyncerOptions) {
    this.model = new SyncModel(options.model);
  }

  /** The families the kernel layer reads, in the model's order. */
  private get families(): IpFamily[] {
    return this.options.model.ipFamilies.map(ipvsFamily);
  }

  /**
   * One sync. `trigger` is the runner's (sync-runner.ts): a 'requested' sync uses the live
   * state kept from the last one; 'periodic' (the default, always safe) and 'retry' read
   * the kernel whole.
   */
  async sync(objects: ClusterObjects, host: HostFacts, trigger: SyncTrigger = 'periodic', changes?: ClusterChanges): Promise<SyncResult> {
    const { clients, iptables, linkName, now } = this.options;
    const started = now();
    const { state: desired, read: modelRead } = this.model.desired(objects, host, changes, trigger);
    const healthCheckNodePorts = this.model.healthCheckNodePorts();
    const before = clients.traffic;
    const read = chooseLiveStateRead(trigger, this.cached, this.terminating);
    // Whatever happens from here, the kept state is only valid again once a plan applied whole.
    this.cached = { missing: 'failed sync' };
    const { live, diff, origin } = await this.liveAndDiff(read, desired);
    const after = clients.traffic;
    const source: LiveStateSource = { ...origin, netlink: { sendCalls: after.sendCalls - before.sendCalls, messagesSent: after.messagesSent - before.messagesSent } };
    const report = await applyPlan(diff.plan, { clients, linkName, iptables, ...(this.options.conntrack && { conntrack: this.options.conntrack }) });
    // A drain that failed is planned again from the live state (its weight is still above 0).
    this.terminating = diff.terminating;
    if (report.failed === 0) this.cached = await this.stateAfter(live, diff);
    if (origin.kind === 'full' && 'live' in this.cached) for (const family of this.cached.live.families) indexLiveServices(family.virtualServers);
    this.applied = report.failed === 0 ? desired : undefined;
    return { desired, modelRead, healthCheckNodePorts, live, source, diff, report, durationMs: now() - started };
  }

  /** The live state `read` asks for, and the diff with it. */
  private async liveAndDiff(read: LiveStateRead, desired: DesiredState): Promise<LiveAndDiff> {
    const diffWith = (live: LiveState, previous?: DesiredState): DiffResult =>
      diffState({ desired, live, terminating: this.terminating, now: this.options.now(), gracePeriodMs: this.options.gracePeriodMs, ...(previous ? { previous, changes: this.model.familyChanges() } : {}) });
    const { applied } = this;
    const kept = read.kind === 'cached' ? await this.fromKeptState(read, (live) => diffWith(live, applied)) : undefined;
    if (kept) return kept;
    const { clients, iptables, linkName } = this.options;
    const live = await readLiveState(clients, { families: this.families, linkName, setNames: desiredSetNames(desired), iptables });
    return { live, diff: diffWith(live), origin: { kind: 'full', reason: read.kind === 'full' ? read.reason : 'kernel disagreed' } };
  }

  /**
   * The kept state with fresh connection counts where they decide, and its diff: diffed once,
   * then again when the plan takes real servers from services not read yet and their fresh
   * counts differ from the kept ones. Undefined when the kept state proved stale.
   */
  private async fromKeptState(read: Extract<LiveStateRead, { kind: 'cached' }>, diffWith: (live: LiveState) => DiffResult): Promise<LiveAndDiff | undefined> {
    const draining = await this.realServersOf(read.refresh);
    if (!draining) return undefined;
    const counted = withRealServers(read.live, draining);
    const first = diffWith(counted);
    const losing = servicesLosingRealServers(first.plan, read.refresh);
    const origin: LiveStateOrigin = { kind: 'cached', refreshedServices: read.refresh.length + losing.length };
    const leaving = await this.realServersOf(losing);
    if (!leaving) return undefined;
    if (sameRealServers(counted, leaving)) return { live: counted, diff: first, origin };
    const recounted = withRealServers(counted, leaving);
    return { live: recounted, diff: diffWith(recounted), origin };
  }

  /** The real servers of each service, read again, by key text; undefined when one is gone (the kept state is stale). */
  private async realServersOf(keys: readonly ServiceKey[]): Promise<Map<string, LiveRealServer[]> | undefined> {
    try {
      const lists = await Promise.all(keys.map((key) => this.options.clients.ipvs.listRealServers(key)));
      return new Map(keys.map((key, i) => [virtualServerKeyText(key), lists[i] ?? []]));
    } catch (err) {
      if (err instanceof IpvsError) return undefined;
      throw err;
    }
  }

  /** What the kernel holds after `diff.plan` applied whole to `live`. */
  private async stateAfter(live: LiveState, diff: DiffResult): Promise<CachedLiveState> {
    const link = diff.plan.createLink ? await this.options.clients.route.getLink(this.options.linkName) : undefined;
    const applied = applyPlanToLive(live, diff.plan, link ? { createdLink: { index: link.index, up: link.up } } : {});
    return applied.refusals.length === 0 ? { live: applied.live } : { missing: 'kernel disagreed' };
  }
}
