// What the watch keeps of each object (read-fields.ts) is all the model reads: the
// desired state, problems included, is the same from the reduced objects as from the
// whole ones, for random objects as a real API server serves them and for junk in any
// field; and none of what a real server adds and the model never reads is kept.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MODEL_FIELDS, mergeFieldShapes, projectFields, type FieldShape } from '../../../src/proxy/read-fields.js';
import { node, NODE, type Json } from '../../fixtures/proxy/objects.js';
import { servedEndpointSlice, servedNode, servedService } from '../../fixtures/proxy/served-objects.js';
import { randomService as plausibleService, randomSlice as plausibleSlice } from './random-cluster.js';
import { anchor, anchorSlice, computeWith, randomNode, randomService, randomSlice } from './random-objects.js';

const TIMEOUT_MS = 120_000;

const reduceService = (o: unknown): unknown => projectFields(MODEL_FIELDS.Service, o);
const reduceSlice = (o: unknown): unknown => projectFields(MODEL_FIELDS.EndpointSlice, o);
const reduceNode = (o: unknown): unknown => projectFields(MODEL_FIELDS.Node, o);

const servedCluster = fc.record({
  services: fc.array(plausibleService, { maxLength: 5 }),
  slices: fc.array(plausibleSlice, { maxLength: 6 }),
  zone: fc.constantFrom('z1', 'z2'),
  seed: fc.nat(),
});

describe('the fields the model reads', () => {
  it(
    'give the same desired state as the whole objects, for clusters as a real API server serves them',
    () => {
      fc.assert(
        fc.property(servedCluster, ({ services, slices, zone, seed }) => {
          const served = {
            services: services.map((s, i) => servedService(s, seed + i)),
            slices: slices.map((s, i) => servedEndpointSlice(s, seed + i)),
            node: servedNode(node({ 'topology.kubernetes.io/zone': zone }, ['10.244.0.0/24']), seed),
          };
          const whole = computeWith(served.services, served.slices, served.node);
          const reduced = computeWith(
            served.services.map(reduceService),
            served.slices.map(reduceSlice),
            reduceNode(served.node),
          );
          expect(reduced).toEqual(whole);
        }),
        { numRuns: 200 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'give the same desired state and the same problems for objects with junk in any field',
    () => {
      fc.assert(
        fc.property(
          fc.array(randomService, { maxLength: 3 }),
          fc.array(randomSlice, { maxLength: 3 }),
          randomNode,
          (services: unknown[], slices: unknown[], n: unknown) => {
            const whole = computeWith([anchor, ...services], [anchorSlice, ...slices], n);
            const reduced = computeWith(
              [anchor, ...services].map(reduceService),
              [anchorSlice, ...slices].map(reduceSlice),
              n === undefined ? undefined : reduceNode(n),
            );
            expect(reduced).toEqual(whole);
          },
        ),
        { numRuns: 1_000 },
      );
    },
    TIMEOUT_MS,
  );

  it('leave out what a real API server adds: uid, managedFields, owner and target references, zones, other labels and annotations', () => {
    const service = servedService(
      {
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] },
      },
      7,
    );
    (service['metadata'] as Json)['annotations'] = {
      'kipvs.io/ipvs-scheduler': 'mh',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    };
    expect(reduceService(service)).toEqual({
      metadata: {
        name: 'web',
        namespace: 'shop',
        resourceVersion: '1007',
        labels: {},
        annotations: { 'kipvs.io/ipvs-scheduler': 'mh' },
      },
      spec: {
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ipFamilies: ['IPv4'],
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ports: [{ name: 'http', port: 80 }],
      },
      status: { loadBalancer: {} },
    });
    const slice = servedEndpointSlice(
      {
        kind: 'EndpointSlice',
        metadata: { name: 'web-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [],
        endpoints: [{ addresses: ['10.244.1.5'] }],
      },
      7,
    );
    expect(reduceSlice(slice)).toEqual({
      metadata: {
        name: 'web-x',
        namespace: 'shop',
        resourceVersion: '2007',
        labels: { 'kubernetes.io/service-name': 'web' },
      },
      addressType: 'IPv4',
      ports: [],
      endpoints: [
        {
          addresses: ['10.244.1.5'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'node-7',
        },
      ],
    });
    expect(reduceNode(servedNode(node({ 'topology.kubernetes.io/zone': 'z1' }, ['10.244.0.0/24']), 7))).toEqual({
      metadata: { name: NODE, resourceVersion: '3007', labels: { 'topology.kubernetes.io/zone': 'z1' } },
      spec: { podCIDRs: ['10.244.0.0/24'] },
      status: {
        addresses: [
          { type: 'InternalIP', address: '192.168.1.10' },
          { type: 'Hostname', address: NODE },
        ],
      },
    });
  });

  it('keep the uid only of an object without a name, which the cache keys by it', () => {
    expect(reduceService({ metadata: { uid: 'u-1', namespace: 'x' }, spec: 7 })).toEqual({
      metadata: { uid: 'u-1', namespace: 'x' },
      spec: 7,
    });
    expect(reduceService({ metadata: { uid: 'u-1', name: 'web' } })).toEqual({ metadata: { name: 'web' } });
  });

  it('keep a value of another shape than expected whole, so that validation reports it', () => {
    expect(
      reduceService({
        metadata: { name: 'a', labels: { app: 1, 'service.kubernetes.io/headless': '' } },
        spec: { ports: 'no', externalIPs: 3 },
      }),
    ).toEqual({
      metadata: { name: 'a', labels: { app: 1, 'service.kubernetes.io/headless': '' } },
      spec: { ports: 'no', externalIPs: 3 },
    });
    expect(reduceSlice({ endpoints: [7, { addresses: ['10.0.0.1'], targetRef: {} }] })).toEqual({
      endpoints: [7, { addresses: ['10.0.0.1'] }],
    });
  });
});

describe('mergeFieldShapes', () => {
  it('keeps every field either shape keeps', () => {
    const a: FieldShape = {
      fields: {
        metadata: { fields: { name: true, labels: { keys: ['a'] } } },
        spec: { fields: { x: { each: { fields: { p: true } } } } },
      },
    };
    const b: FieldShape = {
      fields: {
        metadata: { fields: { deletionTimestamp: true, labels: { keys: ['b', 'a'] } } },
        spec: { fields: { x: { each: { fields: { q: true } } } } },
      },
    };
    expect(mergeFieldShapes(a, b)).toEqual({
      fields: {
        metadata: { fields: { name: true, labels: { keys: ['a', 'b'] }, deletionTimestamp: true } },
        spec: { fields: { x: { each: { fields: { p: true, q: true } } } } },
      },
    });
    expect(mergeFieldShapes({ fields: {} }, true)).toBe(true);
    expect(mergeFieldShapes({ keys: ['a'] }, { fields: {} })).toBe(true);
  });
});
