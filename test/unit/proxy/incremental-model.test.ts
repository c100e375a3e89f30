// The incremental model gives what the full model gives for the same objects, step after
// step of a changing cluster, and reuses the pieces of the Services that did not change.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ClusterObjects } from '../../../src/proxy/index.js';
import { endpoint, endpointSlice, port, service } from '../../fixtures/proxy/objects.js';
import { applyChange, clusterSteps, hostAt, initialCluster, syncerModel, wholeState } from './random-cluster.js';

describe('the incremental model', () => {
  it("equals computeDesiredState of the same objects after every step of a changing cluster (problems in the daemon's order)", () => {
    fc.assert(
      fc.property(initialCluster, clusterSteps, (initial, steps) => {
        const desired = syncerModel();
        let objects: ClusterObjects = initial;
        expect(desired(objects, hostAt(false))).toEqual(wholeState(objects, hostAt(false)));
        for (const step of steps) {
          objects = step.changes.reduce(applyChange, objects);
          const host = hostAt(step.hostChanged);
          expect(desired(objects, host)).toEqual(wholeState(objects, host));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps an unchanged Service's virtual servers, real servers and untouched sets as the same objects", () => {
    const services = ['a', 'b', 'c'].map((name, i) =>
      service(name, { clusterIP: `10.96.0.${i + 1}`, ports: [port('http', 80)] }),
    );
    const slice = (name: string, address: string) =>
      endpointSlice(name, [port('http', 8080)], [endpoint(address, { node: 'node-b' })]);
    const before = {
      services,
      endpointSlices: [slice('a', '10.244.0.1'), slice('b', '10.244.0.2'), slice('c', '10.244.0.3')],
    };
    const after = {
      services,
      endpointSlices: [slice('a', '10.244.0.1'), slice('b', '10.244.9.9'), ...before.endpointSlices.slice(2)],
    };
    const desired = syncerModel();
    const [first] = desired(before, hostAt(false)).families;
    const [second] = desired(after, hostAt(false)).families;
    if (!first || !second) throw new Error('no IPv4 family');
    const [a1, b1, c1] = first.virtualServers;
    const [a2, b2, c2] = second.virtualServers;
    // "a" has a new slice object with the same content: its pieces are rebuilt, equal.
    expect(a2).toEqual(a1);
    expect(b2).not.toEqual(b1);
    expect(b2?.realServers.map((r) => r.address)).toEqual(['10.244.9.9']);
    expect(c2).toBe(c1);
    expect(second.linkAddresses).toBe(first.linkAddresses);
    // No member changed (no endpoint is local): every set is the previous one.
    for (const [i, set] of second.ipsets.entries()) expect(set).toBe(first.ipsets[i]);
    expect(second.iptables).toBe(first.iptables);
  });
});
