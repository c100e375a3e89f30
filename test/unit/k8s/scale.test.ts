// A large cluster: 10,000 Services with an EndpointSlice each, listed over
// real HTTPS from the fake API server (streamed, and paged by a server that
// refuses streaming lists), then a burst of 1,000 changes through the watch. The
// times are printed for the record; the limits are generous (the machine is
// shared) but catch anything quadratic.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { WatchListMode } from '../../support/fake-apiserver/list-options.js';
import { FakeApiServer } from '../../support/fake-apiserver/server.js';
import { connectionFor, endpointSlice, eventually, service, watchCluster, watching } from './fake-cluster.js';

const SERVICES = 10_000;
let server: FakeApiServer;

beforeAll(async () => {
  server = await FakeApiServer.start();
  for (let i = 0; i < SERVICES; i++) {
    server.apply(service(`svc-${i}`, {}, `ns-${i % 100}`));
    const slice = endpointSlice(`svc-${i}-abcde`, `svc-${i}`);
    (slice['metadata'] as Record<string, unknown>)['namespace'] = `ns-${i % 100}`;
    server.apply(slice);
  }
});
afterAll(async () => {
  await server.close();
});

const WAYS: [string, WatchListMode][] = [
  ['streamed', 'enabled'],
  ['paged', 'disabled'],
];

it.each(WAYS)(
  `lists ${SERVICES} Services and ${SERVICES} EndpointSlices (%s), then follows 1,000 changes`,
  async (how, mode) => {
    server.setWatchList(mode);
    const started = performance.now();
    const cluster = watchCluster(connectionFor(server));
    try {
      await cluster.watch.whenSynced();
      const synced = performance.now() - started;
      const snapshot = cluster.watch.snapshot();
      expect(snapshot.services.length).toBe(SERVICES);
      expect(snapshot.endpointSlices.length).toBe(SERVICES);
      expect(cluster.changes.length).toBe(2 * SERVICES);

      await watching(server);
      const burst = performance.now();
      for (let i = 0; i < 1000; i++) server.delete('Service', `ns-${i % 100}`, `svc-${i}`);
      await eventually(() => cluster.watch.snapshot().services.length === SERVICES - 1000, 20_000, 'the burst');
      const followed = performance.now() - burst;
      const snapshotStart = performance.now();
      cluster.watch.snapshot();
      const snapshotMs = performance.now() - snapshotStart;
      console.log(
        `${SERVICES} Services + ${SERVICES} EndpointSlices, ${how}: synced in ${synced.toFixed(0)} ms; ` +
          `1,000 deletions followed in ${followed.toFixed(0)} ms; a snapshot takes ${snapshotMs.toFixed(1)} ms`,
      );
    } finally {
      await cluster.watch.stop();
      for (let i = 0; i < 1000; i++) server.apply(service(`svc-${i}`, {}, `ns-${i % 100}`));
    }
  },
  60_000,
);
