// ipvsadm's print_largenum: how --stats and --rate columns print a 64-bit counter.
// Without --exact a value keeps to 9 columns by switching to thousands (K),
// millions (M), billions (G) or trillions (T), always truncating; with --exact it
// prints every digit, right-aligned in at least 9 columns with a space before.

const SUFFIXES: ReadonlyArray<readonly [limit: bigint, divisor: bigint, suffix: string]> = [
  [1_000_000_000n, 1_000n, 'K'],
  [100_000_000_000n, 1_000_000n, 'M'],
  [100_000_000_000_000n, 1_000_000_000n, 'G'],
];

export function formatLargeNumber(value: bigint, exact: boolean): string {
  const digits = value.toString();
  if (exact || value < 100_000_000n) return ` ${digits.padStart(8)}`;
  const [, divisor, suffix] = SUFFIXES.find(([limit]) => value < limit) ?? [0n, 1_000_000_000_000n, 'T'];
  return `${(value / divisor).toString().padStart(8)}${suffix}`;
}
