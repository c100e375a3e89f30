import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { formatLargeNumber } from '../../../src/ipvsadm/large-number.js';

// ipvsadm's print_largenum: "%9llu" below 10^8, else "%8llu" of the value divided down plus a
// suffix; either way nine columns, right-aligned.
test.each([
  [0n, '0'],
  [99_999_999n, '99999999'],
  [100_000_000n, '100000K'],
  [999_999_999n, '999999K'],
  [1_000_000_000n, '1000M'],
  [99_999_999_999n, '99999M'],
  [100_000_000_000n, '100G'],
  [99_999_999_999_999n, '99999G'],
  [100_000_000_000_000n, '100T'],
  [18_446_744_073_709_551_615n, '18446744T'],
])('%s is "%s"', (value, expected) => {
  expect(formatLargeNumber(value, false)).toBe(expected.padStart(9));
});

test('--exact prints every digit, right-aligned in 9 columns or after one space', () => {
  expect(formatLargeNumber(12n, true)).toBe('       12');
  expect(formatLargeNumber(12_345_678n, true)).toBe(' 12345678');
  expect(formatLargeNumber(123_456_789n, true)).toBe(' 123456789');
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
      const text = formatLargeNumber(value, true);
      expect(text.trimStart()).toBe(value.toString());
      expect(text.length).toBe(Math.max(9, value.toString().length + 1));
    }),
  );
});

test('without --exact every 64-bit value fits 9 columns', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
      expect(formatLargeNumber(value, false)).toHaveLength(9);
    }),
  );
});
