// The token bucket every request of the client goes through.
import { describe, expect, it } from '@jest/globals';
import { RequestRateLimiter } from '../../../src/k8s/request-rate.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('RequestRateLimiter', () => {
  it('lets a burst through at once, then spaces requests at 1/qps', () => {
    const c = clock();
    const limiter = new RequestRateLimiter(5, 3, c.now);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 0]);
    expect([limiter.reserve(), limiter.reserve()]).toEqual([200, 400]);
  });

  it('refills with time, up to the burst', () => {
    const c = clock();
    const limiter = new RequestRateLimiter(10, 2, c.now);
    limiter.reserve();
    limiter.reserve();
    c.advance(10_000);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 100]);
  });

  it("takes client-go's defaults for 0 and no limit for a negative QPS", () => {
    const c = clock();
    const defaults = new RequestRateLimiter(0, 0, c.now);
    expect(Array.from({ length: 11 }, () => defaults.reserve())).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200]);
    const unlimited = new RequestRateLimiter(-1, 0, c.now);
    expect(Array.from({ length: 100 }, () => unlimited.reserve()).every((wait) => wait === 0)).toBe(true);
  });
});
