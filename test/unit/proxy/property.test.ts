// Property tests: whatever the API server sends, the model returns a state (it
// never throws), the valid objects among the junk still produce theirs, and
// every address in the output is one of its family.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { renderProblem, validateService, type DesiredState } from '../../../src/proxy/index.js';
import { parseIp } from '../../../src/proxy/ip.js';
import type { Json } from '../../fixtures/proxy/objects.js';
import { anchor, anchorSlice, computeWith, randomNode, randomService, randomSlice } from './random-objects.js';

/** Every address the state names is a valid address of its family's state. */
function addressesWellFormed(state: DesiredState): boolean {
  return state.families.every((f) => {
    const ofFamily = (text: string) => parseIp(text)?.family === f.family;
    return (
      f.linkAddresses.every(ofFamily) &&
      f.virtualServers.every(
        (d) =>
          'address' in d.virtualServer.key &&
          ofFamily(d.virtualServer.key.address) &&
          d.realServers.every((r) => ofFamily(r.address)),
      )
    );
  });
}

// Generous: the runs take seconds, more on a busy machine.
const TIMEOUT_MS = 120_000;

describe('the model on random objects', () => {
  // 2,500 runs of four random objects each (a Service, an EndpointSlice, a Node, anything).
  it(
    'never throws, keeps the valid objects state and names only valid addresses (10,000 objects)',
    () => {
      fc.assert(
        fc.property(randomService, randomSlice, randomNode, fc.anything(), (svc, slice, node, other) => {
          const state = computeWith([svc, anchor, other], [anchorSlice, slice, other], node);
          // The random Service, when valid, has a cluster IP virtual server for each of its ports.
          const valid = validateService(svc).value;
          for (const family of state.families) {
            const clusterIP = valid?.clusterIPs.get(family.family)?.text;
            const keys = new Set(family.virtualServers.map((d) => JSON.stringify(d.virtualServer.key)));
            for (const p of clusterIP === undefined ? [] : (valid?.ports ?? [])) {
              const key = {
                family: family.family === 'IPv4' ? 'inet' : 'inet6',
                protocol: p.protocol,
                address: clusterIP,
                port: p.port,
              };
              expect(keys.has(JSON.stringify(key))).toBe(true);
            }
          }
          const anchorServer = state.families[0]?.virtualServers.find(
            (d) => d.service.name === 'anchor' && d.service.namespace === 'aaa',
          );
          expect(anchorServer?.realServers.map((r) => `${r.address}:${r.port}`)).toEqual(['10.244.255.1:8080']);
          expect(addressesWellFormed(state)).toBe(true);
          for (const p of state.problems) expect(renderProblem(p)).toMatch(/: /);
        }),
        { numRuns: 2_500 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'gives the same state whatever the order objects arrive in',
    () => {
      fc.assert(
        fc.property(
          fc.array(randomService, { maxLength: 4 }),
          fc.array(randomSlice, { maxLength: 4 }),
          (services: Json[], slices: Json[]) => {
            const forward = computeWith(services, slices, undefined);
            const backward = computeWith([...services].reverse(), [...slices].reverse(), undefined);
            expect(backward.families).toEqual(forward.families);
            expect(new Set(backward.problems.map(renderProblem))).toEqual(new Set(forward.problems.map(renderProblem)));
          },
        ),
        { numRuns: 1000 },
      );
    },
    TIMEOUT_MS,
  );
});
