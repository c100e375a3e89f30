// ClusterWatch against what kube-apiserver does that a client can tell: paged lists and
// expired continue tokens, bookmarks, watches the server ends, 429 with Retry-After,
// 500 and 503, RBAC's 403, and a server that takes a request and never answers. In
// every case the cache keeps its last state, the failure is said once in words a person
// can act on, and the watch recovers by itself. The servers refuse streaming lists as
// one without the WatchList feature does, so the lists here are paged.
import { describe, expect, it } from '@jest/globals';
import { eventually, fakeClusters, lists, names, node, NODE, plainWatches, service, watching } from './fake-cluster.js';

const { serve, start } = fakeClusters({ watchList: 'disabled' });

describe('paged lists', () => {
  it("read the collection 500 at a time with the continue token, then watch from the list's resourceVersion", async () => {
    const server = await serve();
    for (let i = 0; i < 1_201; i++) server.apply(service(`svc-${String(i).padStart(4, '0')}`));
    const cluster = start(server);
    await cluster.watch.whenSynced();
    await watching(server);
    expect(cluster.watch.snapshot().services.length).toBe(1_201);
    const pages = lists(server);
    expect(pages.map((r) => r.query['limit'])).toEqual(['500', '500', '500']);
    expect(pages.map((r) => r.query['resourceVersion'])).toEqual(['0', undefined, undefined]);
    expect(pages.map((r) => r.query['continue'] !== undefined)).toEqual([false, true, true]);
    expect(plainWatches(server)[0]?.query['resourceVersion']).toBe(String(server.store.revision));
  });

  it('start over when a continue token has expired (410), and keep no object of the broken list twice', async () => {
    const server = await serve();
    for (let i = 0; i < 5; i++) server.apply(service(`svc-${i}`));
    let compacted = false;
    const cluster = start(server, {
      pageSize: 2,
      // Between the first page and the second, etcd compacts the list's revision.
      transform: (_kind, object) => {
        if (!compacted) {
          compacted = true;
          server.apply(service('svc-new'));
          server.compact();
        }
        return object;
      },
    });
    await cluster.watch.whenSynced();
    expect(names(cluster.watch.snapshot().services)).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-new']);
    const pages = lists(server);
    expect(pages.map((r) => r.status)).toEqual([200, 410, 200, 200, 200]);
    // After the 410 the list starts over from its first page, as a consistent read.
    expect(pages[2]?.query['continue']).toBeUndefined();
    expect(pages[2]?.query['resourceVersion']).toBeUndefined();
    expect(cluster.changes.filter((c) => c.kind === 'Service').length).toBe(6);
  });
});

describe('bookmarks and watches the server ends', () => {
  it('a BOOKMARK moves the resourceVersion on without an event, and the next watch starts there', async () => {
    const server = await serve({ bookmarkIntervalMs: 100 });
    const cluster = start(server);
    await cluster.watch.whenSynced();
    await watching(server);
    // Changes of other resources move the revision; the Services watch hears of it by bookmark.
    server.apply(node(NODE));
    server.apply(node('node-b'));
    const revision = String(server.store.revision);
    await eventually(() => cluster.watch.health().resources.Service.resourceVersion === revision, 5000, 'the bookmark');
    expect(plainWatches(server)[0]?.query['allowWatchBookmarks']).toBe('true');
    server.endWatches();
    await eventually(() => plainWatches(server).length === 2, 5000, 'the next watch');
    expect(plainWatches(server)[1]?.query['resourceVersion']).toBe(revision);
    expect(cluster.changes.filter((c) => c.kind === 'Service')).toEqual([]);
  });

  it('a watch the server ends after a short timeout is made again from where it was, without a relist or an error', async () => {
    const server = await serve({ watchTimeoutMs: 150 });
    const cluster = start(server);
    await cluster.watch.whenSynced();
    await eventually(
      () => server.requests.filter((r) => r.path === '/api/v1/services' && r.watch).length >= 4,
      10_000,
      'four watches',
    );
    server.apply(service('web'));
    await eventually(() => cluster.watch.snapshot().services.length === 1, 5000, 'the Service');
    expect(lists(server).length).toBe(1);
    expect(cluster.watch.health().lastError).toBeUndefined();
    expect(cluster.watch.health().relists).toBe(0);
  });

  it('a watch silent for longer than watchIdleMs is taken for dead and made again, not counted as a failure', async () => {
    const server = await serve();
    const cluster = start(server, { timeouts: { requestMs: 5_000, watchIdleMs: 150 } });
    await cluster.watch.whenSynced();
    await eventually(
      () => server.requests.filter((r) => r.path === '/api/v1/nodes' && r.watch).length >= 3,
      10_000,
      'three watches',
    );
    expect(cluster.watch.health().lastError).toBeUndefined();
    expect(lists(server, '/api/v1/nodes').length).toBe(1);
  });
});

describe('failures the server answers with', () => {
  it('429 with Retry-After: the next request waits as long as the server asked, not the 40 ms backoff', async () => {
    const server = await serve();
    server.injectFault({
      resource: 'services',
      request: 'list',
      response: { status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    const cluster = start(server);
    await cluster.watch.whenSynced();
    const [refused, retried] = lists(server);
    expect(refused?.status).toBe(429);
    expect((retried?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1000 - 5);
    expect(cluster.health.map((h) => h.lastError?.error.message).find((m) => m !== undefined)).toBe(
      'listing Services: the API server answered with an error (HTTP 429: injected 429); it asks to retry after 1 s',
    );
  });

  it('503 with Retry-After on a watch is honoured too', async () => {
    const server = await serve();
    server.injectFault({
      resource: 'nodes',
      request: 'watch',
      response: { status: 503, retryAfterSeconds: 1 },
      times: 1,
    });
    const cluster = start(server);
    await cluster.watch.whenSynced();
    await eventually(() => server.openWatches('nodes') === 1, 5000, 'the Node watch');
    const [refused, retried] = server.requests.filter((r) => r.path === '/api/v1/nodes' && r.watch);
    expect(refused?.status).toBe(503);
    expect((retried?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1000 - 5);
    // The server counts the watch open before its answer reaches the client.
    await eventually(() => cluster.watch.health().connected, 5000, 'the watch connected');
  });

  it.each([500, 503] as const)(
    '%s without Retry-After: retried with backoff, the cache kept, then caught up',
    async (status) => {
      const server = await serve();
      server.apply(service('web'));
      const cluster = start(server);
      await cluster.watch.whenSynced();
      await watching(server);
      server.injectFault({ resource: 'services', request: 'watch', response: { status }, times: 3 });
      server.endWatches();
      await eventually(() => cluster.watch.health().lastError?.error.status === status, 5000, 'the failure');
      expect(cluster.watch.health().lastError?.error.kind).toBe('status');
      expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
      server.apply(service('db'));
      await eventually(
        () => cluster.watch.health().connected && cluster.watch.snapshot().services.length === 2,
        5000,
        'the catch-up',
      );
      expect(
        server.requests.filter((r) => r.path === '/api/v1/services' && r.watch && r.status === status).length,
      ).toBe(3);
    },
  );

  it('403 for a resource the token may not read names the RBAC rule that is missing, and syncs once it is granted', async () => {
    const server = await serve();
    server.forbid('endpointslices');
    const cluster = start(server);
    await eventually(() => cluster.watch.health().lastError !== undefined, 5000, 'the 403');
    const error = cluster.watch.health().lastError?.error;
    expect(error?.kind).toBe('forbidden');
    expect(error?.message).toBe(
      'listing EndpointSlices: the API server forbids it (403 Forbidden) (HTTP 403: endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:kube-system:kipvs" ' +
        'cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope); kipvs\'s ClusterRole needs the rule "list endpointslices.discovery.k8s.io"',
    );
    expect(cluster.watch.hasSynced()).toBe(false);
    server.allow('endpointslices');
    await cluster.watch.whenSynced();
  });
});

describe('a server that takes a request and never answers', () => {
  it('a hung list is given up after requestMs and retried', async () => {
    const server = await serve();
    server.apply(service('web'));
    server.injectFault({ resource: 'services', request: 'list', response: 'hang', times: 1 });
    const cluster = start(server, { timeouts: { requestMs: 300, watchIdleMs: 60_000 } });
    await cluster.watch.whenSynced();
    expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
    expect(lists(server).map((r) => r.status)).toEqual([0, 200]);
    const error = cluster.health.map((h) => h.lastError?.error).find((e) => e !== undefined);
    expect(error?.message).toBe('listing Services: the API server cannot be reached (timed out)');
  });

  it('a hung watch is given up and made again, the cache kept', async () => {
    const server = await serve();
    server.apply(service('web'));
    const cluster = start(server, { timeouts: { requestMs: 300, watchIdleMs: 60_000 } });
    await cluster.watch.whenSynced();
    await watching(server);
    server.injectFault({ resource: 'services', request: 'watch', response: 'hang', times: 2 });
    server.endWatches();
    await eventually(() => cluster.watch.health().lastError?.error.request === 'watch', 5000, 'the time-out');
    expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
    server.apply(service('db'));
    await eventually(() => cluster.watch.snapshot().services.length === 2, 5000, 'the watch to come back');
    expect(cluster.watch.health().connected).toBe(true);
  });
});
