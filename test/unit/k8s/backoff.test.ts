// The retry delays: doubling from the initial delay to the cap, each
// stretched by up to `jitter` times itself.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { API_SERVER_BACKOFF, backoffDelay } from '../../../src/k8s/backoff.js';

describe('backoffDelay', () => {
  it("doubles client-go's 800 ms up to the 30 s cap without jitter", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(API_SERVER_BACKOFF, attempt, () => 0));
    expect(delays).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('stretches each delay by jitter * random()', () => {
    expect(backoffDelay(API_SERVER_BACKOFF, 0, () => 0.5)).toBe(1200);
    expect(backoffDelay({ ...API_SERVER_BACKOFF, jitter: 0.1 }, 6, () => 0.5)).toBe(31_500);
  });

  it('stays within [base, base * (1 + jitter)) and never shrinks as attempts grow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (attempt, r) => {
        const base = Math.min(API_SERVER_BACKOFF.maxMs, API_SERVER_BACKOFF.initialMs * 2 ** attempt);
        const delay = backoffDelay(API_SERVER_BACKOFF, attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(2 * base);
        expect(backoffDelay(API_SERVER_BACKOFF, attempt + 1, () => 0)).toBeGreaterThanOrEqual(
          backoffDelay(API_SERVER_BACKOFF, attempt, () => 0),
        );
      }),
    );
  });
});
