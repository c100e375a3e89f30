// Bringing a kept live state up to date with real servers read again: which services to
// read, and what the state is once they are read.
import { describe, expect, it } from '@jest/globals';
import type { LiveState } from '../../../src/contracts/live-state.js';
import { realServerKeyText } from '../../../src/reconcile/keys.js';
import {
  sameRealServers,
  servicesLosingRealServers,
  servicesWithDraining,
  withRealServers,
} from '../../../src/reconcile/live-refresh.js';
import { desiredOf, desiredServer, family, liveOf, liveReal, realServer, virtualServer } from './states.js';

/** A kernel with three TCP services of two endpoints each. */
const LIVE: LiveState = liveOf(
  desiredOf(
    family({
      virtualServers: ['10.96.0.1', '10.96.0.2', '10.96.0.3'].map((ip, i) =>
        desiredServer(`s${i}`, ip, 80, 'tcp', ['10.244.0.1:8080', '10.244.0.2:8080']),
      ),
    }),
  ),
);
const key = (ip: string) => virtualServer(ip, 80).key;
const draining = (ip: string, rs: string) => realServerKeyText(key(ip), { address: rs, port: 8080 });

describe('servicesWithDraining', () => {
  it('names each service with a draining real server once, in key order', () => {
    const terminating = new Map([
      [draining('10.96.0.3', '10.244.0.1'), 1],
      [draining('10.96.0.1', '10.244.0.2'), 2],
      [draining('10.96.0.1', '10.244.0.1'), 3],
    ]);
    expect(servicesWithDraining(LIVE, terminating)).toEqual([key('10.96.0.1'), key('10.96.0.3')]);
  });

  it('names no service the kept state does not hold', () => {
    expect(servicesWithDraining(LIVE, new Map([[draining('10.96.0.9', '10.244.0.1'), 1]]))).toEqual([]);
  });
});

describe('withRealServers', () => {
  it('replaces the real servers of the services read again and keeps the others as they were', () => {
    const fresh = [liveReal({ ...realServer('10.244.0.1', 8080), weight: 0 }, 3, 1)];
    const after = withRealServers(LIVE, [{ service: key('10.96.0.2'), realServers: fresh }]);
    const [before, now] = [LIVE.families[0]?.virtualServers, after.families[0]?.virtualServers];
    expect(now?.[1]?.realServers).toBe(fresh);
    expect(now?.[1]?.service).toBe(before?.[1]?.service);
    expect(now?.[0]).toBe(before?.[0]);
    expect(now?.[2]).toBe(before?.[2]);
  });

  it('is the same state when nothing was read again', () => {
    expect(withRealServers(LIVE, [])).toBe(LIVE);
  });
});

describe('servicesLosingRealServers', () => {
  const cause = { reason: 'test' };
  const rs = (address: string, weight = 1) => ({ ...realServer(address, 8080), weight });

  it('names the services a plan deletes or drains a real server of, once each, but not those read already', () => {
    const plan = {
      createLink: false,
      phases: [
        {
          kind: 'ipvs',
          changes: [{ op: { op: 'add-real-server', service: key('10.96.0.3'), realServer: rs('10.244.0.9') }, cause }],
        },
        {
          kind: 'ipvs',
          changes: [
            { op: { op: 'edit-real-server', service: key('10.96.0.1'), realServer: rs('10.244.0.1', 0) }, cause },
            { op: { op: 'delete-real-server', service: key('10.96.0.1'), realServer: rs('10.244.0.2') }, cause },
            { op: { op: 'delete-real-server', service: key('10.96.0.2'), realServer: rs('10.244.0.2') }, cause },
            { op: { op: 'edit-real-server', service: key('10.96.0.3'), realServer: rs('10.244.0.1', 2) }, cause },
          ],
        },
      ],
    } as const;
    expect(servicesLosingRealServers(plan, [])).toEqual([key('10.96.0.1'), key('10.96.0.2')]);
    expect(servicesLosingRealServers(plan, [key('10.96.0.2')])).toEqual([key('10.96.0.1')]);
  });
});

describe('sameRealServers', () => {
  const read = (ip: string, ...realServers: ReturnType<typeof liveReal>[]) => [{ service: key(ip), realServers }];
  const rs1 = liveReal(realServer('10.244.0.1', 8080));
  const rs2 = liveReal(realServer('10.244.0.2', 8080));

  it('is true for the real servers the state holds, in any order and whatever their traffic', () => {
    const traffic = { ...rs2, stats: { ...rs2.stats, inPackets: 12n } };
    expect(sameRealServers(LIVE, read('10.96.0.1', traffic, rs1))).toBe(true);
  });

  it('is false once a connection count, a weight or the list differs, or for a service it does not hold', () => {
    expect(sameRealServers(LIVE, read('10.96.0.1', rs1, liveReal(realServer('10.244.0.2', 8080), 0, 1)))).toBe(false);
    expect(sameRealServers(LIVE, read('10.96.0.1', rs1, { ...rs2, weight: 0 }))).toBe(false);
    expect(sameRealServers(LIVE, read('10.96.0.1', rs1))).toBe(false);
    expect(sameRealServers(LIVE, read('10.96.0.9', rs1, rs2))).toBe(false);
  });
});
