// IP addresses, CIDR blocks and host:port strings in a configuration, with the acceptance
// rules kube-proxy applies: k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy (src/net/sloppy-ip.ts)
// and Go's net.SplitHostPort. Unlike the model, the configuration keeps an IPv4-mapped IPv6
// address as IPv6 bytes: kube-proxy's checks ask Go's To4() of it (isIPv4Like).
import { parseSloppyIPv4, parseSloppyIPv6 } from '../net/sloppy-ip.js';

export type IpVersion = 4 | 6;

export interface ParsedIp {
  readonly family: IpVersion;
  /** 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address stays 16 bytes). */
  readonly bytes: Uint8Array;
  /** Go's To4() != nil: plain IPv4, or IPv6 of the form ::ffff:a.b.c.d. */
  readonly isIPv4Like: boolean;
}

export interface ParsedCidr {
  readonly ip: ParsedIp;
  readonly prefixLength: number;
  readonly family: IpVersion;
}

export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const bytes = parseSloppyIPv6(text);
    if (!bytes) return undefined;
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return { family: 6, bytes, isIPv4Like: mapped };
  }
  const bytes = parseSloppyIPv4(text);
  return bytes ? { family: 4, bytes, isIPv4Like: true } : undefined;
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** "a.b.c.d/n" or "x::y/n"; host bits may be set, as Go's ParseCIDR allows. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  if (prefixLength > ip.bytes.length * 8) return undefined;
  return { ip, prefixLength, family: ip.family };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export type HostPort = { ok: true; host: string; port: string } | { ok: false; message: string };

/** Go's net.SplitHostPort: "host:port", "[v6]:port"; the host may be empty. */
export function splitHostPort(text: string): HostPort {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { ok: false, message: 'missing port in address' };
  let host: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return { ok: false, message: "missing ']' in address" };
    if (end + 1 !== colon) {
      return {
        ok: false,
        message: end + 1 === text.length ? 'missing port in address' : 'unexpected text after ] in address',
      };
    }
    host = text.slice(1, end);
    if (host.includes('[') || text.slice(end + 1).includes(']'))
      return { ok: false, message: 'unexpected bracket in address' };
  } else {
    host = text.slice(0, colon);
    if (host.includes(':')) return { ok: false, message: 'too many colons in address' };
    if (host.includes('[') || host.includes(']')) return { ok: false, message: 'unexpected bracket in address' };
  }
  return { ok: true, host, port: text.slice(colon + 1) };
}

/** A decimal port 1..65535, as kube-proxy's validateHostPort requires. */
export function isValidPort(text: string): boolean {
  if (!/^[0-9]+$/.test(text)) return false;
  const port = Number(text);
  return port >= 1 && port <= 65535;
}
