// One sync, straight down the layers and back once: the cluster objects and host facts go
// through the model (sync-model.ts), the desired state is diffed with the live kernel state
// (src/reconcile), the plan is applied through the kernel port (src/contracts/kernel-port.ts),
// and what happened comes back as a value for the logs, the audit trail and the metrics.
//
// The engine owns every choice between whole and incremental work, and keeps what those
// choices need between syncs: the model (a sync after a few changes validates and models only
// the changed objects), the graceful-termination state (which real servers are draining since
// when), the live state the last plan left (kept-live-state.ts) and the desired state that plan
// came from, so that a sync that is not a periodic resync reads from the kernel only the
// connection counts of the services whose real servers drain or leave, and diffs only what the
// model says changed.
import { desiredSetNames } from '../contracts/ipset-names.js';
import type { ApplyReport, KernelPort, NetlinkTraffic } from '../contracts/kernel-port.js';
import type { LiveState } from '../contracts/live-state.js';
import type { ServiceKey } from '../ipvs/types.js';
import { addressFamilyOf } from '../net/ip-family.js';
import type { ClusterObjects, DesiredState, HostFacts, ProxyModelConfig } from '../proxy/index.js';
import type { HealthCheckNodePorts } from '../proxy/health-check-node-ports.js';
import { applyPlanToLive } from '../reconcile/apply-to-live.js';
import { diffState, type DiffResult, type TerminatingRealServers } from '../reconcile/index.js';
import { indexLiveServices } from '../reconcile/live-index.js';
import {
  sameRealServers,
  servicesLosingRealServers,
  withRealServers,
  type FreshRealServers,
} from '../reconcile/live-refresh.js';
import type { ClusterChanges } from './change-feed.js';
import {
  chooseLiveStateRead,
  NOTHING_KEPT,
  type FullReadReason,
  type KeptLiveState,
  type LiveStateRead,
} from './kept-live-state.js';
import { SyncModel, type ModelInputRead } from './sync-model.js';
import type { AdmittedKind, AdmittedObject } from './admitted-object.js';
import type { SyncTrigger } from './sync-trigger.js';

export interface SyncEngineOptions {
  readonly kernel: KernelPort;
  readonly model: ProxyModelConfig;
  /** How long a TCP real server with connections may drain before it is deleted anyway. */
  readonly gracePeriodMs: number;
  readonly now: () => number;
}

/** Where the live state came from: a read of the whole kernel, or the kept state with the services whose real servers drain or leave read again. */
export type LiveStateOrigin =
  | { readonly kind: 'full'; readonly reason: FullReadReason }
  | { readonly kind: 'kept'; readonly refreshedServices: number };

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

export class SyncEngine {
  private terminating: TerminatingRealServers = new Map();
  private kept: KeptLiveState = NOTHING_KEPT;
  /** The desired state whose plan made the kept live state: a diff against the kept state compares only what changed since. */
  private applied: DesiredState | undefined;
  private readonly model: SyncModel;

  constructor(private readonly options: SyncEngineOptions) {
    this.model = new SyncModel(options.model);
  }

  /**
   * A Service or EndpointSlice validated on arrival, for the watch's cache to keep instead of
   * the object (admitted-object.ts): the model then holds each object once.
   */
  admit(kind: AdmittedKind, raw: unknown): AdmittedObject<AdmittedKind> {
    return this.model.admit(kind, raw);
  }

  /**
   * One sync. `trigger` is the daemon's pacing's: a 'requested' sync uses the live state kept
   * from the last one; 'periodic' (the default, always safe) and 'retry' read the kernel whole.
   * `changes` are the change feed's since the last sync; without them every object is read.
   */
  async sync(
    objects: ClusterObjects,
    host: HostFacts,
    trigger: SyncTrigger = 'periodic',
    changes?: ClusterChanges,
  ): Promise<SyncResult> {
    const { kernel, now } = this.options;
    const started = now();
    const { state: desired, read: modelRead } = this.model.desired(objects, host, changes, trigger);
    const healthCheckNodePorts = this.model.healthCheckNodePorts();
    const before = kernel.traffic;
    const read = chooseLiveStateRead(trigger, this.kept, this.terminating);
    // Whatever happens from here, the kept state is only valid again once a plan applied whole.
    this.kept = { missing: 'failed sync' };
    const { live, diff, origin } = await this.liveAndDiff(read, desired);
    const after = kernel.traffic;
    const source: LiveStateSource = {
      ...origin,
      netlink: {
        sendCalls: after.sendCalls - before.sendCalls,
        messagesSent: after.messagesSent - before.messagesSent,
      },
    };
    const report = await kernel.applyPlan(diff.plan);
    // A drain that failed is planned again from the live state (its weight is still above 0).
    this.terminating = diff.terminating;
    if (report.failed === 0) this.kept = this.stateAfter(live, diff, report);
    // A whole read's lists are indexed by the sync that read them, not by the first change after it.
    if (origin.kind === 'full' && 'live' in this.kept)
      for (const family of this.kept.live.families) indexLiveServices(family.virtualServers);
    this.applied = report.failed === 0 ? desired : undefined;
    return { desired, modelRead, healthCheckNodePorts, live, source, diff, report, durationMs: now() - started };
  }

  /**
   * The plan a first sync of `objects` would apply, read and diffed as that sync would, and not
   * applied (`kipvs diff`). Nothing is kept: the engine's next sync is still a first sync.
   */
  async firstPlan(
    objects: ClusterObjects,
    host: HostFacts,
  ): Promise<{ readonly desired: DesiredState; readonly live: LiveState; readonly diff: DiffResult }> {
    const { state: desired } = new SyncModel(this.options.model).desired(objects, host);
    const live = await this.readWhole(desired);
    return {
      desired,
      live,
      diff: diffState({
        desired,
        live,
        terminating: new Map(),
        now: this.options.now(),
        gracePeriodMs: this.options.gracePeriodMs,
      }),
    };
  }

  /** The live state `read` asks for, and the diff with it. */
  private async liveAndDiff(read: LiveStateRead, desired: DesiredState): Promise<LiveAndDiff> {
    const diffWith = (live: LiveState, previous?: DesiredState): DiffResult =>
      diffState({
        desired,
        live,
        terminating: this.terminating,
        now: this.options.now(),
        gracePeriodMs: this.options.gracePeriodMs,
        ...(previous ? { previous, changes: this.model.familyChanges() } : {}),
      });
    const { applied } = this;
    const kept = read.kind === 'kept' ? await this.fromKeptState(read, (live) => diffWith(live, applied)) : undefined;
    if (kept) return kept;
    const live = await this.readWhole(desired);
    return {
      live,
      diff: diffWith(live),
      origin: { kind: 'full', reason: read.kind === 'full' ? read.reason : 'kernel disagreed' },
    };
  }

  /** Everything a sync of `desired` may change, read from the kernel. */
  private readWhole(desired: DesiredState): Promise<LiveState> {
    return this.options.kernel.readLiveState({
      families: this.options.model.ipFamilies.map(addressFamilyOf),
      setNames: desiredSetNames(desired),
    });
  }

  /**
   * The kept state with fresh connection counts where they decide, and its diff: diffed once,
   * then again when the plan takes real servers from services not read yet and their fresh
   * counts differ from the kept ones. Undefined when the kept state proved stale.
   */
  private async fromKeptState(
    read: Extract<LiveStateRead, { kind: 'kept' }>,
    diffWith: (live: LiveState) => DiffResult,
  ): Promise<LiveAndDiff | undefined> {
    const draining = await this.realServersOf(read.refresh);
    if (!draining) return undefined;
    const counted = withRealServers(read.live, draining);
    const first = diffWith(counted);
    const losing = servicesLosingRealServers(first.plan, read.refresh);
    const origin: LiveStateOrigin = { kind: 'kept', refreshedServices: read.refresh.length + losing.length };
    const leaving = await this.realServersOf(losing);
    if (!leaving) return undefined;
    if (sameRealServers(counted, leaving)) return { live: counted, diff: first, origin };
    const recounted = withRealServers(counted, leaving);
    return { live: recounted, diff: diffWith(recounted), origin };
  }

  /** The real servers of each service, read again; undefined when one is gone (the kept state is stale). */
  private async realServersOf(services: readonly ServiceKey[]): Promise<FreshRealServers[] | undefined> {
    if (services.length === 0) return [];
    const lists = await this.options.kernel.readRealServers(services);
    return lists?.map((realServers, i) => ({ service: services[i] as ServiceKey, realServers }));
  }

  /** What the kernel holds after `diff.plan` applied whole to `live`. */
  private stateAfter(live: LiveState, diff: DiffResult, report: ApplyReport): KeptLiveState {
    const applied = applyPlanToLive(live, diff.plan, report.createdLink ? { createdLink: report.createdLink } : {});
    return applied.refusals.length === 0 ? { live: applied.live } : { missing: 'kernel disagreed' };
  }
}
