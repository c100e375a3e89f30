// The diff of a large cluster against a kernel already in sync: 10,000
// services × 10 endpoints (100,000 real servers, 10,000 addresses and set
// members). Every lookup is a Map of canonical keys, so this is linear; the
// bound is loose for a busy 2-core machine, the measured time is printed.
import { describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import type { DesiredState, DesiredVirtualServer } from '../../../src/contracts/desired-state.js';
import { bitmapSet, desiredOf, desiredServer, diffAt, family, hashSet, liveOf } from './states.js';

const SERVICES = 10_000;
const ENDPOINTS = 10;

function largeState(): DesiredState {
  const address = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const servers: DesiredVirtualServer[] = Array.from({ length: SERVICES }, (_, i) =>
    desiredServer(
      `svc-${i}`,
      address(i),
      80,
      i % 5 === 0 ? 'udp' : 'tcp',
      Array.from(
        { length: ENDPOINTS },
        (_e, j) => `10.244.${((i * ENDPOINTS + j) >> 8) & 255}.${(i * ENDPOINTS + j) & 255}:8080`,
      ),
    ),
  );
  const addresses = servers.map((d) => ('address' in d.virtualServer.key ? d.virtualServer.key.address : ''));
  return desiredOf(
    family({
      virtualServers: servers,
      linkAddresses: addresses,
      ipsets: [
        hashSet(
          'KUBE-CLUSTER-IP',
          'hash:ip,port',
          servers.map((d, i) => ({ ip: addresses[i] ?? '', protocol: d.service.protocol, port: 80 })),
        ),
        hashSet(
          'KUBE-IPVS-IPS',
          'hash:ip',
          addresses.map((ip) => ({ ip })),
        ),
        bitmapSet('KUBE-NODE-PORT-TCP'),
      ],
    }),
  );
}

describe('performance', () => {
  it(`diffs ${SERVICES} services × ${ENDPOINTS} endpoints against an identical kernel: an empty plan`, () => {
    const desired = largeState();
    const live = liveOf(desired);
    diffAt(desired, live); // warm up the JIT
    const runs = 5;
    const started = performance.now();
    for (let i = 0; i < runs; i++) expect(diffAt(desired, live).plan.phases).toEqual([]);
    const ms = (performance.now() - started) / runs;
    // Printed, not asserted: speed goals live in the benchmark (bench/), never in a unit test.
    process.stdout.write(`diff of ${SERVICES}x${ENDPOINTS} in sync: ${ms.toFixed(1)} ms\n`);
  }, 120_000);
});
