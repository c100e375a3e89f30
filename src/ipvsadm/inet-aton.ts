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

/**
 * Four decimal parts 0-255 without leading zeros, the form inet_ntoa prints: the common
 * case, read character by character (a restore file has one or two per line, and
 * nothing is allocated here). Undefined for anything else.
 */
export function dottedQuad(text: string): number | undefined {
  let address = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i === text.length ? 0x2e : text.charCodeAt(i);
    if (code === 0x2e) {
      // An empty part, a fifth part, or a part above 255 is not a dotted quad.
      if (digits === 0 || parts === 4 || part > 255) return undefined;
      address = address * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      // "0" alone is a part; "01" is octal to inet_aton, not this form.
      if ((digits === 1 && part === 0) || digits === 3) return undefined;
      part = part * 10 + (code - 0x30);
      digits++;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? address : undefined;
}

/** The address as a host-order 32-bit number, or undefined when inet_aton would refuse it. */
export function inetAton(text: string): number | undefined {
  const quad = dottedQuad(text);
  if (quad !== undefined) return quad;
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
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
