// ClusterWatch against the fake API server over real HTTPS: the initial list,
// watch events, kube-proxy's selectors, 410 Gone, an API server that goes
// away and comes back, and raw objects kept as the server sent them. The server
// refuses streaming lists as one without the WatchList feature does, so the lists
// here are paged (streaming-list.test.ts has the streamed ones).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { validateService } from '../../../src/proxy/index.js';
import { KUBE_PROXY_LABEL_SELECTOR, type ClusterWatch, type WatchedKind } from '../../../src/k8s/index.js';
import { FakeApiServer } from '../../support/fake-apiserver/server.js';
import {
  connectionFor,
  endpointSlice,
  eventually,
  names,
  NODE,
  node,
  service,
  watchCluster,
  watching,
  type WatchClusterOptions,
  type WatchedCluster,
} from './fake-cluster.js';

let server: FakeApiServer;
const running: ClusterWatch[] = [];

beforeAll(async () => {
  server = await FakeApiServer.start({ watchList: 'disabled' });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  await server.resume();
  for (const [resource, kind] of [
    ['services', 'Service'],
    ['endpointslices', 'EndpointSlice'],
    ['nodes', 'Node'],
  ] as const) {
    for (const o of server.store.list(resource)) server.delete(kind, o.metadata.namespace ?? '', o.metadata.name);
  }
  server.requests.length = 0;
});

function start(options: WatchClusterOptions = {}): WatchedCluster {
  const cluster = watchCluster(connectionFor(server), options);
  running.push(cluster.watch);
  return cluster;
}

describe('the initial list', () => {
  it("syncs the objects kube-proxy sees: selectors leave out headless and other proxies' Services and slices, and other Nodes", async () => {
    server.apply(service('web'));
    server.apply(service('db', { 'service.kubernetes.io/headless': '' }));
    server.apply(service('other-proxy', { 'service.kubernetes.io/service-proxy-name': 'cilium' }));
    server.apply(endpointSlice('web-abc', 'web'));
    server.apply(endpointSlice('other-abc', 'other-proxy', { 'service.kubernetes.io/service-proxy-name': 'cilium' }));
    server.apply(node(NODE));
    server.apply(node('node-b'));
    const { watch, changes } = start();
    expect(watch.hasSynced()).toBe(false);
    await watch.whenSynced();
    expect(watch.hasSynced()).toBe(true);
    const snapshot = watch.snapshot();
    expect(names(snapshot.services)).toEqual(['web']);
    expect(names(snapshot.endpointSlices)).toEqual(['web-abc']);
    expect(names([snapshot.node])).toEqual([NODE]);
    expect(changes.map((c) => `${c.type} ${c.kind} ${c.key}`).sort()).toEqual([
      'added EndpointSlice default/web-abc',
      'added Node node-a',
      'added Service default/web',
    ]);
  });

  it("lists with kube-proxy's exact selectors, then watches from the list's resourceVersion", async () => {
    server.apply(service('web'));
    const { watch } = start();
    await watch.whenSynced();
    await watching(server);
    expect(KUBE_PROXY_LABEL_SELECTOR).toBe('!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name');
    // The plain list and watch, not the refused streaming list.
    const byPath = (path: string, watching: boolean) =>
      server.requests.find(
        (r) => r.path === path && r.watch === watching && r.query['sendInitialEvents'] === undefined,
      );
    for (const path of ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices']) {
      expect(byPath(path, false)?.query['labelSelector']).toBe(KUBE_PROXY_LABEL_SELECTOR);
      expect(byPath(path, true)?.query['labelSelector']).toBe(KUBE_PROXY_LABEL_SELECTOR);
      expect(byPath(path, true)?.query['resourceVersion']).toBe(String(server.store.revision));
    }
    expect(byPath('/api/v1/nodes', false)?.query['fieldSelector']).toBe(`metadata.name=${NODE}`);
    expect(byPath('/api/v1/nodes', true)?.query['fieldSelector']).toBe(`metadata.name=${NODE}`);
  });

  it('syncs with an empty cluster and no Node yet', async () => {
    const { watch } = start();
    await watch.whenSynced();
    expect(watch.snapshot()).toEqual({ services: [], endpointSlices: [] });
  });
});

describe('clientConnection.qps and burst', () => {
  it('space the requests of all three resources through one token bucket', async () => {
    const cluster = watchCluster(connectionFor(server, (c) => ({ ...c, client: { ...c.client, qps: 10, burst: 1 } })));
    running.push(cluster.watch);
    await cluster.watch.whenSynced();
    await watching(server);
    // Three refused streaming lists, three lists and three watches at 10 per second after the
    // first: 800 ms from the first to the last sent (less the first request's slower TLS
    // handshake); unthrottled, they all arrive within a few tens of milliseconds.
    const times = server.requests.map((r) => r.at);
    expect(times.length).toBe(9);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(400);
  });
});

describe('watch events', () => {
  it('adds, modifies and deletes objects as the server reports them, with the object replaced', async () => {
    const { watch, changes } = start();
    await watch.whenSynced();
    await watching(server);
    server.apply(service('web'));
    await eventually(() => watch.snapshot().services.length === 1, 5000, 'the added Service');
    const modified = { ...service('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.11', ports: [{ port: 81 }] } };
    server.apply(modified);
    await eventually(() => changes.some((c) => c.type === 'modified'), 5000, 'the modification');
    expect((watch.snapshot().services[0] as { spec: unknown }).spec).toEqual(modified.spec);
    const change = changes.find((c) => c.type === 'modified');
    expect((change?.previous as { spec: { clusterIP: string } } | undefined)?.spec.clusterIP).toBe('10.96.0.10');
    server.delete('Service', 'default', 'web');
    await eventually(() => watch.snapshot().services.length === 0, 5000, 'the deletion');
    expect(changes.map((c) => `${c.type} ${c.key}`)).toEqual([
      'added default/web',
      'modified default/web',
      'deleted default/web',
    ]);
  });

  it('drops a Service that gains the headless label and takes it back when the label goes', async () => {
    server.apply(service('web'));
    const { watch, changes } = start();
    await watch.whenSynced();
    await watching(server);
    server.apply(service('web', { 'service.kubernetes.io/headless': '' }));
    await eventually(() => watch.snapshot().services.length === 0, 5000, 'the Service to leave');
    server.apply(service('web'));
    await eventually(() => watch.snapshot().services.length === 1, 5000, 'the Service to return');
    expect(changes.map((c) => c.type)).toEqual(['added', 'deleted', 'added']);
  });

  it('carries the EndpointSlice annotations the daemon reads (last-change-trigger-time)', async () => {
    const { watch, changes } = start();
    await watch.whenSynced();
    await watching(server);
    const slice = endpointSlice('web-abc', 'web');
    (slice['metadata'] as Record<string, unknown>)['annotations'] = {
      'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-23T17:00:00Z',
    };
    server.apply(slice);
    await eventually(() => changes.length === 1);
    expect(changes[0]?.kind).toBe('EndpointSlice');
    expect(
      (changes[0]?.object as { metadata: { annotations: Record<string, string> } } | undefined)?.metadata.annotations,
    ).toEqual({
      'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-23T17:00:00Z',
    });
  });
});

describe('a watch the server ends', () => {
  it('is made again at once from the last resourceVersion, without a relist or an error', async () => {
    server.apply(service('web'));
    const { watch } = start();
    await watch.whenSynced();
    await watching(server);
    server.apply(service('db'));
    await eventually(() => watch.snapshot().services.length === 2);
    const watchesBefore = server.requests.filter((r) => r.watch).length;
    server.endWatches();
    await eventually(
      () => server.requests.filter((r) => r.watch).length === watchesBefore + 3,
      5000,
      'three new watches',
    );
    const rewatch = server.requests.filter((r) => r.watch && r.path === '/api/v1/services').at(-1);
    expect(rewatch?.query['resourceVersion']).toBe(String(server.store.revision));
    expect(server.requests.filter((r) => !r.watch).length).toBe(3);
    expect(watch.health().lastError).toBeUndefined();
  });
});

describe('410 Gone', () => {
  it.each(['error-event', 'http-status'] as const)(
    'relists when the watch resumes from a compacted resourceVersion (%s)',
    async (expiredWatch) => {
      const gone = await FakeApiServer.start({ expiredWatch, watchList: 'disabled' });
      try {
        gone.apply(service('kept'));
        gone.apply(service('removed'));
        const cluster = watchCluster(connectionFor(gone));
        running.push(cluster.watch);
        await cluster.watch.whenSynced();
        await watching(gone);
        await gone.pause();
        gone.delete('Service', 'default', 'removed');
        gone.apply(service('added'));
        gone.compact();
        await gone.resume();
        await eventually(
          () => cluster.watch.health().relists >= 1 && names(cluster.watch.snapshot().services).join() === 'added,kept',
          10_000,
          'the relist',
        );
        const changes = cluster.changes.map((c) => `${c.type} ${c.key}`);
        expect(changes.slice(2).sort()).toEqual(['added default/added', 'deleted default/removed']);
        expect(cluster.watch.health().resources.Service.relists).toBe(1);
        // After the relist, a consistent read (no resourceVersion), then a watch from its version.
        const lists = gone.requests.filter((r) => r.path === '/api/v1/services' && !r.watch);
        expect(lists.map((r) => r.query['resourceVersion'])).toEqual(['0', undefined]);
      } finally {
        await gone.close();
      }
    },
  );
});

describe('an API server that goes away', () => {
  it('keeps the cache, retries with a growing capped backoff, and catches up when the server is back', async () => {
    server.apply(service('web'));
    const { watch, changes, health } = start({ random: () => 0 });
    await watch.whenSynced();
    await watching(server);
    const before = watch.snapshot();
    const pausedAt = Date.now();
    await server.pause();
    // The three watches end; each resource retries after 40, 80, 160, 320, 320 ms (TEST_BACKOFF, no jitter).
    const failureTimes = (kind: WatchedKind): number[] => [
      ...new Set(health.map((h) => h.resources[kind].lastError?.at.getTime()).filter((t) => t !== undefined)),
    ];
    await eventually(() => failureTimes('Service').length >= 6, 10_000, 'six failures');
    expect(watch.health().connected).toBe(false);
    expect(watch.health().lastError?.error.kind).toBe('unreachable');
    expect(watch.health().lastError?.error.code).toBe('ECONNREFUSED');
    expect(watch.snapshot()).toEqual(before);
    const failures = failureTimes('Service');
    const gaps = failures.slice(1).map((t, i) => t - (failures[i] ?? 0));
    expect(failures[0]).toBeGreaterThanOrEqual(pausedAt - 5);
    // Each gap is at least its backoff delay (the delays double up to the cap). Only lower bounds:
    // a loaded machine may be late, never early; the cap itself is backoff.test.ts's.
    for (const [i, gap] of gaps.slice(0, 5).entries())
      expect(gap).toBeGreaterThanOrEqual(Math.min(40 * 2 ** i, 320) - 5);

    server.apply(service('while-away'));
    await server.resume();
    await eventually(() => watch.health().connected && watch.snapshot().services.length === 2, 10_000, 'the catch-up');
    expect(watch.health().relists).toBe(0);
    expect(changes.map((c) => `${c.type} ${c.key}`)).toContain('added default/while-away');
  });

  it('is jittered: with jitter 1 and random() = 0.5 each delay is 1.5 times the base', async () => {
    const { watch, health } = start({ random: () => 0.5, jitter: 1 });
    await watch.whenSynced();
    await watching(server);
    await server.pause();
    const failures = (): number[] => [
      ...new Set(health.map((h) => h.resources.Node.lastError?.at.getTime()).filter((t) => t !== undefined)),
    ];
    await eventually(() => failures().length >= 3, 10_000, 'three failures');
    const [first = 0, second = 0, third = 0] = failures();
    // 40 and 80 ms, each times 1.5.
    expect(second - first).toBeGreaterThanOrEqual(60 - 5);
    expect(third - second).toBeGreaterThanOrEqual(120 - 5);
  });
});

describe('malformed objects', () => {
  it('keeps objects the model will refuse, and a nameless one under its uid', async () => {
    const broken = {
      kind: 'Service',
      metadata: { name: 'broken', namespace: 'default' },
      spec: { ports: 'not a list', clusterIP: 12 },
    };
    server.apply(broken);
    const { watch, changes } = start();
    await watch.whenSynced();
    await watching(server);
    const [kept] = watch.snapshot().services;
    expect((kept as { spec: unknown }).spec).toEqual(broken.spec);
    expect(validateService(kept).value).toBeUndefined();
    expect(validateService(kept).problems.length).toBeGreaterThan(0);
    server.injectWatchLine(
      'services',
      JSON.stringify({ type: 'ADDED', object: { kind: 'Service', metadata: { uid: 'u-1' }, spec: 7 } }),
    );
    await eventually(() => watch.snapshot().services.length === 2, 5000, 'the nameless Service');
    expect(changes.map((c) => c.key)).toEqual(['default/broken', '<unnamed uid u-1>']);
  });
});

describe('an event kipvs cannot take in', () => {
  const serviceLists = (): (string | undefined)[] =>
    server.requests.filter((r) => r.path === '/api/v1/services' && !r.watch).map((r) => r.query['resourceVersion']);

  it('a line cut off is reported and the Services are listed again, which brings back the lost event', async () => {
    const cluster = start();
    await cluster.watch.whenSynced();
    await watching(server);
    server.garbleNextEvent('services');
    server.apply(service('lost'));
    await eventually(
      () => names(cluster.watch.snapshot().services).join() === 'lost',
      5000,
      'the lost Service, by the relist',
    );
    expect(cluster.faults.map((f) => `${f.resource} ${f.reason}`)).toEqual(['Service unparsable_line']);
    expect(cluster.faults[0]?.message).toMatch(
      /^watching Services: a watch line is not JSON \(\{"type":"ADDED".*\); listing again$/,
    );
    // The first list from the watch cache, the relist a consistent read.
    expect(serviceLists()).toEqual(['0', undefined]);
    expect(cluster.watch.health().resources.Service.relists).toBe(1);
    expect(cluster.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['added default/lost']);
    server.apply(service('after'));
    await eventually(() => cluster.watch.snapshot().services.length === 2, 5000, 'the watch to go on');
  });

  it.each([
    ['not JSON', 'unparsable_line'],
    [JSON.stringify({ type: 'ADDED', object: null }), 'invalid_event'],
    [JSON.stringify({ type: 'SURPRISE', object: { metadata: { name: 'x' } } }), 'invalid_event'],
    [JSON.stringify(['ADDED']), 'invalid_event'],
  ])('%s is a fault (%s) and a relist', async (line, reason) => {
    const cluster = start();
    await cluster.watch.whenSynced();
    await watching(server);
    server.injectWatchLine('endpointslices', line);
    await eventually(() => cluster.watch.health().resources.EndpointSlice.relists === 1, 5000, 'the relist');
    expect(cluster.faults.map((f) => `${f.resource} ${f.reason}`)).toEqual([`EndpointSlice ${reason}`]);
  });

  it('a handler that throws is reported, and the relist tells the reader that anything may differ', async () => {
    let thrown = false;
    const cluster = start({
      onChange: (c) => {
        if (c.key === 'default/boom' && !thrown) {
          thrown = true;
          throw new Error('the consumer failed');
        }
      },
    });
    await cluster.watch.whenSynced();
    await watching(server);
    server.apply(service('boom'));
    await eventually(() => cluster.watch.health().resources.Service.relists === 1, 5000, 'the relist');
    expect(cluster.faults.map((f) => `${f.reason}: ${f.detail}`)).toEqual(['handler_error: the consumer failed']);
    expect(names(cluster.watch.snapshot().services)).toEqual(['boom']);
  });
});
