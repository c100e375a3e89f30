import { describe, expect, it } from '@jest/globals';
import { computeDesiredState } from '../../../src/proxy/index.js';
import {
  endpoint,
  endpointSlice,
  hostFacts,
  modelConfig,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';
import {
  fakeUid,
  realisticEndpointSlice,
  realisticService,
  type RealisticService,
} from '../../fixtures/proxy/realistic-objects.js';

// The benchmark's cluster (bench/sync-cluster.ts) is made of these objects: they must model
// exactly as the minimal objects with the same Services, ports and endpoints do.
const SERVICES: RealisticService[] = Array.from({ length: 30 }, (_, i) => ({
  name: `svc-${i}`,
  namespace: `team-${i % 3}`,
  n: i + 1,
  clusterIP: `10.96.0.${i + 1}`,
  port: 80,
  targetPort: 8080,
}));
const addresses = (s: RealisticService): string[] => Array.from({ length: 5 }, (_, d) => `10.244.${s.n}.${d + 1}`);

function minimal(s: RealisticService): { service: Json; slice: Json } {
  return {
    service: service(
      s.name,
      { type: 'ClusterIP', clusterIP: s.clusterIP, ports: [{ ...port('http', s.port), targetPort: s.targetPort }] },
      { namespace: s.namespace },
    ),
    slice: endpointSlice(
      s.name,
      [port('http', s.targetPort)],
      addresses(s).map((a) => endpoint(a, { ready: true })),
      { namespace: s.namespace },
    ),
  };
}

describe('realistic API objects', () => {
  it('model as the minimal objects of the same Services and endpoints', () => {
    const input = { host: hostFacts(), config: modelConfig({ scheduler: 'rr' }) };
    const realistic = computeDesiredState({
      ...input,
      services: SERVICES.map(realisticService),
      endpointSlices: SERVICES.map((s) => realisticEndpointSlice(s, addresses(s))),
    });
    const plain = computeDesiredState({
      ...input,
      services: SERVICES.map((s) => minimal(s).service),
      endpointSlices: SERVICES.map((s) => minimal(s).slice),
    });
    expect(realistic.problems).toEqual([]);
    expect(realistic).toEqual(plain);
    expect(realistic.families[0]?.virtualServers).toHaveLength(SERVICES.length);
  });

  it('have uids in the API server format, distinct per kind and object', () => {
    const uids = [1, 2, 3].flatMap((kind) => SERVICES.map((s) => fakeUid(kind, s.n)));
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
