import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '../../../../src/daemon/health/listen.js';
import { NETWORK_PROGRAMMING_BUCKETS, SYNC_DURATION_BUCKETS } from '../../../../src/daemon/metrics/buckets.js';
import { startMetricsServer } from '../../../../src/daemon/metrics/metrics-server.js';
import { ProxyMetrics } from '../../../../src/daemon/metrics/proxy-metrics.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly helps: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

/** Parses the Prometheus text format (version 0.0.4), as a scraper reads it. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const meta = /^# (TYPE|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? types : helps).set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    if (line === '') continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key ?? ''] = value ?? '';
    samples.push({ name: sample[1] ?? '', labels, value: Number(sample[3]) });
  }
  return { types, helps, samples };
}

function value(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return exposition.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function serve(metrics: ProxyMetrics, configuration: unknown = {}): Promise<string> {
  running = await startMetricsServer('127.0.0.1:0', { metrics, configuration });
  if (!running) throw new Error('not started');
  return `http://127.0.0.1:${running.port}`;
}

async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

describe('the metrics server', () => {
  it("exposes kube-proxy's IPVS-mode metrics with their types, and no iptables-mode ones", async () => {
    const exposition = await scrape(await serve(new ProxyMetrics()));
    expect(Object.fromEntries([...exposition.types].filter(([name]) => name.startsWith('kube')))).toEqual({
      kubeproxy_sync_proxy_rules_duration_seconds: 'histogram',
      kubeproxy_sync_proxy_rules_last_timestamp_seconds: 'gauge',
      kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds: 'gauge',
      kubeproxy_network_programming_duration_seconds: 'histogram',
      kubeproxy_sync_proxy_rules_endpoint_changes_pending: 'gauge',
      kubeproxy_sync_proxy_rules_service_changes_pending: 'gauge',
      kubeproxy_sync_proxy_rules_endpoint_changes_total: 'counter',
      kubeproxy_sync_proxy_rules_service_changes_total: 'counter',
      kubeproxy_sync_proxy_rules_iptables_restore_failures_total: 'counter',
      kubeproxy_sync_proxy_rules_no_local_endpoints_total: 'gauge',
      kubeproxy_proxy_healthz_total: 'counter',
      kubeproxy_proxy_livez_total: 'counter',
    });
    expect(exposition.helps.get('kubeproxy_sync_proxy_rules_duration_seconds')).toBe(
      'SyncProxyRules latency in seconds',
    );
    expect(exposition.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(exposition.types.get('process_resident_memory_bytes')).toBe('gauge');
    for (const name of [
      'kipvs_netlink_messages_total',
      'kipvs_netlink_syscalls_total',
      'kipvs_kernel_changes_total',
      'kipvs_drift_repairs_total',
      'kipvs_sync_failures_total',
      'kipvs_audit_entries_dropped_total',
      'kipvs_watch_errors_total',
    ]) {
      expect(exposition.types.get(name)).toBe('counter');
    }
  });

  it('records syncs per family into the 1 ms .. 16.384 s buckets, and the time of the last good one', async () => {
    const metrics = new ProxyMetrics();
    metrics.recordSync({ family: 'IPv4', durationSeconds: 0.003, endedAt: 1_700_000_000_500, succeeded: true });
    metrics.recordSync({ family: 'IPv4', durationSeconds: 20, endedAt: 1_700_000_100_000, succeeded: false });
    metrics.recordSync({ family: 'IPv6', durationSeconds: 0.0005, endedAt: 1_700_000_000_000, succeeded: true });
    const exposition = await scrape(await serve(metrics));
    const v4 = { ip_family: 'IPv4' };
    const buckets = exposition.samples.filter(
      (s) => s.name === 'kubeproxy_sync_proxy_rules_duration_seconds_bucket' && s.labels['ip_family'] === 'IPv4',
    );
    expect(buckets.map((s) => s.labels['le'])).toEqual([...SYNC_DURATION_BUCKETS.map(String), '+Inf']);
    expect(SYNC_DURATION_BUCKETS.at(-1)).toBe(16.384);
    expect(value(exposition, 'kubeproxy_sync_proxy_rules_duration_seconds_bucket', { ...v4, le: '0.002' })).toBe(0);
    expect(value(exposition, 'kubeproxy_sync_proxy_rules_duration_seconds_bucket', { ...v4, le: '0.004' })).toBe(1);
    expect(value(exposition, 'kubeproxy_sync_proxy_rules_duration_seconds_bucket', { ...v4, le: '+Inf' })).toBe(2);
    expect(value(exposition, 'kubeproxy_sync_proxy_rules_duration_seconds_count', { ip_family: 'IPv6' })).toBe(1);
    // The failed sync does not move the timestamp; it counts as a failure.
    expect(value(exposition, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', v4)).toBe(1_700_000_000.5);
    expect(value(exposition, 'kipvs_sync_failures_total')).toBe(1);
  });

  it("has kube-proxy's network programming buckets, from le=0 to 5 minutes", async () => {
    const metrics = new ProxyMetrics();
    metrics.recordNetworkProgramming('IPv4', 1.5);
    const exposition = await scrape(await serve(metrics));
    const les = exposition.samples
      .filter((s) => s.name === 'kubeproxy_network_programming_duration_seconds_bucket')
      .map((s) => s.labels['le']);
    expect(les.slice(0, 5)).toEqual(['0', '0.25', '0.5', '1', '2']);
    expect(les.slice(-3)).toEqual(['270', '300', '+Inf']);
    expect(les).toHaveLength(NETWORK_PROGRAMMING_BUCKETS.length + 1);
    expect(value(exposition, 'kubeproxy_network_programming_duration_seconds_bucket', { le: '1' })).toBe(0);
    expect(value(exposition, 'kubeproxy_network_programming_duration_seconds_bucket', { le: '2' })).toBe(1);
  });

  it('records changes, queueing, local endpoints, probes and kernel work', async () => {
    const metrics = new ProxyMetrics();
    metrics.recordChangeSeen('service');
    metrics.recordChangeSeen('endpoints');
    metrics.recordChangeSeen('endpoints');
    metrics.recordPendingChanges({ service: 1, endpoints: 4 });
    metrics.recordQueued('IPv4', 1_700_000_000_000);
    metrics.recordNoLocalEndpoints('IPv4', { internal: 2, external: 3 });
    metrics.recordIptablesRestoreFailure('IPv6');
    metrics.recordProbe('healthz', 503);
    metrics.recordProbe('livez', 200);
    metrics.recordNetlink('ipvs', { messages: 1000, syscalls: 3 });
    metrics.recordKernelChange('ipvs', 'add-real-server', 'ok', true);
    metrics.recordKernelChange('ipvs', 'add-real-server', 'error', true);
    metrics.recordKernelChange('ipset', 'add-entry', 'ok', false);
    metrics.recordKernelChange('ipset', 'add-entry', 'ok', false, 499);
    const e = await scrape(await serve(metrics));
    expect(value(e, 'kubeproxy_sync_proxy_rules_service_changes_total')).toBe(1);
    expect(value(e, 'kubeproxy_sync_proxy_rules_endpoint_changes_total')).toBe(2);
    expect(value(e, 'kubeproxy_sync_proxy_rules_service_changes_pending')).toBe(1);
    expect(value(e, 'kubeproxy_sync_proxy_rules_endpoint_changes_pending')).toBe(4);
    expect(value(e, 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', { ip_family: 'IPv4' })).toBe(
      1_700_000_000,
    );
    expect(
      value(e, 'kubeproxy_sync_proxy_rules_no_local_endpoints_total', {
        ip_family: 'IPv4',
        traffic_policy: 'internal',
      }),
    ).toBe(2);
    expect(
      value(e, 'kubeproxy_sync_proxy_rules_no_local_endpoints_total', {
        ip_family: 'IPv4',
        traffic_policy: 'external',
      }),
    ).toBe(3);
    expect(value(e, 'kubeproxy_sync_proxy_rules_iptables_restore_failures_total', { ip_family: 'IPv6' })).toBe(1);
    expect(value(e, 'kubeproxy_proxy_healthz_total', { code: '503' })).toBe(1);
    expect(value(e, 'kubeproxy_proxy_livez_total', { code: '200' })).toBe(1);
    expect(value(e, 'kipvs_netlink_messages_total', { family: 'ipvs' })).toBe(1000);
    expect(value(e, 'kipvs_netlink_syscalls_total', { family: 'ipvs' })).toBe(3);
    expect(value(e, 'kipvs_kernel_changes_total', { kind: 'ipvs', op: 'add-real-server', result: 'error' })).toBe(1);
    // Only successful changes of a periodic sync repair drift.
    expect(value(e, 'kipvs_drift_repairs_total', { kind: 'ipvs' })).toBe(1);
    expect(value(e, 'kipvs_drift_repairs_total', { kind: 'ipset' })).toBeUndefined();
    // A sync's alike changes are counted at once.
    expect(value(e, 'kipvs_kernel_changes_total', { kind: 'ipset', op: 'add-entry', result: 'ok' })).toBe(500);
  });

  it('counts lost watch events by resource and reason', async () => {
    const metrics = new ProxyMetrics();
    metrics.recordWatchError('services', 'unparsable_line');
    metrics.recordWatchError('services', 'unparsable_line');
    metrics.recordWatchError('nodes', 'handler_error');
    const e = await scrape(await serve(metrics));
    expect(value(e, 'kipvs_watch_errors_total', { resource: 'services', reason: 'unparsable_line' })).toBe(2);
    expect(value(e, 'kipvs_watch_errors_total', { resource: 'nodes', reason: 'handler_error' })).toBe(1);
  });

  it("reads the audit log's dropped entries at each scrape", async () => {
    const metrics = new ProxyMetrics();
    let dropped = 0;
    metrics.countAuditDrops(() => dropped);
    const server = await serve(metrics);
    expect(value(await scrape(server), 'kipvs_audit_entries_dropped_total')).toBe(0);
    dropped = 7;
    expect(value(await scrape(server), 'kipvs_audit_entries_dropped_total')).toBe(7);
  });

  it('serves /proxyMode, /configz and /healthz as kube-proxy does', async () => {
    const url = await serve(new ProxyMetrics(), { mode: 'ipvs', ipvs: { scheduler: 'rr' } });
    const mode = await fetch(`${url}/proxyMode`);
    expect(mode.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(mode.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await mode.text()).toBe('ipvs');
    const configz = await fetch(`${url}/configz`);
    expect(configz.headers.get('content-type')).toBe('application/json');
    expect(await configz.json()).toEqual({ 'kubeproxy.config.k8s.io': { mode: 'ipvs', ipvs: { scheduler: 'rr' } } });
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    expect((await fetch(`${url}/livez`)).status).toBe(404);
  });

  it('is disabled by an empty bind address', async () => {
    expect(await startMetricsServer('', { metrics: new ProxyMetrics(), configuration: {} })).toBeUndefined();
  });
});
