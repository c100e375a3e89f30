// The quick path of EndpointSlice validation (objects already of the schema's shape are read
// without the schema) against the schema alone: the same value and the same problems for any
// object, well-formed, malformed or not an object at all.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validateEndpointSlice, validateEndpointSliceBySchema } from '../../../src/proxy/endpoint-slice-input.js';
import { endpoint, endpointSlice, port } from '../../fixtures/proxy/objects.js';
import { randomSlice } from './random-objects.js';

describe('validateEndpointSlice', () => {
  it('gives what the schema alone gives, for random slices and anything else', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 5, arbitrary: randomSlice }, { weight: 1, arbitrary: fc.anything() }), (raw) => {
        expect(validateEndpointSlice(raw)).toEqual(validateEndpointSliceBySchema(raw));
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives what the schema gives where the two ways part: nulls, absent conditions, odd protocols and labels', () => {
    const base = endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.1', { forZones: ['z1'] })]);
    const variants: unknown[] = [
      { ...base, ports: [{ name: 'http', port: 8080, protocol: 'toString' }] },
      { ...base, ports: [{ name: 'http', port: 8080, protocol: null }] },
      { ...base, ports: [{ name: 'http', port: 8080.5 }] },
      { ...base, endpoints: [{ addresses: ['10.244.1.1'] }] },
      { ...base, endpoints: [{ addresses: null, conditions: {} }] },
      { ...base, endpoints: [{ addresses: ['10.244.1.1'], conditions: { ready: 'yes' } }] },
      { ...base, endpoints: [{ addresses: ['10.244.1.1'], conditions: {}, hints: { forZones: null } }] },
      { ...base, endpoints: [{ addresses: ['10.244.1.1'], conditions: {}, hints: { forNodes: [{ name: 1 }] } }] },
      { ...base, metadata: { name: 'web', namespace: 'default', labels: null } },
      { ...base, metadata: { name: 'web', namespace: 'default', labels: { 'kubernetes.io/service-name': 7 } } },
      { ...base, metadata: { name: '', namespace: 'default' } },
      [base],
    ];
    for (const raw of variants) expect(validateEndpointSlice(raw)).toEqual(validateEndpointSliceBySchema(raw));
  });
});
