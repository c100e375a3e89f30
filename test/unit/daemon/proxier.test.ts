// The proxier on the host: a cluster source the test drives, the sync engine over a kernel
// model (test/support/fake-kernel.ts), and the real logs, audit trail, metrics and health.
// What it must do with them: never sync before the first lists, sync each change, report
// every kernel change once (audit line, metric), report a sync with a failed change as failed
// and retry it, count the periodic resync's repairs as drift, and name skipped objects once.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { AuditLog } from '../../../src/daemon/audit/audit-log.js';
import type { ClusterSource, ClusterSourceHandlers } from '../../../src/daemon/cluster-source.js';
import { ProxierHealth } from '../../../src/daemon/health/proxier-health.js';
import { Logger } from '../../../src/daemon/log/logger.js';
import { ProxyMetrics } from '../../../src/daemon/metrics/proxy-metrics.js';
import { Proxier } from '../../../src/daemon/proxier.js';
import { ServiceHealthServers } from '../../../src/daemon/service-health/service-health-servers.js';
import type { ClusterObjects } from '../../../src/proxy/index.js';
import { objectKey } from '../../../src/proxy/object-key.js';
import { SyncEngine } from '../../../src/sync/sync-engine.js';
import {
  endpoint,
  endpointSlice,
  hostFacts,
  modelConfig,
  node,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';
import { FakeKernel } from '../../support/fake-kernel.js';

const CONFIG = modelConfig({ scheduler: 'rr' });
const WEB_KEY: ServiceKey = { family: 'inet', protocol: 'tcp', address: '10.96.0.10', port: 80 };
const web = service('web', {
  type: 'ClusterIP',
  clusterIP: '10.96.0.10',
  clusterIPs: ['10.96.0.10'],
  ports: [port('http', 80)],
});
const webSlice = (...addresses: string[]): Json =>
  endpointSlice(
    'web',
    [port('http', 8080)],
    addresses.map((a) => endpoint(a, { ready: true })),
  );

/** The watch, driven by the test. */
class TestCluster implements ClusterSource {
  handlers: ClusterSourceHandlers | undefined;
  private synced = false;
  readonly objects = new Map<string, Json>();

  start(): void {}
  async stop(): Promise<void> {}
  hasSynced(): boolean {
    return this.synced;
  }
  snapshot(): ClusterObjects {
    const all = [...this.objects.values()];
    return {
      services: all.filter((o) => o['kind'] === 'Service'),
      endpointSlices: all.filter((o) => o['kind'] === 'EndpointSlice'),
      node: node(),
    };
  }
  listed(...objects: Json[]): void {
    for (const object of objects) this.objects.set(`${String(object['kind'])}/${objectKey(object)}`, object);
    this.synced = true;
    this.handlers?.onSynced();
  }
  put(object: Json): void {
    const kind = object['kind'] === 'Service' ? 'Service' : 'EndpointSlice';
    this.objects.set(`${kind}/${objectKey(object)}`, object);
    this.handlers?.onChange({ kind, key: objectKey(object), state: { deleted: false, object } });
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'kipvs-proxier-'));
  dirs.push(dir);
  const auditPath = join(dir, 'audit.log');
  const logs: string[] = [];
  const kernel = new FakeKernel(['inet']);
  const cluster = new TestCluster();
  const metrics = new ProxyMetrics();
  const health = new ProxierHealth(120_000, Date.now);
  const audit = new AuditLog(auditPath, () => {});
  const proxier = new Proxier({
    model: CONFIG,
    engine: new SyncEngine({ kernel, model: CONFIG, gracePeriodMs: 60_000, now: Date.now }),
    observeHost: async () => hostFacts(),
    cluster: (handlers) => {
      cluster.handlers = handlers;
      return cluster;
    },
    log: new Logger({ verbosity: 2, format: 'json', write: (line) => void logs.push(line) }),
    audit,
    metrics,
    health,
    serviceHealth: new ServiceHealthServers({ addresses: [], isProxyHealthy: () => health.isHealthy() }),
    minSyncPeriodMs: 0,
    syncPeriodMs: 3_600_000,
  });
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const found = await metrics.registry.getSingleMetric(name)?.get();
    return found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  };
  const auditLines = async (): Promise<Json[]> => {
    await audit.close();
    return readFileSync(auditPath, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Json);
  };
  return { kernel, cluster, proxier, metric, auditLines, logs, health };
}

function realServers(kernel: FakeKernel): string[] {
  const found = kernel.state.families
    .flatMap((f) => f.virtualServers)
    .find((s) => JSON.stringify(s.service.key) === JSON.stringify(WEB_KEY));
  return (found?.realServers ?? []).map((r) => `${r.address}:${r.port}/${r.weight}`).sort();
}

describe('Proxier', () => {
  it('syncs only once the first lists are in, then reports the sync everywhere', async () => {
    const { kernel, cluster, proxier, metric, auditLines, health } = rig();
    proxier.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(kernel.plans).toEqual([]);
    cluster.listed(web, webSlice('10.244.1.5'));
    await until(() => realServers(kernel).length === 1);
    await until(() => health.status().lastUpdated !== undefined);
    await proxier.stop();
    expect(await metric('kubeproxy_sync_proxy_rules_last_timestamp_seconds', { ip_family: 'IPv4' })).toBeGreaterThan(0);
    expect(await metric('kipvs_kernel_changes_total', { kind: 'ipvs', op: 'add-real-server', result: 'ok' })).toBe(1);
    const lines = await auditLines();
    expect(lines.map((l) => l['op'])).toContain('add-real-server');
    expect(lines.find((l) => l['op'] === 'add-real-server')?.['target']).toBe(
      'add real server TCP 10.96.0.10:80 -> 10.244.1.5:8080 weight 1',
    );
  });

  it('applies each change, and counts it as a change seen', async () => {
    const { kernel, cluster, proxier, metric } = rig();
    proxier.start();
    cluster.listed(web, webSlice('10.244.1.5'));
    await until(() => realServers(kernel).length === 1);
    cluster.put(webSlice('10.244.1.5', '10.244.2.6'));
    await until(() => realServers(kernel).length === 2);
    await proxier.stop();
    expect(await metric('kubeproxy_sync_proxy_rules_endpoint_changes_total')).toBe(1);
    expect(kernel.fullReads).toBe(1);
  });

  it('reports a sync with a failed change as failed, logs the change, and retries it', async () => {
    const { kernel, cluster, proxier, metric, logs } = rig();
    kernel.failing = (change) => change.kind === 'ipvs' && change.op.op === 'add-real-server';
    proxier.start();
    cluster.listed(web, webSlice('10.244.1.5'));
    await until(() => kernel.plans.length === 1);
    await until(() => logs.some((l) => l.includes('Kernel change failed')));
    expect(await metric('kipvs_kernel_changes_total', { kind: 'ipvs', op: 'add-real-server', result: 'error' })).toBe(
      1,
    );
    expect(await metric('kubeproxy_sync_proxy_rules_last_timestamp_seconds', { ip_family: 'IPv4' })).toBeUndefined();
    kernel.failing = () => false;
    // The retry (after at least a second) reads the kernel whole and makes the change.
    await until(() => realServers(kernel).length === 1);
    await proxier.stop();
    expect(kernel.fullReads).toBe(2);
    expect(await metric('kubeproxy_sync_proxy_rules_last_timestamp_seconds', { ip_family: 'IPv4' })).toBeGreaterThan(0);
  });

  it('names an object it skips once, not at every sync', async () => {
    const { kernel, cluster, proxier, logs } = rig();
    proxier.start();
    const broken = service('broken', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.11',
      clusterIPs: ['10.96.0.11'],
      ports: [port('http', 70000)],
    });
    cluster.listed(web, webSlice('10.244.1.5'), broken);
    await until(() => kernel.plans.length === 1);
    cluster.put(webSlice('10.244.1.5', '10.244.2.6'));
    await until(() => kernel.plans.length === 2);
    await proxier.stop();
    expect(logs.filter((l) => l.includes('Skipped') && l.includes('default/broken'))).toHaveLength(1);
  });
});
