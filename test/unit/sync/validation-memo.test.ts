// The sync engine's validation memo gives what the model's validateObjects gives, and
// validates an object again only when the watch hands a new one.
import { describe, expect, it } from '@jest/globals';
import { ValidationMemo } from '../../../src/sync/validation-memo.js';
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
});
