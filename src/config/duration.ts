// Go's time.Duration as kube-proxy reads and writes it: every period in a
// KubeProxyConfiguration and every duration flag is parsed by Go's
// time.ParseDuration and printed by Duration.String(), so kipvs follows both
// exactly ("30s", "1m0s", "15m0s", "1h2m3.5s", "250ms", "0s").

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

/** Go's Duration is an int64 count of nanoseconds. */
const MAX_NANOSECONDS = (1n << 63n) - 1n;
const MIN_NANOSECONDS = -(1n << 63n);

// Units time.ParseDuration accepts; both micro signs (U+00B5, U+03BC) are valid.
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NANOSECOND],
  ['us', MICROSECOND],
  ['\u00b5s', MICROSECOND],
  ['\u03bcs', MICROSECOND],
  ['ms', MILLISECOND],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

/** An exact span of time in nanoseconds, immutable, printed the way Go prints it. */
export class Duration {
  private constructor(readonly nanoseconds: bigint) {}

  static readonly ZERO = new Duration(0n);

  static fromNanoseconds(ns: bigint): Duration {
    if (ns > MAX_NANOSECONDS || ns < MIN_NANOSECONDS) throw new RangeError(`duration out of range: ${ns}ns`);
    return ns === 0n ? Duration.ZERO : new Duration(ns);
  }
  static milliseconds(n: number): Duration {
    return Duration.fromNanoseconds(BigInt(n) * MILLISECOND);
  }
  static seconds(n: number): Duration {
    return Duration.fromNanoseconds(BigInt(n) * SECOND);
  }
  static minutes(n: number): Duration {
    return Duration.fromNanoseconds(BigInt(n) * MINUTE);
  }
  static hours(n: number): Duration {
    return Duration.fromNanoseconds(BigInt(n) * HOUR);
  }

  isZero(): boolean {
    return this.nanoseconds === 0n;
  }
  isNegative(): boolean {
    return this.nanoseconds < 0n;
  }
  compare(other: Duration): -1 | 0 | 1 {
    return this.nanoseconds < other.nanoseconds ? -1 : this.nanoseconds > other.nanoseconds ? 1 : 0;
  }
  equals(other: Duration): boolean {
    return this.nanoseconds === other.nanoseconds;
  }
  /** Whole milliseconds (truncated toward zero), for timers. */
  get milliseconds(): number {
    return Number(this.nanoseconds / MILLISECOND);
  }
  /** Seconds as a float, for kernel interfaces that take seconds. */
  get seconds(): number {
    return Number(this.nanoseconds) / Number(SECOND);
  }

  /** Go's Duration.String(): "0s", "1.5ms", "500µs", "1m0s", "1h2m3.5s". */
  toString(): string {
    return formatGoDuration(this.nanoseconds);
  }
  toJSON(): string {
    return this.toString();
  }
}

export type DurationParseResult = { ok: true; value: Duration } | { ok: false; message: string };

/**
 * time.ParseDuration: an optional sign, then one or more decimal numbers each
 * with a unit ("300ms", "-1.5h", "2h45m"); a bare "0" is allowed, "" is not.
 */
export function parseGoDuration(text: string): DurationParseResult {
  const invalid = { ok: false as const, message: `invalid duration ${JSON.stringify(text)}` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: Duration.ZERO };
  if (s === '') return invalid;

  let total = 0n;
  while (s !== '') {
    const intMatch = /^[0-9]*/.exec(s)?.[0] ?? '';
    s = s.slice(intMatch.length);
    let fracDigits = '';
    if (s.startsWith('.')) {
      s = s.slice(1);
      fracDigits = /^[0-9]*/.exec(s)?.[0] ?? '';
      s = s.slice(fracDigits.length);
    }
    if (intMatch === '' && fracDigits === '') return invalid; // no digits, e.g. ".s"
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    s = s.slice(unitText.length);
    if (unitText === '') return { ok: false, message: `missing unit in duration ${JSON.stringify(text)}` };
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      return { ok: false, message: `unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}` };
    }
    const whole = intMatch === '' ? 0n : BigInt(intMatch);
    if (whole > MAX_NANOSECONDS / unit) return invalid;
    let component = whole * unit;
    if (fracDigits !== '') {
      // Go scales the fraction in float64 and truncates; do the same so that
      // odd inputs ("1.0000000001s") land on the nanosecond Go would pick.
      const { value: fraction, scale } = leadingFraction(fracDigits);
      component += BigInt(Math.trunc(fraction * (Number(unit) / scale)));
    }
    total += component;
    if (total > MAX_NANOSECONDS + (negative ? 1n : 0n)) return invalid;
  }
  return { ok: true, value: Duration.fromNanoseconds(negative ? -total : total) };
}

/** Go's leadingFraction: digits after the point, ignoring those that would overflow. */
function leadingFraction(digits: string): { value: number; scale: number } {
  let value = 0n;
  let scale = 1;
  let overflow = false;
  for (const ch of digits) {
    if (overflow) continue;
    if (value > MAX_NANOSECONDS / 10n) {
      overflow = true;
      continue;
    }
    const next = value * 10n + BigInt(ch.charCodeAt(0) - 48);
    if (next > MAX_NANOSECONDS) {
      overflow = true;
      continue;
    }
    value = next;
    scale *= 10;
  }
  return { value: Number(value), scale };
}

function formatGoDuration(ns: bigint): string {
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  let out: string;
  if (u < SECOND) {
    if (u === 0n) return '0s';
    // Below one second Go switches to the largest unit that keeps an integer part.
    if (u < MICROSECOND) out = `${u}ns`;
    else if (u < MILLISECOND) out = `${withFraction(u, 3)}\u00b5s`;
    else out = `${withFraction(u, 6)}ms`;
  } else {
    const seconds = `${withFraction(u % MINUTE, 9)}s`;
    u /= MINUTE;
    if (u === 0n) {
      out = seconds;
    } else {
      const minutes = `${u % 60n}m`;
      u /= 60n;
      out = u === 0n ? `${minutes}${seconds}` : `${u}h${minutes}${seconds}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** v / 10^precision printed with the fraction's trailing zeros (and a bare point) dropped. */
function withFraction(v: bigint, precision: number): string {
  const divisor = 10n ** BigInt(precision);
  const whole = v / divisor;
  const fraction = (v % divisor).toString().padStart(precision, '0').replace(/0+$/, '');
  return fraction === '' ? `${whole}` : `${whole}.${fraction}`;
}
