// The sync engine's validation memo gives what the model's validateObjects gives, and
// validates an object again only when the watch hands a new one.
import { describe, expect, it } from '@jest/globals';
import { ValidationMemo } from '../../../src/sync/validation-memo.js';
import { admittedMetadata } from '../../../src/sync/admitted-object.js';
import { objectKey } from '../../../src/proxy/object-key.js';
import { sortObjectProblems } from '../../../src/sync/validation-memo.js';
import { validateObjects } from '../../../src/proxy/index.js';
import { endpoint, endpointSlice, modelConfig, node, NODE, port, service } from '../../fixtures/proxy/objects.js';

const web = service('web', { clusterIP: '10.96.0.10', ports: [port('http', 80)] });
const broken = service('broken', { clusterIP: 'not-an-ip', ports: 'none' });
const slice = endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.1', { ready: true })]);
const OBJECTS = {
  services: [web, broken, null],
  endpointSlices: [slice, 'not an object'],
  node: node({ 'topology.kubernetes.io/zone': 'a' }),
};

describe('ValidationMemo', () => {
  it('gives what validateObjects gives, problems included', () => {
    const memo = new ValidationMemo();
    const whole = validateObjects({ ...OBJECTS, config: modelConfig() });
    // The same problems, by kind and then namespace/name rather than in input order.
    const expected = { ...whole, problems: sortObjectProblems(whole.problems) };
    expect(expected.problems.length).toBeGreaterThan(1);
    expect(expected.problems).not.toEqual(whole.problems);
    expect(memo.validate(OBJECTS, NODE)).toEqual(expected);
    // The second time from the memo, the same again.
    expect(memo.validate(OBJECTS, NODE)).toEqual(expected);
  });

  it('keeps the validated value of an unchanged object and validates a replaced one', () => {
    const memo = new ValidationMemo();
    const first = memo.validate({ services: [web], endpointSlices: [slice] }, NODE);
    const replaced = endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.2', { ready: true })]);
    const second = memo.validate({ services: [web], endpointSlices: [replaced] }, NODE);
    expect(second.objects.services[0]).toBe(first.objects.services[0]);
    expect(second.objects.endpointSlices[0]).not.toBe(first.objects.endpointSlices[0]);
    expect(second.objects.endpointSlices).toEqual(
      validateObjects({ services: [], endpointSlices: [replaced], config: modelConfig() }).objects.endpointSlices,
    );
  });

  it('takes the validation an admitted object carries as validating the object gives it', () => {
    const memo = new ValidationMemo();
    const admitted = {
      services: OBJECTS.services.map((raw) => memo.admit('Service', raw)),
      endpointSlices: OBJECTS.endpointSlices.map((raw) => memo.admit('EndpointSlice', raw)),
      node: OBJECTS.node,
    };
    expect(new ValidationMemo().validate(admitted, NODE)).toEqual(new ValidationMemo().validate(OBJECTS, NODE));
    // The changes path too: the admitted object's value, its problems listed.
    const changes = {
      services: new Map([[objectKey(broken), admitted.services[1]]]),
      endpointSlices: new Map([[objectKey(slice), admitted.endpointSlices[0]]]),
    };
    const fromChanges = new ValidationMemo().validateChanges(changes, OBJECTS.node, NODE);
    expect(fromChanges.objects.endpointSlices.get(objectKey(slice))).toEqual(
      validateObjects({ services: [], endpointSlices: [slice], config: modelConfig() }).objects.endpointSlices[0],
    );
    expect(fromChanges.problems.map((p) => p.name)).toContain('broken');
  });

  it('keeps of an admitted object the metadata the watch reads, and refuses one of the other kind', () => {
    const memo = new ValidationMemo();
    const annotated = {
      ...slice,
      metadata: {
        ...(slice['metadata'] as object),
        resourceVersion: '42',
        uid: 'u-1',
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-12-07T10:00:00Z' },
        labels: { 'kubernetes.io/service-name': 'web' },
      },
    };
    const admitted = memo.admit('EndpointSlice', annotated);
    expect(admitted.metadata).toEqual({
      namespace: 'default',
      name: 'web-abcde',
      uid: 'u-1',
      resourceVersion: '42',
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-12-07T10:00:00Z' },
    });
    expect(objectKey(admitted)).toBe(objectKey(annotated));
    expect(admittedMetadata('not an object')).toEqual({});
    expect(() => memo.validate({ services: [admitted], endpointSlices: [] }, NODE)).toThrow(
      'an admitted EndpointSlice was handed over as a Service',
    );
  });
});
