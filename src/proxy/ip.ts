// IP addresses and CIDR blocks as kube-proxy reads them: k8s.io/utils/net
// ParseIPSloppy/ParseCIDRSloppy (Go's net.ParseIP, except that IPv4 octets may
// carry leading zeros, read as decimal), and an IPv4-mapped IPv6 address
// ("::ffff:a.b.c.d") is an IPv4 address, as Go's To4() makes it for kube-proxy.
// Text is written as src/net writes addresses read from the kernel (glibc's
// inet_ntop), so desired and live state compare as plain strings.
import { formatIPv6 } from '../net/ip-address.js';
import type { IpFamily } from '../net/ip-family.js';
import { parseSloppyIPv4, parseSloppyIPv6 } from '../net/sloppy-ip.js';

export interface IpAddress {
  readonly family: IpFamily;
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  readonly bytes: Uint8Array;
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
  if (bytes.length === 4) return { family: 'IPv4', bytes, text: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` };
  return { family: 'IPv6', bytes, text: formatIPv6(bytes) };
}

export function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    const v4 = parseSloppyIPv4(text);
    return v4 ? addressFromBytes(v4) : undefined;
  }
  const v6 = parseSloppyIPv6(text);
  if (!v6) return undefined;
  return addressFromBytes(isV4Mapped(v6) ? v6.slice(12) : v6);
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
  if (prefixLength > address.bytes.length * 8) return undefined;
  const network = addressFromBytes(address.bytes.map((b, i) => b & maskByte(prefixLength, i)));
  return { family: address.family, network, prefixLength, text: `${network.text}/${prefixLength}` };
}

function maskByte(prefixLength: number, index: number): number {
  const bits = Math.min(8, Math.max(0, prefixLength - index * 8));
  return (0xff << (8 - bits)) & 0xff;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  return ip.bytes.every((b, i) => (b & maskByte(cidr.prefixLength, i)) === cidr.network.bytes[i]);
}

/** The zero CIDR of a family ("0.0.0.0/0", "::/0"): it matches every address of that family. */
export function isZeroCidr(cidr: Cidr): boolean {
  return cidr.prefixLength === 0;
}

/** 127.0.0.0/8 or ::1, as Go's IP.IsLoopback(). */
export function isLoopback(ip: IpAddress): boolean {
  if (ip.family === 'IPv4') return ip.bytes[0] === 127;
  return ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/** fe80::/10 (IPv6) or 169.254.0.0/16 (IPv4), as Go's IP.IsLinkLocalUnicast(). */
export function isLinkLocalUnicast(ip: IpAddress): boolean {
  if (ip.family === 'IPv4') return ip.bytes[0] === 169 && ip.bytes[1] === 254;
  return ip.bytes[0] === 0xfe && ((ip.bytes[1] ?? 0) & 0xc0) === 0x80;
}

/**
 * Unspecified (0.0.0.0, ::), loopback, link-local or multicast: addresses the API server
 * refuses for cluster IPs, external IPs and endpoints. kube-proxy trusts that validation;
 * the model checks again, since binding 0.0.0.0 or 127.0.0.1 to kube-ipvs0 would hurt.
 */
export function isSpecialAddress(ip: IpAddress): boolean {
  const multicast = ip.family === 'IPv4' ? ((ip.bytes[0] ?? 0) & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
  return ip.bytes.every((b) => b === 0) || isLoopback(ip) || isLinkLocalUnicast(ip) || multicast;
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
  if (a.bytes.length !== b.bytes.length) return a.bytes.length - b.bytes.length;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
