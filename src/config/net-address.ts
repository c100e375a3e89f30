// IP addresses, CIDR blocks and host:port strings with the acceptance rules
// kube-proxy applies: k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy (Go's
// net.ParseIP, but IPv4 octets may carry leading zeros, read as decimal) and
// Go's net.SplitHostPort. Node's net.isIP differs (it accepts IPv6 zones and
// rejects leading zeros), hence a parser of our own.

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
    const bytes = parseIPv6Bytes(text);
    if (!bytes) return undefined;
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    return { family: 6, bytes, isIPv4Like: mapped };
  }
  const bytes = parseIPv4Bytes(text);
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
      return { ok: false, message: end + 1 === text.length ? 'missing port in address' : 'unexpected text after ] in address' };
    }
    host = text.slice(1, end);
    if (host.includes('[') || text.slice(end + 1).includes(']')) return { ok: false, message: 'unexpected bracket in address' };
  } else {
    host = text.slice(0, colon);
    if (host.includes(':')) return { ok: false, message: 'too many colons in address' };
    if (host.includes('[') || host.includes(']')) return { ok: false, message: 'unexpected bracket in address' };
  }
  return { ok: true, host, port: text.slice(colon + 1) };
}

/** The "[v6]:port" / "v4:port" form Go's net.JoinHostPort produces. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A decimal port 1..65535, as kube-proxy's validateHostPort requires. */
export function isValidPort(text: string): boolean {
  if (!/^[0-9]+$/.test(text)) return false;
  const port = Number(text);
  return port >= 1 && port <= 65535;
}

function parseIPv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    // Sloppy parsing: "010" is ten, not eight, and is accepted.
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIPv6Bytes(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? groups(halves[0]) : [];
  const tail = halves.length === 2 && halves[1] ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const all = [...head, ...tail];
  // An embedded IPv4 address may only end the address.
  const v4Index = all.findIndex((g) => g.includes('.'));
  if (v4Index >= 0 && (v4Index !== all.length - 1 || (halves.length === 2 && tail.length === 0))) return undefined;
  const words: number[] = [];
  const expand = (list: string[]): boolean => {
    for (const g of list) {
      if (g.includes('.')) {
        const v4 = parseIPv4Bytes(g);
        if (!v4) return false;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
        words.push(parseInt(g, 16));
      }
    }
    return true;
  };
  if (!expand(head)) return undefined;
  const headWords = words.length;
  if (!expand(tail)) return undefined;
  const tailWords = words.length - headWords;
  if (halves.length === 1) {
    if (words.length !== 8) return undefined;
  } else if (words.length > 7) {
    // "::" must stand for at least one zero group.
    return undefined;
  }
  const full = [...words.slice(0, headWords), ...new Array<number>(8 - words.length).fill(0), ...words.slice(headWords, headWords + tailWords)];
  const bytes = new Uint8Array(16);
  full.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function groups(part: string): string[] | undefined {
  const list = part.split(':');
  return list.some((g) => g === '') ? undefined : list;
}
