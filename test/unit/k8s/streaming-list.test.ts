// Streaming lists (KEP-3157 watch-list) against the fake API server over real HTTPS: the
// list is one watch request whose initial events replace the cache at the
// initial-events-end bookmark, and whose stream then carries the changes; a server that
// refuses it, or never ends its initial events, is listed page by page from then on; 410
// Gone and lost events lead to a fresh streaming list.
import { describe, expect, it } from '@jest/globals';
import { KUBE_PROXY_LABEL_SELECTOR } from '../../../src/k8s/index.js';
import type { FakeApiServer, RequestRecord } from '../../support/fake-apiserver/server.js';
import {
  endpointSlice,
  eventually,
  fakeClusters,
  lists,
  names,
  node,
  NODE,
  plainWatches,
  service,
  watching,
} from './fake-cluster.js';

const { serve, start } = fakeClusters();

const SERVICES = '/api/v1/services';
const streams = (server: FakeApiServer, path = SERVICES): RequestRecord[] =>
  server.requests.filter((r) => r.path === path && r.watch && r.query['sendInitialEvents'] === 'true');

describe('a streaming list', () => {
  it("is one watch request per resource, with kube-proxy's selectors, that syncs the cache at the initial-events-end bookmark", async () => {
    const server = await serve();
    server.apply(service('web'));
    server.apply(service('db', { 'service.kubernetes.io/headless': '' }));
    server.apply(endpointSlice('web-abc', 'web'));
    server.apply(node(NODE));
    server.apply(node('node-b'));
    const { watch, changes } = start(server);
    await watch.whenSynced();
    const snapshot = watch.snapshot();
    expect(names(snapshot.services)).toEqual(['web']);
    expect(names(snapshot.endpointSlices)).toEqual(['web-abc']);
    expect(names([snapshot.node])).toEqual([NODE]);
    expect(changes.map((c) => `${c.type} ${c.kind} ${c.key}`).sort()).toEqual([
      'added EndpointSlice default/web-abc',
      'added Node node-a',
      'added Service default/web',
    ]);
    await watching(server);
    // No list, and no second request: the stream goes on as the watch.
    expect(server.requests.map((r) => r.watch)).toEqual([true, true, true]);
    for (const path of [SERVICES, '/apis/discovery.k8s.io/v1/endpointslices']) {
      expect(streams(server, path).map((r) => r.query)).toEqual([
        {
          watch: 'true',
          labelSelector: KUBE_PROXY_LABEL_SELECTOR,
          resourceVersion: '',
          resourceVersionMatch: 'NotOlderThan',
          sendInitialEvents: 'true',
          allowWatchBookmarks: 'true',
          timeoutSeconds: expect.stringMatching(/^\d+$/),
        },
      ]);
    }
    expect(streams(server, '/api/v1/nodes')[0]?.query['fieldSelector']).toBe(`metadata.name=${NODE}`);
    expect(watch.health().resources.Service.resourceVersion).toBe(String(server.store.revision));
    expect(watch.health().lastError).toBeUndefined();
  });

  it('leaves the cache as it was until the bookmark, and reduces each object on arrival', async () => {
    const server = await serve();
    for (let i = 0; i < 50; i++) server.apply(service(`svc-${i}`));
    const seen: number[] = [];
    const { watch } = start(server, {
      transform: (kind, object) => {
        if (kind === 'Service') seen.push(watch.snapshot().services.length);
        const { metadata } = object as { metadata: { name: string; namespace: string; resourceVersion: string } };
        return { kind, metadata: { name: metadata.name, namespace: metadata.namespace } };
      },
    });
    await watch.whenSynced();
    // Every initial event was reduced while the cache was still empty.
    expect(seen).toEqual(new Array(50).fill(0));
    expect(watch.snapshot().services[0]).toEqual({
      kind: 'Service',
      metadata: { name: 'svc-0', namespace: 'default' },
    });
    expect(watch.snapshot().services.length).toBe(50);
  });

  it('takes one token of the rate limiter for the one request', async () => {
    const server = await serve();
    for (let i = 0; i < 1_200; i++) server.apply(service(`svc-${i}`));
    const cluster = start(server, {}, (c) => ({ ...c, client: { ...c.client, qps: 1, burst: 3 } }));
    await cluster.watch.whenSynced();
    // Paged, 1,200 Services would be three pages and three more tokens at 1 a second.
    expect(server.requests.length).toBe(3);
    expect(cluster.watch.snapshot().services.length).toBe(1_200);
  });

  it('carries the changes after the bookmark on the same stream', async () => {
    const server = await serve();
    server.apply(service('web'));
    const { watch, changes } = start(server);
    await watch.whenSynced();
    await watching(server);
    changes.length = 0;
    server.apply(service('api'));
    server.apply({ ...service('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.11', ports: [{ port: 81 }] } });
    server.delete('Service', 'default', 'api');
    await eventually(() => changes.length === 3, 5000, 'three changes');
    expect(changes.map((c) => `${c.type} ${c.key}`)).toEqual([
      'added default/api',
      'modified default/web',
      'deleted default/api',
    ]);
    expect(names(watch.snapshot().services)).toEqual(['web']);
    expect(server.requests.filter((r) => r.path === SERVICES)).toHaveLength(1);
    expect(watch.health().resources.Service.resourceVersion).toBe(String(server.store.revision));
  });

  it('is followed by a plain watch from the last resourceVersion when the server ends it', async () => {
    const server = await serve();
    server.apply(service('web'));
    const { watch } = start(server);
    await watch.whenSynced();
    await watching(server);
    server.apply(service('api'));
    await eventually(() => watch.snapshot().services.length === 2, 5000, 'the added Service');
    server.endWatches();
    await eventually(() => plainWatches(server).length === 1, 5000, 'the next watch');
    expect(plainWatches(server)[0]?.query['resourceVersion']).toBe(String(server.store.revision));
    expect(streams(server)).toHaveLength(1);
    expect(watch.health().relists).toBe(0);
  });
});

describe('a server that does not stream lists', () => {
  it('refuses with 422 (WatchList off): the list is paged at once, and never streamed again for that server', async () => {
    const server = await serve({ watchList: 'disabled', expiredWatch: 'http-status' });
    server.apply(service('web'));
    const { watch, faults } = start(server);
    await watch.whenSynced();
    await watching(server);
    expect(streams(server).map((r) => r.status)).toEqual([422]);
    expect(lists(server).map((r) => r.query['resourceVersion'])).toEqual(['0']);
    expect(watch.health().lastError).toBeUndefined();
    // A relist after 410 Gone is paged straight away.
    await server.pause();
    server.apply(service('api'));
    server.compact();
    await server.resume();
    // Each of the three resources relists.
    await eventually(() => watch.health().relists === 3, 10_000, 'the relists');
    expect(watch.snapshot().services.length).toBe(2);
    expect(server.requests.filter((r) => r.query['sendInitialEvents'] !== undefined)).toHaveLength(3);
    expect(lists(server).map((r) => r.query['resourceVersion'])).toEqual(['0', undefined]);
    expect(faults).toEqual([]);
  });

  it('that ignores the parameters and never sends the bookmark is listed page by page after initialEventsMs, once', async () => {
    const server = await serve({ watchList: 'ignored' });
    server.apply(service('web'));
    server.apply(service('api'));
    const { watch, changes } = start(server, { timeouts: { initialEventsMs: 300 } });
    await watch.whenSynced();
    await watching(server);
    expect(streams(server).map((r) => r.status)).toEqual([200]);
    expect(lists(server)).toHaveLength(1);
    expect(names(watch.snapshot().services)).toEqual(['api', 'web']);
    // The objects of the abandoned stream were never taken for the cache's.
    expect(changes.filter((c) => c.kind === 'Service').map((c) => `${c.type} ${c.key}`)).toEqual([
      'added default/api',
      'added default/web',
    ]);
    server.injectWatchLine('services', 'not JSON');
    await eventually(() => lists(server).length === 2, 5000, 'the paged relist');
    expect(streams(server)).toHaveLength(1);
  });

  it('and one that answers a streaming list with 500 is paged this time, streamed again at the next list', async () => {
    const server = await serve();
    server.apply(service('web'));
    server.injectFault({ resource: 'services', request: 'watch', response: { status: 500 }, times: 1 });
    const { watch } = start(server);
    await watch.whenSynced();
    expect(lists(server)).toHaveLength(1);
    await watching(server);
    server.injectWatchLine('services', 'not JSON');
    await eventually(() => streams(server).length === 2, 5000, 'the streamed relist');
    expect(streams(server).map((r) => r.status)).toEqual([500, 200]);
    expect(lists(server)).toHaveLength(1);
  });
});

describe('a streaming list the server cannot serve now', () => {
  it('429 with Retry-After: streamed again as late as the server asked, never paged', async () => {
    const server = await serve();
    server.apply(service('web'));
    server.injectFault({
      resource: 'services',
      request: 'watch',
      response: { status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    const { watch } = start(server);
    await watch.whenSynced();
    const [refused, retried] = streams(server);
    expect([refused?.status, retried?.status]).toEqual([429, 200]);
    expect((retried?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1000 - 5);
    expect(lists(server)).toEqual([]);
  });

  it('no answer within requestMs: streamed again after the backoff, never paged', async () => {
    const server = await serve();
    server.apply(service('web'));
    server.injectFault({ resource: 'services', request: 'watch', response: 'hang', times: 1 });
    const { watch } = start(server, { timeouts: { requestMs: 1_000 } });
    await watch.whenSynced();
    expect(streams(server).map((r) => r.status)).toEqual([0, 200]);
    expect(lists(server)).toEqual([]);
    expect(names(watch.snapshot().services)).toEqual(['web']);
  });
});

describe('relists by stream', () => {
  it('after 410 Gone: objects deleted while kipvs was away are deleted at the bookmark, new ones added', async () => {
    for (const expiredWatch of ['error-event', 'http-status'] as const) {
      const server = await serve({ expiredWatch });
      server.apply(service('stays'));
      server.apply(service('goes'));
      const { watch, changes } = start(server);
      await watch.whenSynced();
      await watching(server);
      changes.length = 0;
      await server.pause();
      server.delete('Service', 'default', 'goes');
      server.apply(service('comes'));
      server.compact();
      await server.resume();
      await eventually(() => watch.health().resources.Service.relists === 1, 10_000, 'the relist');
      expect(names(watch.snapshot().services)).toEqual(['comes', 'stays']);
      expect(changes.filter((c) => c.kind === 'Service').map((c) => `${c.type} ${c.key}`)).toEqual([
        'deleted default/goes',
        'added default/comes',
      ]);
      // The watch from the compacted resourceVersion got 410; the list after it streams the freshest state.
      expect(plainWatches(server).map((r) => r.query['resourceVersion'])).toEqual([expect.stringMatching(/^\d+$/)]);
      expect(streams(server).map((r) => r.query['resourceVersion'])).toEqual(['', '']);
      expect(lists(server)).toEqual([]);
    }
  });

  it('from an expired resourceVersion: the stream answered 410 is made again from "", the freshest state', async () => {
    const server = await serve();
    server.apply(service('web'));
    const { watch, faults } = start(server);
    await watch.whenSynced();
    await watching(server);
    const known = watch.health().resources.Service.resourceVersion;
    // A change the Services' watch does not see, then compaction: `known` is now too old.
    server.apply(node('node-b'));
    server.compact();
    // A lost event: the relist streams from the last resourceVersion seen.
    server.injectWatchLine('services', 'not JSON');
    await eventually(() => watch.health().resources.Service.relists === 1, 10_000, 'the relist');
    expect(faults.map((f) => f.reason)).toEqual(['unparsable_line']);
    expect(streams(server).map((r) => r.query['resourceVersion'])).toEqual(['', known, '']);
    expect(names(watch.snapshot().services)).toEqual(['web']);
    expect(lists(server)).toEqual([]);
  });

  it('after a broken line in the initial events: the fault is reported and the list streamed again', async () => {
    const server = await serve();
    server.apply(service('web'));
    server.apply(service('api'));
    server.garbleNextEvent('services');
    const { watch, faults } = start(server);
    await watch.whenSynced();
    expect(faults.map((f) => `${f.resource} ${f.reason}`)).toEqual(['Service unparsable_line']);
    expect(names(watch.snapshot().services)).toEqual(['api', 'web']);
    expect(streams(server)).toHaveLength(2);
    expect(watch.health().resources.Service.relists).toBe(0);
  });

  it('after a handler threw at the bookmark: the cache is whole, the fault is reported and the list streamed again', async () => {
    const server = await serve();
    server.apply(service('web'));
    let throws = true;
    const { watch, faults } = start(server, {
      onChange: (change) => {
        if (change.kind === 'Service' && throws) {
          throws = false;
          throw new Error('the handler broke');
        }
      },
    });
    await watch.whenSynced();
    await eventually(() => streams(server).length === 2, 5000, 'the second stream');
    expect(faults.map((f) => `${f.resource} ${f.reason}`)).toEqual(['Service handler_error']);
    expect(names(watch.snapshot().services)).toEqual(['web']);
    await eventually(() => watch.health().resources.Service.relists === 1, 5000, 'the relist');
  });
});
