// IP addresses as the kernel stores them: `union nf_inet_addr`
// (include/uapi/linux/netfilter.h), 16 bytes in network byte order, an IPv4
// address in the first 4 of them. Parsing follows glibc's inet_pton and
// formatting reproduces glibc's inet_ntop byte for byte, because that is what
// ipvsadm prints and operators compare our output with.

export type AddressFamily = 'inet' | 'inet6';

/** sizeof(union nf_inet_addr) */
export const INET_ADDR_BYTES = 16;

/** Text that is not an address of the expected family. */
export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
  constructor(
    readonly input: string,
    readonly family: AddressFamily,
    readonly reason: string,
  ) {
    super(`invalid ${family === 'inet' ? 'IPv4' : 'IPv6'} address '${input}': ${reason}`);
  }
}

/** Dotted quad to 4 bytes, as inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros. */
export function parseIPv4(text: string): Buffer {
  const out = Buffer.alloc(4);
  if (!parseIPv4Into(text, out, 0)) throw invalidIPv4(text);
  return out;
}

function invalidIPv4(text: string): InvalidAddressError {
  return new InvalidAddressError(text, 'inet', 'expected four decimal numbers 0-255 separated by dots');
}

/**
 * Writes a dotted quad into out[at..at+4]. A loop over character codes, not
 * split and regular expressions: a batch parses hundreds of thousands.
 */
function parseIPv4Into(text: string, out: Buffer, at: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e; // a final '.' closes the last part
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      // inet_pton4 refuses a leading zero ("01"): it would mean octal to inet_aton.
      if (digits > 0 && value === 0) return false;
      value = value * 10 + (code - 0x30);
      if (value > 255) return false;
      digits++;
    } else {
      return false;
    }
  }
  return part === 4;
}

/** RFC 4291 text to 16 bytes, as inet_pton(AF_INET6): one "::" at most, an IPv4 tail allowed. */
export function parseIPv6(text: string): Buffer {
  const fail = (reason: string): never => {
    throw new InvalidAddressError(text, 'inet6', reason);
  };
  const halves = text.split('::');
  if (halves.length > 2) fail('"::" may appear only once');
  const head = splitGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? splitGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return fail('empty group');

  const out = Buffer.alloc(INET_ADDR_BYTES);
  const words: number[] = [];
  const last = halves.length === 2 ? tail : head;
  // An embedded IPv4 address may only be the final element.
  const v4 = last.length > 0 && last[last.length - 1]?.includes('.') ? last.pop() : undefined;
  for (const group of [...head, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) fail(`'${group}' is not a group of 1 to 4 hex digits`);
  }
  const v4Words = v4 === undefined ? 0 : 2;
  const explicit = head.length + tail.length + v4Words;
  if (halves.length === 2) {
    // "::" stands for at least one zero group.
    if (explicit > 7) fail('too many groups for "::"');
    words.push(...head.map(hex), ...new Array<number>(8 - explicit).fill(0), ...tail.map(hex));
  } else {
    if (explicit !== 8) fail(`expected 8 groups, got ${explicit}`);
    words.push(...head.map(hex));
  }
  for (const [i, word] of words.entries()) out.writeUInt16BE(word, 2 * i);
  if (v4 !== undefined && !parseIPv4Into(v4, out, 12)) fail(`'${v4}' is not a dotted-quad IPv4 tail`);
  return out;
}

function splitGroups(text: string): string[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  return groups.includes('') ? undefined : groups;
}

function hex(group: string): number {
  return parseInt(group, 16);
}

export function formatIPv4(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * 16 bytes to text exactly as glibc's inet_ntop6 writes it: lowercase hex
 * without leading zeros; the longest run of two or more zero groups (the first
 * one on a tie) becomes "::"; and an IPv4-compatible (::a.b.c.d, when exactly
 * the first six groups are zero) or IPv4-mapped (::ffff:a.b.c.d) address ends
 * in dotted-quad form.
 */
export function formatIPv6(bytes: Uint8Array): string {
  if (bytes.length < INET_ADDR_BYTES) throw new RangeError(`an IPv6 address needs 16 bytes, got ${bytes.length}`);
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (const [i, word] of words.entries()) {
    if (word === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = cur;
    } else {
      cur = { base: -1, len: 0 };
    }
  }
  if (best.len < 2) best = { base: -1, len: 0 };

  let text = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      text += formatIPv4(bytes, 12);
      return text;
    }
    text += (words[i] ?? 0).toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) text += ':';
  return text;
}

/** Text to a 16-byte `union nf_inet_addr` of the given family. */
export function encodeInetAddress(family: AddressFamily, text: string): Buffer {
  if (family === 'inet6') return parseIPv6(text);
  const out = Buffer.alloc(INET_ADDR_BYTES);
  if (!parseIPv4Into(text, out, 0)) throw invalidIPv4(text);
  return out;
}

/**
 * A `union nf_inet_addr` (or a bare 4- or 16-byte address) to text. Returns
 * undefined when the buffer is too short for the family, so decoders can name
 * the attribute in their own error.
 */
export function decodeInetAddress(family: AddressFamily, bytes: Uint8Array): string | undefined {
  return decodeInetAddressAt(family, bytes, 0, bytes.length);
}

/** The same for the address at source[start, end), read in place (an IPv4 one without a view). */
export function decodeInetAddressAt(
  family: AddressFamily,
  source: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  if (family === 'inet') return end - start >= 4 ? formatIPv4(source, start) : undefined;
  return end - start >= INET_ADDR_BYTES ? formatIPv6(source.subarray(start, start + INET_ADDR_BYTES)) : undefined;
}
