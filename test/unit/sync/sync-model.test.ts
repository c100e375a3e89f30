// The sync engine's model fed by the change feed gives computeDesiredState's result for the
// snapshot after every step of a changing cluster, as the watch would report it: from the
// changes alone when they follow the last ones it took, from every object after a relist, a
// change that does not say what the object is, a take it missed or a periodic resync.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChangeFeed } from '../../../src/sync/change-feed.js';
import { SyncModel, type ModelInputRead } from '../../../src/sync/sync-model.js';
import { objectKey } from '../../../src/proxy/object-key.js';
import { healthCheckNodePorts } from '../../../src/proxy/health-check-node-ports.js';
import { validateObjects } from '../../../src/proxy/index.js';
import { NODE, type Json } from '../../fixtures/proxy/objects.js';
import { CLUSTER_CONFIG, hostAt, randomService, randomSlice, wholeState } from '../proxy/random-cluster.js';

type Kind = 'Service' | 'EndpointSlice';

/** One watch event: an object stored (added or replaced) or deleted (`index` picks one held). */
type Event = { readonly kind: Kind; readonly put: Json } | { readonly kind: Kind; readonly drop: number };

/** What else happens before the sync. */
type Disturbance = 'none' | 'relist' | 'change without its object' | 'missed take' | 'periodic';

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant<Kind>('Service'), put: randomService }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant<Kind>('EndpointSlice'), put: randomSlice }) },
  fc.record({ kind: fc.constantFrom<Kind>('Service', 'EndpointSlice'), drop: fc.nat(10) }),
);

const steps = fc.array(
  fc.record({
    events: fc.array(event, { minLength: 1, maxLength: 4 }),
    disturbance: fc.oneof(
      { weight: 6, arbitrary: fc.constant<Disturbance>('none') },
      fc.constantFrom<Disturbance>('relist', 'change without its object', 'missed take', 'periodic'),
    ),
    hostChanged: fc.nat(5).map((n) => n === 0),
  }),
  { minLength: 1, maxLength: 8 },
);

const EXPECTED_READ: Record<Disturbance, ModelInputRead> = {
  none: 'changes',
  relist: 'everything',
  'change without its object': 'everything',
  'missed take': 'missed changes',
  periodic: 'periodic resync',
};

describe('SyncModel', () => {
  // `admitted`: the watch keeps each object admitted on arrival (model.admit), as the daemon's
  // does, instead of the object itself.
  it('equals computeDesiredState of the snapshot after every step, reading only the changes when it may', () => {
    let fromChanges = 0;
    let admittedRuns = 0;
    fc.assert(
      fc.property(steps, fc.boolean(), (cluster, admitted) => {
        const model = new SyncModel(CLUSTER_CONFIG);
        const feed = new ChangeFeed();
        // The objects as the API server has them, one per namespace/name, and what the watch keeps of each.
        const held: Record<Kind, Map<string, Json>> = { Service: new Map(), EndpointSlice: new Map() };
        const kept: Record<Kind, Map<string, unknown>> = { Service: new Map(), EndpointSlice: new Map() };
        const keep = (kind: Kind, raw: Json): unknown => (admitted ? model.admit(kind, raw) : raw);
        const snapshot = () => ({
          services: [...held.Service.values()],
          endpointSlices: [...held.EndpointSlice.values()],
        });
        const keptSnapshot = () => ({
          services: [...kept.Service.values()],
          endpointSlices: [...kept.EndpointSlice.values()],
        });
        if (admitted) admittedRuns += 1;
        expect(model.desired(keptSnapshot(), hostAt(false), feed.take(), 'requested').read).toBe('first build');
        for (const step of cluster) {
          for (const e of step.events) {
            const cache = held[e.kind];
            if ('put' in e) {
              const object = keep(e.kind, e.put);
              cache.set(objectKey(e.put), e.put);
              kept[e.kind].set(objectKey(e.put), object);
              feed.record({ kind: e.kind, key: objectKey(e.put), state: { deleted: false, object } });
            } else {
              const key = [...cache.keys()][e.drop % Math.max(cache.size, 1)];
              if (key === undefined) continue;
              cache.delete(key);
              kept[e.kind].delete(key);
              feed.record({ kind: e.kind, key, state: { deleted: true } });
            }
          }
          if (step.disturbance === 'relist') feed.relisted();
          if (step.disturbance === 'change without its object') feed.record({ kind: 'Service', key: 'default/a' });
          // A take with nothing in it misses nothing: the model may go on from the changes.
          const missed = step.disturbance === 'missed take' ? feed.take() : undefined;
          const expected = missed && missed.from === missed.to ? 'changes' : EXPECTED_READ[step.disturbance];
          const objects = snapshot();
          const host = hostAt(step.hostChanged);
          const result = model.desired(
            keptSnapshot(),
            host,
            feed.take(),
            step.disturbance === 'periodic' ? 'periodic' : 'requested',
          );
          expect(result.read).toBe(expected);
          if (result.read === 'changes') fromChanges += 1;
          expect(result.state).toEqual(wholeState(objects, host));
          const valid = validateObjects({ ...objects, config: CLUSTER_CONFIG }).objects;
          const ports = valid.services.map((s) => s.healthCheckNodePort).filter((port) => port !== 0);
          // The API server keeps health check node ports unique; the random Services may share one.
          if (new Set(ports).size === ports.length)
            expect(model.healthCheckNodePorts()).toEqual(
              healthCheckNodePorts(valid.services, valid.endpointSlices, NODE),
            );
        }
      }),
      { numRuns: 300 },
    );
    // The incremental path was taken, not only the fallbacks; both ways of keeping objects ran.
    expect(fromChanges).toBeGreaterThan(300);
    expect(admittedRuns).toBeGreaterThan(50);
  });
});
