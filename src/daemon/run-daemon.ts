// `kipvs proxy` once its configuration is valid: prepare the node, open the
// kernel clients, start the health and metrics servers and the proxier, and
// run until SIGTERM or SIGINT. Stopping leaves the kernel state in place (the
// next kipvs or kube-proxy adopts it), as kube-proxy leaves it, and exits 0.
import type { ValidatedProxyConfig } from '../config/index.js';
import { ConntrackClient } from '../conntrack/index.js';
import { CommandLauncher, KernelClients, NetlinkKernel } from '../kernel/index.js';
import { computeDesiredState, LINK_NAME, type ProxyModelConfig } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';
import { AuditLog } from './audit/audit-log.js';
import { auditSysctls } from './audit/kernel-change.js';
import type { ClusterSourceFactory } from './cluster-source.js';
import { ProxierError } from './errors.js';
import { GRACE_PERIOD_MS } from './grace-period.js';
import { startHealthServer } from './health/health-server.js';
import type { RunningServer } from './health/listen.js';
import { ListenError } from './health/listen.js';
import { healthTimeoutMs, ProxierHealth } from './health/proxier-health.js';
import { observeHost } from './host-observer.js';
import { Logger } from './log/logger.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { ProxyMetrics } from './metrics/proxy-metrics.js';
import type { NodeEventRecorder } from './node-events.js';
import { nodeSetupOptions, prepareNode } from './node-setup.js';
import { Proxier } from './proxier.js';
import { ServiceHealthServers } from './service-health/service-health-servers.js';
import { SyncEngine } from '../sync/sync-engine.js';

export interface RunDaemonOptions {
  /** The cluster watch (src/k8s), made by the caller so that only `proxy` loads the Kubernetes client. */
  readonly cluster: ClusterSourceFactory;
  /** Resolves when the proxier should stop; SIGTERM or SIGINT by default. */
  readonly stopSignal?: Promise<string>;
  /** Where kube-proxy's events about the node go (node-events.ts); none when absent. */
  readonly events?: NodeEventRecorder;
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
}

/** A server kipvs starts, and the reason of kube-proxy's warning event when it cannot. */
interface ServerToStart {
  readonly what: string;
  readonly failureReason: 'FailedToStartProxierHealthcheck' | 'FailedToStartMetricServer';
}

async function listen(
  server: ServerToStart,
  events: NodeEventRecorder | undefined,
  start: () => Promise<RunningServer | undefined>,
): Promise<RunningServer | undefined> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    const message = `cannot serve ${server.what}: ${err.message}`;
    await events?.record({ type: 'Warning', reason: server.failureReason, note: message });
    throw new ProxierError([message], 'cannot start', { cause: err });
  }
}

/**
 * Where the health-check node ports listen: on the addresses nodePortAddresses selects, as
 * kube-proxy binds them, or on every address when it is unset. Chosen once at start.
 */
async function healthCheckAddresses(
  config: ValidatedProxyConfig,
  model: ProxyModelConfig,
  clients: KernelClients,
): Promise<string[]> {
  if (config.ipvs.nodePortAddresses.length === 0) return [];
  const host = await observeHost(undefined, {
    routes: clients.route,
    bindAddress: config.configuration.bindAddress,
    linkName: LINK_NAME,
    iptablesRandomFully: false,
  });
  return computeDesiredState({ services: [], endpointSlices: [], host, config: model }).families.flatMap(
    (f) => f.nodePortAddresses,
  );
}

export async function runDaemon(config: ValidatedProxyConfig, options: RunDaemonOptions): Promise<void> {
  const stopSignal = options.stopSignal ?? signalled();
  const c = config.configuration;
  const log = new Logger({ verbosity: c.logging.verbosity, format: c.logging.format });
  // Started first, while this process is small: every iptables run forks the launcher, not the daemon.
  const launcher = CommandLauncher.start();
  const tools = launcher ? { runCommand: launcher.run } : {};
  const setup = await prepareNode({ ...nodeSetupOptions(config, log), ...(launcher && { run: launcher.run }) });
  const model = modelConfigFrom(config, setup.families, setup.kernelSchedulers);
  const clients = await KernelClients.open();
  const conntrack = ConntrackClient.open();
  const servers: RunningServer[] = [];
  const audit = new AuditLog(config.options.auditLogPath, (err) => log.error(err, 'The audit trail cannot be written'));
  auditSysctls(audit, setup.sysctlsChanged, 'start');
  try {
    const metrics = new ProxyMetrics();
    metrics.countAuditDrops(() => audit.droppedEntries);
    const syncPeriodMs = config.ipvs.syncPeriod.milliseconds;
    const health = new ProxierHealth(healthTimeoutMs(syncPeriodMs), Date.now);
    const healthServer = await listen(
      { what: `health checks on ${c.healthzBindAddress}`, failureReason: 'FailedToStartProxierHealthcheck' },
      options.events,
      () =>
        startHealthServer(c.healthzBindAddress, { health, onProbe: (probe, code) => metrics.recordProbe(probe, code) }),
    );
    if (healthServer) servers.push(healthServer);
    const metricsServer = await listen(
      { what: `metrics on ${c.metricsBindAddress}`, failureReason: 'FailedToStartMetricServer' },
      options.events,
      () =>
        startMetricsServer(c.metricsBindAddress, {
          metrics,
          configuration: c,
          onError: (err) => log.error(err, 'Metrics could not be rendered'),
        }),
    );
    if (metricsServer) servers.push(metricsServer);
    const serviceHealth = new ServiceHealthServers({
      addresses: await healthCheckAddresses(config, model, clients),
      isProxyHealthy: () => health.isHealthy(),
    });

    const kernel = new NetlinkKernel({ clients, iptables: setup.iptables, conntrack, linkName: LINK_NAME, ...tools });
    const engine = new SyncEngine({ kernel, model, gracePeriodMs: GRACE_PERIOD_MS, now: Date.now });
    const hostOptions = {
      routes: clients.route,
      bindAddress: c.bindAddress,
      linkName: LINK_NAME,
      iptablesRandomFully: setup.iptablesRandomFully,
    };
    const proxier = new Proxier({
      model,
      engine,
      observeHost: (node) => observeHost(node, hostOptions),
      cluster: options.cluster,
      log: log.named('proxier'),
      audit,
      metrics,
      health,
      serviceHealth,
      minSyncPeriodMs: config.ipvs.minSyncPeriod.milliseconds,
      syncPeriodMs,
      ...(options.events ? { events: options.events } : {}),
    });
    log.info('Starting the IPVS proxier', {
      node: config.nodeName,
      families: setup.families.join(','),
      scheduler: config.ipvs.scheduler,
      healthz: c.healthzBindAddress,
      metrics: c.metricsBindAddress,
      audit: config.options.auditLogPath,
    });
    proxier.start();
    // kube-proxy's "birth cry", once its informers run.
    void options.events?.record({ type: 'Normal', reason: 'Starting', note: '' });
    const signal = await stopSignal;
    log.info('Stopping; the kernel state stays in place', { signal });
    await proxier.stop();
    await serviceHealth.close();
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    conntrack.close();
    clients.close();
    launcher?.close();
    await audit.close();
  }
}
