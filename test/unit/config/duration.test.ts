import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Duration, parseGoDuration } from '../../../src/config/duration.js';

const ns = (text: string): bigint => {
  const r = parseGoDuration(text);
  if (!r.ok) throw new Error(r.message);
  return r.value.nanoseconds;
};

describe('parseGoDuration (time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['-0', 0n],
    ['+0', 0n],
    ['0s', 0n],
    ['30s', 30_000_000_000n],
    ['1m0s', 60_000_000_000n],
    ['15m0s', 900_000_000_000n],
    ['1h2m3.5s', 3_723_500_000_000n],
    ['250ms', 250_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['2h45m', 9_900_000_000_000n],
    ['-1.5h', -5_400_000_000_000n],
    ['1ns', 1n],
    ['1us', 1000n],
    ['1\u00b5s', 1000n],
    ['1\u03bcs', 1000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['1h1h', 7_200_000_000_000n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['1.0000000001s', 1_000_000_000n],
  ])('%s is %p ns', (text, expected) => {
    expect(ns(text)).toBe(expected);
  });

  it.each(['', 's', '.s', '1', '10x', '1d', '--1s', '1.2.3s', ' 1s', '1s ', '9223372036854775808ns', '3000000h'])(
    'refuses %p',
    (text) => {
      expect(parseGoDuration(text).ok).toBe(false);
    },
  );

  it('names a missing or unknown unit', () => {
    expect(parseGoDuration('30')).toEqual({ ok: false, message: 'missing unit in duration "30"' });
    expect(parseGoDuration('3d')).toEqual({ ok: false, message: 'unknown unit "d" in duration "3d"' });
  });
});

describe('Duration.toString (Go Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_100n, '1.1\u00b5s'],
    [2_200_000n, '2.2ms'],
    [250_000_000n, '250ms'],
    [1_000_000_000n, '1s'],
    [30_000_000_000n, '30s'],
    [60_000_000_000n, '1m0s'],
    [90_000_000_000n, '1m30s'],
    [900_000_000_000n, '15m0s'],
    [3_600_000_000_000n, '1h0m0s'],
    [86_400_000_000_000n, '24h0m0s'],
    [3_723_500_000_000n, '1h2m3.5s'],
    [-60_000_000_000n, '-1m0s'],
    [-1n, '-1ns'],
    [9_223_372_036_854_775_807n, '2562047h47m16.854775807s'],
  ])('%p ns prints as %s', (value, text) => {
    expect(Duration.fromNanoseconds(value).toString()).toBe(text);
  });

  it('reads back what it prints, for any int64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n) + 1n, max: (1n << 63n) - 1n }), (value) => {
        expect(ns(Duration.fromNanoseconds(value).toString())).toBe(value);
      }),
    );
  });

  it('offers milliseconds, seconds, comparison and JSON', () => {
    const d = Duration.milliseconds(1500);
    expect(d.milliseconds).toBe(1500);
    expect(d.seconds).toBe(1.5);
    expect(d.compare(Duration.seconds(1))).toBe(1);
    expect(Duration.seconds(1).compare(d)).toBe(-1);
    expect(d.equals(Duration.milliseconds(1500))).toBe(true);
    expect(JSON.stringify({ d })).toBe('{"d":"1.5s"}');
    expect(Duration.minutes(2).toString()).toBe('2m0s');
    expect(Duration.hours(1).isZero()).toBe(false);
    expect(() => Duration.fromNanoseconds(1n << 63n)).toThrow(RangeError);
  });
});
