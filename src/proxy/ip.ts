// IP addresses and CIDR blocks as kube-proxy reads them: k8s.io/utils/net
// ParseIPSloppy/ParseCIDRSloppy (Go's net.ParseIP, except that IPv4 octets may
// carry leading zeros, read as decimal), and an IPv4-mapped IPv6 address
// ("::ffff:a.b.c.d") is an IPv4 address, as Go's To4() makes it for kube-proxy.
// Text is written as src/net writes addresses read from the kernel (glibc's
// inet_ntop), so desired and live state compare as plain strings.
import { formatIPv6 } from '../net/ip-address.js';
import type { IpFamily } from '../net/ip-family.js';
import { parseSloppyIPv4, parseSloppyIPv6 } from '../net/sloppy-ip.js';

/**
 * An address as the model holds it: its family and canonical text, nothing else. The model
 * keeps one per endpoint (500,000 at 50,000 Services x 10), so the bytes are not kept: a
 * Uint8Array with its own buffer cost about 200 bytes per address. The few checks that need
 * bytes parse the canonical text again (`ipBytes`), and ordering reads IPv4 text as a number
 * without allocating (`compareIps`).
 */
export interface IpAddress {
  readonly family: IpFamily;
  /** Canonical text: dotted quad, or inet_ntop's IPv6 form (lowercase, longest zero run as "::"). */
  readonly text: string;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address: host bits cleared, as Go's ParseCIDR returns it. */
  readonly network: IpAddress;
  readonly prefixLength: number;
  /** Canonical "network/prefix". */
  readonly text: string;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function addressFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length === 4) return { family: 'IPv4', text: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` };
  return { family: 'IPv6', text: formatIPv6(bytes) };
}

/**
 * The value of canonical dotted-quad text (no leading zeros), or -1 for any other text. Reads
 * every endpoint address on validation and every comparison of sorting, so it allocates nothing.
 */
function canonicalIPv4Value(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
      continue;
    }
    // A leading zero ("010") is sloppy, not canonical: parseIp rewrites such text.
    if (c < 0x30 || c > 0x39 || digits === 3 || (digits === 1 && octet === 0)) return -1;
    octet = octet * 10 + (c - 0x30);
    digits++;
    if (octet > 255) return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

export function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    // Canonical text (what the API server stores) is kept as given: no new string per address.
    if (canonicalIPv4Value(text) >= 0) return { family: 'IPv4', text };
    const v4 = parseSloppyIPv4(text);
    return v4 ? addressFromBytes(v4) : undefined;
  }
  const v6 = parseSloppyIPv6(text);
  if (!v6) return undefined;
  return addressFromBytes(isV4Mapped(v6) ? v6.slice(12) : v6);
}

/** The address's bytes in network order (4 for IPv4, 16 for IPv6), read again from its canonical text. */
export function ipBytes(ip: IpAddress): Uint8Array {
  const bytes = ip.family === 'IPv4' ? parseSloppyIPv4(ip.text) : parseSloppyIPv6(ip.text);
  if (!bytes) throw new TypeError(`not an address made by parseIp: ${JSON.stringify(ip.text)}`);
  return bytes;
}

/** 127.0.0.1 or ::1. */
export function loopbackAddress(family: IpFamily): IpAddress {
  return family === 'IPv4'
    ? addressFromBytes(Uint8Array.of(127, 0, 0, 1))
    : addressFromBytes(Uint8Array.of(...new Array<number>(15).fill(0), 1));
}

/** "a.b.c.d/n" or "x::y/n", host bits allowed (they are cleared). IPv4-mapped IPv6 networks are refused. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const address = parseIp(addressText);
  // A mapped address written with colons would make the prefix length ambiguous (of 32 or 128 bits).
  if (!address || (address.family === 'IPv4' && addressText.includes(':'))) return undefined;
  const prefixLength = Number(prefixText);
  const bytes = ipBytes(address);
  if (prefixLength > bytes.length * 8) return undefined;
  const network = addressFromBytes(bytes.map((b, i) => b & maskByte(prefixLength, i)));
  return { family: address.family, network, prefixLength, text: `${network.text}/${prefixLength}` };
}

function maskByte(prefixLength: number, index: number): number {
  const bits = Math.min(8, Math.max(0, prefixLength - index * 8));
  return (0xff << (8 - bits)) & 0xff;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const network = ipBytes(cidr.network);
  return ipBytes(ip).every((b, i) => (b & maskByte(cidr.prefixLength, i)) === network[i]);
}

/** The zero CIDR of a family ("0.0.0.0/0", "::/0"): it matches every address of that family. */
export function isZeroCidr(cidr: Cidr): boolean {
  return cidr.prefixLength === 0;
}

/** 127.0.0.0/8 or ::1, as Go's IP.IsLoopback(). */
export function isLoopback(ip: IpAddress): boolean {
  return isLoopbackBytes(ipBytes(ip));
}

function isLoopbackBytes(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/** fe80::/10 (IPv6) or 169.254.0.0/16 (IPv4), as Go's IP.IsLinkLocalUnicast(). */
export function isLinkLocalUnicast(ip: IpAddress): boolean {
  return isLinkLocalBytes(ipBytes(ip));
}

function isLinkLocalBytes(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return bytes[0] === 169 && bytes[1] === 254;
  return bytes[0] === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80;
}

/**
 * Unspecified (0.0.0.0, ::), loopback, link-local or multicast: addresses the API server
 * refuses for cluster IPs, external IPs and endpoints. kube-proxy trusts that validation;
 * the model checks again, since binding 0.0.0.0 or 127.0.0.1 to kube-ipvs0 would hurt.
 */
export function isSpecialAddress(ip: IpAddress): boolean {
  // Every endpoint address passes here: canonical IPv4 text is checked as a number, allocating nothing.
  const v4 = ip.family === 'IPv4' ? canonicalIPv4Value(ip.text) : -1;
  if (v4 >= 0) {
    const first = v4 >>> 24;
    return v4 === 0 || first === 127 || (first === 169 && ((v4 >>> 16) & 0xff) === 254) || (first & 0xf0) === 0xe0;
  }
  const bytes = ipBytes(ip);
  const multicast = bytes.length === 4 ? ((bytes[0] ?? 0) & 0xf0) === 0xe0 : bytes[0] === 0xff;
  return bytes.every((b) => b === 0) || isLoopbackBytes(bytes) || isLinkLocalBytes(bytes) || multicast;
}

/** An address a Service or an endpoint may have, or why the text is not one. */
export function parseUsableIp(text: string): IpAddress | string {
  const ip = parseIp(text);
  if (!ip) return `"${text}" is not an IP address`;
  if (isSpecialAddress(ip)) return `"${text}" is an unspecified, loopback, link-local or multicast address`;
  return ip;
}

/** Total order: IPv4 before IPv6, then numerically. */
export function compareIps(a: IpAddress, b: IpAddress): number {
  return compareIpTexts(a.text, b.text);
}

/**
 * compareIps on address text, parsed or not: IPv4 before IPv6, then numerically, and text that
 * is no address after every address, by its text. Sorting reads canonical IPv4 text as a
 * number, without allocating.
 */
export function compareIpTexts(a: string, b: string): number {
  const va = canonicalIPv4Value(a);
  const vb = canonicalIPv4Value(b);
  if (va >= 0 && vb >= 0) return va - vb;
  return compareBytes(a, b);
}

function compareBytes(a: string, b: string): number {
  const ia = parseIp(a);
  const ib = parseIp(b);
  if (!ia || !ib) return ia ? -1 : ib ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const ba = ipBytes(ia);
  const bb = ipBytes(ib);
  if (ba.length !== bb.length) return ba.length - bb.length;
  for (let i = 0; i < ba.length; i++) {
    const d = (ba[i] ?? 0) - (bb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
