// One sync of the proxier, straight down the layers and back once: the
// cluster objects and host facts go through the pure model, the desired state
// is diffed with one read of the live kernel state, the plan is applied in
// batches, and what happened comes back as a value for the logs, the audit
// trail and the metrics. The graceful-termination state (which real servers
// are draining since when) is the only thing kept between syncs.
import type { ApplyReport, ConntrackFlowDeleter, IptablesToolset, KernelClients, LiveState } from '../kernel/index.js';
import { applyPlan, desiredSetNames, readLiveState } from '../kernel/index.js';
import type { IpFamily } from '../net/ip-address.js';
import { computeDesiredState, type DesiredState, type HostFacts, type ProxyModelConfig } from '../proxy/index.js';
import { ipvsFamily } from '../proxy/ip.js';
import { diffState, type DiffResult, type TerminatingRealServers } from '../reconcile/index.js';

/** The cluster objects as the watch holds them: raw, validated by the model. */
export interface ClusterObjects {
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  readonly node?: unknown;
}

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

export interface SyncResult {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly diff: DiffResult;
  readonly report: ApplyReport;
  /** Wall time of the whole sync, ms. */
  readonly durationMs: number;
}

export class Syncer {
  private terminating: TerminatingRealServers = new Map();

  constructor(private readonly options: SyncerOptions) {}

  /** The families the kernel layer reads, in the model's order. */
  private get families(): IpFamily[] {
    return this.options.model.ipFamilies.map(ipvsFamily);
  }

  /** The state the model asks for, without touching the kernel. */
  desired(objects: ClusterObjects, host: HostFacts): DesiredState {
    return computeDesiredState({ ...objects, host, config: this.options.model });
  }

  async sync(objects: ClusterObjects, host: HostFacts): Promise<SyncResult> {
    const { clients, iptables, linkName, now } = this.options;
    const started = now();
    const desired = this.desired(objects, host);
    const live = await readLiveState(clients, { families: this.families, linkName, setNames: desiredSetNames(desired), iptables });
    const diff = diffState({ desired, live, terminating: this.terminating, now: now(), gracePeriodMs: this.options.gracePeriodMs });
    const report = await applyPlan(diff.plan, { clients, linkName, iptables, ...(this.options.conntrack && { conntrack: this.options.conntrack }) });
    // A drain that failed is planned again from the live state (its weight is still above 0).
    this.terminating = diff.terminating;
    return { desired, live, diff, report, durationMs: now() - started };
  }
}
