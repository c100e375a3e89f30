// The proxier: cluster changes in, paced syncs out, and everything a sync
// did reported to the operator's tools. It decides when to sync (SyncRunner),
// runs one (SyncEngine), and tells the logs, the audit trail, the metrics, the
// health servers and the service health-check ports what happened.
import type { SyncTrigger } from '../sync/sync-trigger.js';
import type { ClusterChange } from '../sync/cluster-change.js';
import type { IpFamily } from '../net/ip-family.js';
import type { AppliedChange } from '../contracts/kernel-port.js';
import type { HealthCheckNodePorts } from '../proxy/health-check-node-ports.js';
import { renderProblem, type HostFacts, type Problem, type ProxyModelConfig } from '../proxy/index.js';
import { formatPlanSummary, summarizePlan } from '../reconcile/index.js';
import type { KernelChangeKind } from './audit/audit-entry.js';
import type { AuditLog } from './audit/audit-log.js';
import { auditEntries, kindOf, opOf } from './audit/kernel-change.js';
import { ChangeFeed } from '../sync/change-feed.js';
import type { ClusterSource, ClusterSourceFactory } from './cluster-source.js';
import type { ProxierHealth } from './health/proxier-health.js';
import { IptablesFailureReport } from './iptables-failures.js';
import type { Logger } from './log/logger.js';
import type { ChangeSource, ProxyMetrics } from './metrics/proxy-metrics.js';
import type { NodeEventRecorder } from './node-events.js';
import type { ServiceHealthServers } from './service-health/service-health-servers.js';
import { syncLogLine } from './sync-log.js';
import { SyncRunner } from './sync-runner.js';
import type { SyncEngine } from '../sync/sync-engine.js';

export interface ProxierOptions {
  readonly model: ProxyModelConfig;
  readonly engine: SyncEngine;
  /** The host facts the model needs, observed afresh at each sync (host-observer.ts). */
  readonly observeHost: (node: unknown) => Promise<HostFacts>;
  readonly cluster: ClusterSourceFactory;
  readonly log: Logger;
  readonly audit: AuditLog;
  readonly metrics: ProxyMetrics;
  readonly health: ProxierHealth;
  readonly serviceHealth: ServiceHealthServers;
  /** minSyncPeriod and syncPeriod, ms. */
  readonly minSyncPeriodMs: number;
  readonly syncPeriodMs: number;
  /**
   * Where Warning Events go: on the Node when a sync's iptables part fails, on a Service whose
   * scheduler annotation is not honoured; none: logs and metrics only.
   */
  readonly events?: NodeEventRecorder;
  readonly now?: () => number;
}

const SOURCE_OF: Record<ClusterChange['kind'], ChangeSource | undefined> = {
  Service: 'service',
  EndpointSlice: 'endpoints',
  Node: undefined,
};

export class Proxier {
  private readonly cluster: ClusterSource;
  private readonly runner: SyncRunner;
  private readonly now: () => number;
  private pending: Record<ChangeSource, number> = { service: 0, endpoints: 0 };
  private triggerTimes: number[] = [];
  /** A turn's changes wait for queue() (one per turn of the event loop). */
  private queueing = false;
  private syncs = 0;
  private reportedProblems = new Set<string>();
  /** What changed since the last sync, handed to the sync engine with the snapshot. */
  private readonly feed = new ChangeFeed();
  private readonly iptablesFailures: IptablesFailureReport;

  constructor(private readonly options: ProxierOptions) {
    this.now = options.now ?? Date.now;
    this.iptablesFailures = new IptablesFailureReport(options.metrics, options.events);
    this.cluster = options.cluster({
      admit: (kind, reduced) => options.engine.admit(kind, reduced),
      onChange: (change) => this.changed(change),
      onSynced: () => this.runner.request(),
      onRelisted: () => this.feed.relisted(),
      onWatchError: (resource, reason) => options.metrics.recordWatchError(resource, reason),
      onApiServerProblem: (problem) => options.health.apiServerProblem(problem),
    });
    this.runner = new SyncRunner({
      minIntervalMs: options.minSyncPeriodMs,
      maxIntervalMs: options.syncPeriodMs,
      // kube-proxy retries a failed sync at its next period at the latest; start sooner.
      retryMinMs: Math.max(options.minSyncPeriodMs, 1_000),
      sync: (trigger) => this.sync(trigger),
    });
  }

  private get families(): readonly IpFamily[] {
    return this.options.model.ipFamilies;
  }

  start(): void {
    this.cluster.start();
    this.runner.start();
  }

  /** Stops watching and syncing; the kernel state stays as it is. */
  async stop(): Promise<void> {
    await this.cluster.stop();
    await this.runner.stop();
  }

  private changed(change: ClusterChange): void {
    this.feed.record(change);
    const source = SOURCE_OF[change.kind];
    if (source) {
      this.pending[source] += 1;
      this.options.metrics.recordChangeSeen(source);
    }
    if (change.triggerTime !== undefined) this.triggerTimes.push(change.triggerTime);
    // A list page or a watch chunk hands over hundreds of changes in one turn of the event
    // loop: the clock, the gauges, the health's queue time and the sync request are taken
    // once for them all. Per change (100,000 on a first list at 50,000 Services) a clock
    // read is a syscall (0.1 ms in UML) and the sync timer was re-armed each time.
    if (!this.queueing) {
      this.queueing = true;
      queueMicrotask(() => this.queue());
    }
  }

  /** The changes of this turn queued for a sync. */
  private queue(): void {
    this.queueing = false;
    const { metrics, health } = this.options;
    metrics.recordPendingChanges(this.pending);
    const at = this.now();
    for (const family of this.families) {
      health.queuedUpdate(family);
      metrics.recordQueued(family, at);
    }
    this.runner.request();
  }

  private async sync(trigger: SyncTrigger): Promise<boolean> {
    const { log, metrics, health } = this.options;
    if (!this.cluster.hasSynced()) {
      log.v(2).info('Waiting for the first lists of Services, EndpointSlices and the Node before syncing');
      return true;
    }
    const syncId = `${++this.syncs}`;
    const changesSeen = this.pending.service + this.pending.endpoints;
    const triggerTimes = this.triggerTimes;
    this.pending = { service: 0, endpoints: 0 };
    this.triggerTimes = [];
    metrics.recordPendingChanges(this.pending);

    // Taken together: the changes say what differs in this snapshot from the previous one.
    const objects = this.cluster.snapshot();
    const changes = this.feed.take();
    if (objects.node !== undefined) health.syncNode(objects.node);
    let failed: number;
    let healthCheckNodePorts: HealthCheckNodePorts;
    let applied: readonly AppliedChange[];
    try {
      const host = await this.options.observeHost(objects.node);
      const result = await this.options.engine.sync(objects, host, trigger, changes);
      failed = result.report.failed;
      healthCheckNodePorts = result.healthCheckNodePorts;
      // Changes a periodic sync makes when no object changed are someone else's edits undone.
      const drift = trigger === 'periodic' && changesSeen === 0;
      applied = result.report.changes;
      const counts = new Map<string, { kind: KernelChangeKind; op: string; result: 'ok' | 'error'; n: number }>();
      for (const change of applied) {
        const kind = kindOf(change.change);
        const op = opOf(change.change);
        const outcome = change.result.ok ? 'ok' : 'error';
        const key = `${kind} ${op} ${outcome}`;
        const count = counts.get(key);
        if (count) count.n += 1;
        else counts.set(key, { kind, op, result: outcome, n: 1 });
        if (!change.result.ok)
          log.error(change.result.error, 'Kernel change failed', {
            change: change.description,
            reason: change.cause.reason,
          });
      }
      for (const { kind, op, result: outcome, n } of counts.values())
        metrics.recordKernelChange(kind, op, outcome, drift, n);
      this.iptablesFailures.report(result.report.changes);
      metrics.recordNetlink('all', {
        messages: result.report.netlink.messagesSent,
        syscalls: result.report.netlink.sendCalls,
      });
      this.reportProblems(result.desired.problems);
      for (const problem of result.diff.problems) log.error(undefined, 'Cannot reconcile', { problem });
      const summary = formatPlanSummary(summarizePlan(result.diff.plan));
      const line = syncLogLine(trigger, changesSeen, result.report.changes.length);
      log
        .v(line.level)
        .info(line.message, { sync: syncId, trigger, changes: summary, failed, ms: Math.round(result.durationMs) });
      const endedAt = this.now();
      for (const state of result.desired.families) metrics.recordNoLocalEndpoints(state.family, state.noLocalEndpoints);
      for (const family of this.families) {
        metrics.recordSync({ family, durationSeconds: result.durationMs / 1000, endedAt, succeeded: failed === 0 });
        if (failed === 0) {
          health.updated(family);
          for (const t of triggerTimes) metrics.recordNetworkProgramming(family, Math.max(0, endedAt - t) / 1000);
        } else {
          health.failed(family);
        }
      }
    } catch (err) {
      log.error(err, 'Sync failed; it will be retried', { sync: syncId, trigger });
      for (const family of this.families) {
        metrics.recordSync({ family, durationSeconds: 0, endedAt: this.now(), succeeded: false });
        health.failed(family);
      }
      return false;
    }
    // After the sync is reported: a bulk sync's trail is written at the disk's pace.
    await this.options.audit.recordAll(auditEntries(applied, syncId, this.now()));
    await this.syncServiceHealth(healthCheckNodePorts);
    return failed === 0;
  }

  private async syncServiceHealth(wanted: HealthCheckNodePorts): Promise<void> {
    for (const failure of await this.options.serviceHealth.sync(wanted)) {
      this.options.log.error(failure.error, 'Cannot serve a health check node port', {
        port: failure.port,
        service: `${failure.service.namespace}/${failure.service.name}`,
      });
    }
  }

  /**
   * Each problem once, when it first appears (not at every sync); one with a reason (a
   * scheduler annotation not honoured) also as a Warning Event on its Service, and counted.
   */
  private reportProblems(problems: readonly Problem[]): void {
    const current = new Map(problems.map((p) => [renderProblem(p), p]));
    for (const [text, problem] of current) {
      if (this.reportedProblems.has(text)) continue;
      if (problem.reason === undefined) {
        this.options.log.info('Skipped', { problem: text });
        continue;
      }
      this.options.log.info('Cannot honour a Service annotation', { problem: text, reason: problem.reason });
      this.options.metrics.recordServiceAnnotationProblem(problem.reason);
      const regarding = {
        kind: 'Service' as const,
        namespace: problem.namespace,
        name: problem.name,
        ...(problem.uid ? { uid: problem.uid } : {}),
      };
      void this.options.events?.recordOnService(regarding, {
        type: 'Warning',
        reason: problem.reason,
        note: `${problem.path}: ${problem.message}`,
      });
    }
    this.reportedProblems = new Set(current.keys());
  }
}
