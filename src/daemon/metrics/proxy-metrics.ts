// The metrics kipvs exposes: kube-proxy's, with the names, types, help texts,
// labels and buckets of pkg/proxy/metrics/metrics.go, limited to the ones
// kube-proxy registers in IPVS mode (the iptables-mode full/partial sync
// histograms and rule counts are not), plus kipvs's own and Node.js's process
// metrics. The proxier records through ProxyMetrics and never sees prom-client.
import type { IpFamily } from '../../net/ip-family.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProblemReason } from '../../proxy/index.js';
import type { KernelChangeKind } from '../audit/audit-entry.js';
import { NETWORK_PROGRAMMING_BUCKETS, SYNC_DURATION_BUCKETS } from './buckets.js';

export type ChangeSource = 'service' | 'endpoints';

export interface SyncRecord {
  readonly family: IpFamily;
  readonly durationSeconds: number;
  /** Wall-clock time the sync ended, in ms since the epoch. */
  readonly endedAt: number;
  readonly succeeded: boolean;
}

export class ProxyMetrics {
  readonly registry = new Registry();

  // kube-proxy's (kubeproxy_ prefix), labelled by IP family where kube-proxy labels them.
  private readonly syncDuration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds',
    labelNames: ['ip_family'],
    buckets: SYNC_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly lastSync = this.gauge(
    'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    'The last time proxy rules were successfully synced',
    ['ip_family'],
  );
  private readonly lastQueued = this.gauge(
    'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
    'The last time a sync of proxy rules was queued',
    ['ip_family'],
  );
  private readonly networkProgramming = new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: 'In Cluster Network Programming Latency in seconds',
    labelNames: ['ip_family'],
    buckets: NETWORK_PROGRAMMING_BUCKETS,
    registers: [this.registry],
  });
  private readonly pending = {
    endpoints: this.gauge(
      'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
      'Pending proxy rules Endpoint changes',
      [],
    ),
    service: this.gauge(
      'kubeproxy_sync_proxy_rules_service_changes_pending',
      'Pending proxy rules Service changes',
      [],
    ),
  };
  private readonly seen = {
    endpoints: this.counter(
      'kubeproxy_sync_proxy_rules_endpoint_changes_total',
      'Cumulative proxy rules Endpoint changes',
      [],
    ),
    service: this.counter(
      'kubeproxy_sync_proxy_rules_service_changes_total',
      'Cumulative proxy rules Service changes',
      [],
    ),
  };
  private readonly restoreFailures = this.counter(
    'kubeproxy_sync_proxy_rules_iptables_restore_failures_total',
    'Cumulative proxy iptables restore failures',
    ['ip_family'],
  );
  private readonly noLocalEndpoints = this.gauge(
    'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
    'Number of services with a Local traffic policy and no endpoints',
    ['ip_family', 'traffic_policy'],
  );
  private readonly probes = {
    healthz: this.counter('kubeproxy_proxy_healthz_total', 'Cumulative proxy healthz HTTP status', ['code']),
    livez: this.counter('kubeproxy_proxy_livez_total', 'Cumulative proxy livez HTTP status', ['code']),
  };

  // kipvs's own.
  private readonly netlinkMessages = this.counter(
    'kipvs_netlink_messages_total',
    'Netlink messages sent to the kernel, by netlink family',
    ['family'],
  );
  private readonly netlinkSyscalls = this.counter(
    'kipvs_netlink_syscalls_total',
    'sendmsg and recvmsg calls made on netlink sockets, by netlink family',
    ['family'],
  );
  private readonly kernelChanges = this.counter(
    'kipvs_kernel_changes_total',
    'Kernel state changes kipvs applied, by kind, operation and result',
    ['kind', 'op', 'result'],
  );
  private readonly driftRepairs = this.counter(
    'kipvs_drift_repairs_total',
    'Kernel changes a periodic resync had to make although no cluster object changed, by kind',
    ['kind'],
  );
  private readonly annotationProblems = this.counter(
    'kipvs_service_annotation_problems_total',
    "Service annotations kipvs could not honour (the Service keeps the node's defaults) or ignored, by the reason of the Event recorded on the Service, once per change",
    ['reason'],
  );
  private readonly syncFailures = this.counter(
    'kipvs_sync_failures_total',
    'Syncs that did not bring the kernel to the desired state',
    [],
  );
  private readonly watchErrors = this.counter(
    'kipvs_watch_errors_total',
    'Watch events kipvs could not take in (a line that is not JSON, an invalid event, a failed handler), each followed by a relist, by resource and reason',
    ['resource', 'reason'],
  );
  /** Read when scraped: the audit log counts its own drops (audit-log.ts). */
  private auditDrops: () => number = () => 0;

  constructor() {
    // process_* (CPU, memory, file descriptors, start time) and nodejs_* (event loop, heap, GC).
    collectDefaultMetrics({ register: this.registry });
    const read = () => this.auditDrops();
    // Registered, then only read when scraped: nothing keeps it but the registry.
    new Counter({
      name: 'kipvs_audit_entries_dropped_total',
      help: 'Audit entries of kernel changes that were not written: the audit destination failed or fell behind',
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        this.inc(read());
      },
    });
  }

  /** One sync of one family ended: its duration always counts, its time only when it succeeded. */
  recordSync(sync: SyncRecord): void {
    this.syncDuration.observe({ ip_family: sync.family }, sync.durationSeconds);
    if (sync.succeeded) this.lastSync.set({ ip_family: sync.family }, sync.endedAt / 1000);
    else this.syncFailures.inc();
  }

  /** A sync of `family` was asked for at `at` (ms since the epoch). */
  recordQueued(family: IpFamily, at: number): void {
    this.lastQueued.set({ ip_family: family }, at / 1000);
  }

  /** A Service or EndpointSlice change arrived (kube-proxy counts each update that changes something). */
  recordChangeSeen(source: ChangeSource): void {
    this.seen[source].inc();
  }

  /** Changes of each source waiting for the next sync. */
  recordPendingChanges(pending: Readonly<Record<ChangeSource, number>>): void {
    this.pending.service.set(pending.service);
    this.pending.endpoints.set(pending.endpoints);
  }

  /** From an EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time to the end of the sync that programmed it. */
  recordNetworkProgramming(family: IpFamily, seconds: number): void {
    this.networkProgramming.observe({ ip_family: family }, seconds);
  }

  /** Services with a Local policy and no local endpoint, for each policy, after a sync of `family`. */
  recordNoLocalEndpoints(family: IpFamily, counts: { readonly internal: number; readonly external: number }): void {
    this.noLocalEndpoints.set({ ip_family: family, traffic_policy: 'internal' }, counts.internal);
    this.noLocalEndpoints.set({ ip_family: family, traffic_policy: 'external' }, counts.external);
  }

  recordIptablesRestoreFailure(family: IpFamily): void {
    this.restoreFailures.inc({ ip_family: family });
  }

  recordProbe(probe: 'healthz' | 'livez', code: number): void {
    this.probes[probe].inc({ code: String(code) });
  }

  /** Netlink traffic of one family ("ipvs", "ipset", "rtnl", "conntrack"). */
  recordNetlink(family: string, traffic: { readonly messages: number; readonly syscalls: number }): void {
    this.netlinkMessages.inc({ family }, traffic.messages);
    this.netlinkSyscalls.inc({ family }, traffic.syscalls);
  }

  /** One applied change; a periodic (no cluster change) sync's successful changes are also drift repairs. */
  recordServiceAnnotationProblem(reason: ProblemReason): void {
    this.annotationProblems.inc({ reason });
  }

  /** `count` changes alike (a sync's are counted first: 600,000 calls cost seconds in UML). */
  recordKernelChange(kind: KernelChangeKind, op: string, result: 'ok' | 'error', drift: boolean, count = 1): void {
    this.kernelChanges.inc({ kind, op, result }, count);
    if (drift && result === 'ok') this.driftRepairs.inc({ kind }, count);
  }

  /** Where kipvs_audit_entries_dropped_total is read from at each scrape. */
  /** An event of `resource` (services, endpointslices, nodes) lost for `reason`. */
  recordWatchError(resource: string, reason: string): void {
    this.watchErrors.inc({ resource, reason });
  }

  countAuditDrops(dropped: () => number): void {
    this.auditDrops = dropped;
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
