// IPv4 text as ipvsadm reads and prints it: glibc's inet_aton and inet_ntoa.
// inet_aton is more lenient than inet_pton. An address has one to four parts;
// each is decimal, octal (leading 0) or hex (0x); the last part fills all the
// remaining bytes. So "1.2" is 1.0.0.2, "010.1.1.1" is 8.1.1.1, and
// "0x01020304" and "16909060" are both 1.2.3.4.

/** The largest value of the last part, by how many parts came before it. */
const LAST_PART_MAX = [0xffffffffn, 0xffffffn, 0xffffn, 0xffn];

const PART = /^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

function partValue(part: string): bigint | undefined {
  if (!PART.test(part)) return undefined;
  if (/^0[xX]/.test(part)) return BigInt(part);
  return part.length > 1 && part.startsWith('0') ? BigInt(`0o${part.slice(1)}`) : BigInt(part);
}

/** Four decimal parts without leading zeros: the common case, read without BigInt. */
const DOTTED_QUAD = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

/** The address as a host-order 32-bit number, or undefined when inet_aton would refuse it. */
export function inetAton(text: string): number | undefined {
  const quad = DOTTED_QUAD.exec(text);
  if (quad !== null) {
    const a = Number(quad[1]);
    const b = Number(quad[2]);
    const c = Number(quad[3]);
    const d = Number(quad[4]);
    return a > 255 || b > 255 || c > 255 || d > 255 ? undefined : ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  }
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values = parts.map(partValue);
  let address = 0n;
  for (const [i, value] of values.entries()) {
    if (value === undefined) return undefined;
    const last = i === values.length - 1;
    if (last ? value > (LAST_PART_MAX[i] ?? 0n) : value > 0xffn) return undefined;
    address |= last ? value : value << BigInt(8 * (3 - i));
  }
  return Number(address);
}

/** inet_ntoa: a host-order 32-bit number as a dotted quad. */
export function inetNtoa(address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
}
