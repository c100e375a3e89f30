import { describe, expect, it } from '@jest/globals';
import { formatGoTime, GO_ZERO_TIME } from '../../../../src/daemon/health/go-time.js';

describe('formatGoTime', () => {
  it.each([
    [Date.UTC(2024, 0, 2, 3, 4, 5, 678), '2024-01-02 03:04:05.678 +0000 UTC'],
    [Date.UTC(2024, 10, 23, 17, 40, 0, 0), '2024-11-23 17:40:00 +0000 UTC'],
    [Date.UTC(2024, 10, 23, 17, 40, 0, 100), '2024-11-23 17:40:00.1 +0000 UTC'],
    [Date.UTC(2024, 10, 23, 17, 40, 0, 5) + 0.25, '2024-11-23 17:40:00.00525 +0000 UTC'],
  ])('prints %p as Go prints a UTC time.Time', (ms, text) => {
    expect(formatGoTime(ms)).toBe(text);
  });

  it("has Go's zero time for never", () => {
    expect(GO_ZERO_TIME).toBe('0001-01-01 00:00:00 +0000 UTC');
  });
});
