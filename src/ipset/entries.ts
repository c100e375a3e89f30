// Entries to and from their IPSET_ATTR_DATA attributes, as each set type's
// uadt reads them and its list writes them (net/netfilter/ipset/
// ip_set_hash_*.c, ip_set_bitmap_port.c): IPSET_ATTR_IP (a nest holding
// IPADDR_IPV4 or IPADDR_IPV6), IPSET_ATTR_CIDR, IPSET_ATTR_PORT (__be16),
// IPSET_ATTR_PROTO (u8), IPSET_ATTR_IP2 and IPSET_ATTR_CIDR2 for the second
// address or network, IPSET_ATTR_COMMENT.
import type { AddressFamily } from '../net/ip-address.js';
import { NetlinkDecodeError, requiredAttribute } from '../netlink/index.js';
import { InvalidAddressError, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../net/ip-address.js';
import type { EntryValues } from './attributes.js';
import * as c from './constants.js';
import { IpsetError, invalidIpsetRequest, type IpsetRequestKind } from './errors.js';
import { HASH_TYPES, type IpsetEntry, type IpsetType, type Protocol } from './types.js';

const PROTOCOLS: Record<Protocol, number> = { tcp: c.IPPROTO_TCP, udp: c.IPPROTO_UDP, sctp: c.IPPROTO_SCTP };
const PROTOCOL_NAMES = new Map<number, Protocol>(Object.entries(PROTOCOLS).map(([name, n]) => [n, name as Protocol]));

export function isModeledType(type: string): type is IpsetType {
  return type === 'bitmap:port' || (HASH_TYPES as readonly string[]).includes(type);
}

// ---- domain -> wire ----------------------------------------------------------

interface Address {
  readonly family: AddressFamily;
  readonly values: { v4: Buffer } | { v6: Buffer };
}

function address(request: IpsetRequestKind, text: string): Address {
  try {
    return text.includes(':')
      ? { family: 'inet6', values: { v6: parseIPv6(text) } }
      : { family: 'inet', values: { v4: parseIPv4(text) } };
  } catch (err) {
    if (err instanceof InvalidAddressError) throw invalidIpsetRequest(request, err.message, err);
    throw err;
  }
}

/** "10.0.0.0/8": the address and its prefix length, checked against the family. */
function network(request: IpsetRequestKind, text: string): [Address, number] {
  const slash = text.indexOf('/');
  const prefix = slash === -1 ? '' : text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix))
    throw invalidIpsetRequest(request, `'${text}' is not a network address/prefix`);
  const base = address(request, text.slice(0, slash));
  const cidr = Number(prefix);
  const bits = base.family === 'inet' ? 32 : 128;
  if (cidr > bits) throw invalidIpsetRequest(request, `prefix length ${cidr} of '${text}' is above ${bits}`);
  return [base, cidr];
}

function port(request: IpsetRequestKind, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff)
    throw invalidIpsetRequest(request, `port ${value} is not an integer from 0 to 65535`);
  return value;
}

function sameFamily(request: IpsetRequestKind, first: Address, second: Address): void {
  if (first.family !== second.family)
    throw invalidIpsetRequest(request, 'both addresses of an entry must be of one family');
}

/**
 * The attributes of one entry. Throws IpsetError (EINVAL) for values the wire
 * cannot carry; whether the entry fits its set's type is the kernel's to say.
 */
function entryValues(request: IpsetRequestKind, entry: IpsetEntry): EntryValues {
  const values: EntryValues = {};
  if ('ip' in entry) {
    const first = address(request, entry.ip);
    values.ip = first.values;
    if ('protocol' in entry) {
      const proto = PROTOCOLS[entry.protocol];
      if (proto === undefined)
        throw invalidIpsetRequest(request, `protocol '${String(entry.protocol)}' is not tcp, udp or sctp`);
      values.port = port(request, entry.port);
      values.proto = proto;
      if ('ip2' in entry) {
        const second = address(request, entry.ip2);
        sameFamily(request, first, second);
        values.ip2 = second.values;
      } else if ('net' in entry) {
        const [second, cidr] = network(request, entry.net);
        sameFamily(request, first, second);
        values.ip2 = second.values;
        values.cidr2 = cidr;
      }
    }
  } else if ('net' in entry) {
    const [base, cidr] = network(request, entry.net);
    values.ip = base.values;
    values.cidr = cidr;
  } else {
    values.port = port(request, entry.port);
  }
  if (entry.comment !== undefined) values.comment = comment(request, entry.comment);
  return values;
}

/** IPSET_MAX_COMMENT_SIZE bytes at most (the policy's limit for the NUL-terminated string); no NUL inside. */
function comment(request: IpsetRequestKind, text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes > c.IPSET_MAX_COMMENT_SIZE || text.includes('\0')) {
    throw invalidIpsetRequest(
      request,
      `a comment has at most ${c.IPSET_MAX_COMMENT_SIZE} bytes and no NUL (this one: ${bytes} bytes)`,
    );
  }
  return text;
}

/** entryValues, or the IpsetError it refuses the entry with. */
export function tryEntryValues(request: IpsetRequestKind, entry: IpsetEntry): EntryValues | IpsetError {
  try {
    return entryValues(request, entry);
  } catch (err) {
    if (err instanceof IpsetError) return err;
    throw err;
  }
}

// ---- wire -> domain ----------------------------------------------------------

function addressText(values: { v4?: Buffer; v6?: Buffer } | undefined, path: string): string {
  const { v4, v6 } = requiredAttribute(values, path);
  if (v4 !== undefined) {
    if (v4.length !== 4) throw new NetlinkDecodeError(`${path}.v4`, `expected 4 bytes, got ${v4.length}`);
    return formatIPv4(v4);
  }
  if (v6 !== undefined) {
    if (v6.length !== 16) throw new NetlinkDecodeError(`${path}.v6`, `expected 16 bytes, got ${v6.length}`);
    return formatIPv6(v6);
  }
  throw new NetlinkDecodeError(path, 'holds no address');
}

/** "10.0.0.0/8" from an address nest and its IPSET_ATTR_CIDR(2): the kernel's prefix fits the address. */
function networkText(
  values: { v4?: Buffer; v6?: Buffer } | undefined,
  cidr: number | undefined,
  path: string,
  cidrPath: string,
): string {
  const text = addressText(values, path);
  const bits = values?.v4 !== undefined ? 32 : 128;
  const prefix = requiredAttribute(cidr, cidrPath);
  if (prefix > bits) throw new NetlinkDecodeError(cidrPath, `prefix length ${prefix} is above ${bits}`);
  return `${text}/${prefix}`;
}

function protocol(raw: number | undefined, path: string): Protocol {
  const value = requiredAttribute(raw, path);
  const name = PROTOCOL_NAMES.get(value);
  if (name === undefined) throw new NetlinkDecodeError(path, `unknown value ${value}`);
  return name;
}

/** One entry of a LIST reply, read as its set's type lays it out. */
export function decodeEntry(type: IpsetType, values: EntryValues, path: string): IpsetEntry {
  const withComment = values.comment === undefined ? {} : { comment: values.comment };
  const portOf = (): number => requiredAttribute(values.port, `${path}.port`);
  switch (type) {
    case 'bitmap:port':
      return { port: portOf(), ...withComment };
    case 'hash:ip':
      return { ip: addressText(values.ip, `${path}.ip`), ...withComment };
    case 'hash:net':
      return { net: networkText(values.ip, values.cidr, `${path}.ip`, `${path}.cidr`), ...withComment };
    case 'hash:ip,port':
    case 'hash:ip,port,ip':
    case 'hash:ip,port,net': {
      const base = {
        ip: addressText(values.ip, `${path}.ip`),
        protocol: protocol(values.proto, `${path}.proto`),
        port: portOf(),
      };
      if (type === 'hash:ip,port') return { ...base, ...withComment };
      if (type === 'hash:ip,port,ip') return { ...base, ip2: addressText(values.ip2, `${path}.ip2`), ...withComment };
      return { ...base, net: networkText(values.ip2, values.cidr2, `${path}.ip2`, `${path}.cidr2`), ...withComment };
    }
  }
}
