import { describe, expect, it } from '@jest/globals';
import { healthTimeoutMs, ProxierHealth, TO_BE_DELETED_TAINT } from '../../../../src/daemon/health/proxier-health.js';

/** A ProxierHealth on a hand-moved clock, with a 60 s timeout (syncPeriod 30 s). */
function fixture(): { health: ProxierHealth; advance: (ms: number) => void; now: () => number } {
  let now = 1_700_000_000_000;
  const health = new ProxierHealth(healthTimeoutMs(30_000), () => now);
  return { health, advance: (ms) => (now += ms), now: () => now };
}

describe('ProxierHealth', () => {
  it('takes twice the sync period as its timeout, as kube-proxy', () => {
    expect(healthTimeoutMs(30_000)).toBe(60_000);
  });

  it('is healthy while starting up, with no last update', () => {
    const { health, advance } = fixture();
    health.queuedUpdate('IPv4');
    advance(3_600_000);
    expect(health.status()).toEqual({ healthy: true, currentTime: expect.any(Number), nodeEligible: true });
  });

  it('judges a family whose syncs fail, even one that never synced: unhealthy a timeout after the first failure', () => {
    const { health, advance } = fixture();
    health.failed('IPv4');
    advance(30_000);
    health.failed('IPv4');
    advance(29_999);
    expect(health.isHealthy()).toBe(true);
    advance(1);
    expect(health.status()).toEqual({ healthy: false, currentTime: expect.any(Number), nodeEligible: true });
    health.updated('IPv4');
    expect(health.isHealthy()).toBe(true);
    advance(3_600_000);
    expect(health.isHealthy()).toBe(true);
  });

  it('stays healthy while a queued change is younger than the timeout', () => {
    const { health, advance } = fixture();
    health.updated('IPv4');
    health.queuedUpdate('IPv4');
    advance(59_999);
    expect(health.isHealthy()).toBe(true);
    advance(1);
    expect(health.isHealthy()).toBe(false);
  });

  it('times the oldest queued change, not the newest', () => {
    const { health, advance } = fixture();
    health.updated('IPv4');
    health.queuedUpdate('IPv4');
    advance(40_000);
    health.queuedUpdate('IPv4');
    advance(20_000);
    expect(health.isHealthy()).toBe(false);
  });

  it('becomes healthy again once a sync succeeds, reporting the latest sync of any family', () => {
    const { health, advance, now } = fixture();
    health.updated('IPv4');
    health.queuedUpdate('IPv4');
    advance(70_000);
    const late = health.status();
    expect(late.healthy).toBe(false);
    expect(late.lastUpdated).toBe(now() - 70_000);
    health.updated('IPv4');
    advance(5);
    health.updated('IPv6');
    expect(health.status()).toEqual({ healthy: true, lastUpdated: now(), currentTime: now(), nodeEligible: true });
  });

  it('judges each family on its own', () => {
    const { health, advance } = fixture();
    health.updated('IPv4');
    health.updated('IPv6');
    health.queuedUpdate('IPv6');
    advance(30_000);
    health.queuedUpdate('IPv4');
    health.updated('IPv4');
    advance(30_000);
    expect(health.isHealthy()).toBe(false);
  });

  it.each([
    ['a deletion timestamp', { metadata: { deletionTimestamp: new Date() } }, false],
    ['the autoscaler taint', { spec: { taints: [{ key: 'other' }, { key: TO_BE_DELETED_TAINT }] } }, false],
    ['other taints', { spec: { taints: [{ key: 'node.kubernetes.io/unschedulable' }] } }, true],
    ['nothing', {}, true],
    // Malformed Nodes from the API server never throw: what cannot be read is absent.
    ['taints that are not a list', { spec: { taints: 'ToBeDeletedByClusterAutoscaler' } }, true],
    ['a taint that is not an object', { spec: { taints: [null, 7, { key: TO_BE_DELETED_TAINT }] } }, false],
    ['a spec that is a string', { spec: 'x' }, true],
  ])('marks a Node with %s eligible: %s', (_, node, eligible) => {
    const { health } = fixture();
    health.syncNode(node);
    expect(health.nodeEligible).toBe(eligible);
    expect(health.status().nodeEligible).toBe(eligible);
    // The Node never changes the proxier's own health.
    expect(health.isHealthy()).toBe(true);
  });

  it('makes a Node eligible again when a later event says so', () => {
    const { health } = fixture();
    health.syncNode({ spec: { taints: [{ key: TO_BE_DELETED_TAINT }] } });
    health.syncNode({ spec: { taints: [] } });
    expect(health.nodeEligible).toBe(true);
  });
});
