// rtnetlink requests and replies: the domain model (types.ts) to and from the
// structs and attribute tables (attributes.ts). Builders check every value
// before anything is sent; decoders name what is missing or wrong in a
// NetlinkDecodeError.
import {
  NLM_F_CREATE,
  NLM_F_EXCL,
  NetlinkDecodeError,
  decodeStructAt,
  decodeStructMessage,
  structRequest,
  type NetlinkMessage,
  type Request,
  requiredAttribute,
  requestLabels,
} from '../netlink/index.js';
import {
  InvalidAddressError,
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
  type AddressFamily,
} from '../net/ip-address.js';
import {
  addressAttributes,
  ifaddrmsg,
  ifinfomsg,
  linkAttributes,
  type AddressValues,
  type LinkValues,
} from './attributes.js';
import * as c from './constants.js';
import { RouteError, invalidRouteRequest, type RouteRequestKind } from './errors.js';
import type { AddressKey, AddressOperation, AddressScope, Link, LinkAddress, OperState } from './types.js';

const MESSAGE_NAMES: Record<number, string> = {
  [c.RTM_NEWLINK]: 'NEWLINK',
  [c.RTM_DELLINK]: 'DELLINK',
  [c.RTM_GETLINK]: 'GETLINK',
  [c.RTM_NEWADDR]: 'NEWADDR',
  [c.RTM_DELADDR]: 'DELADDR',
  [c.RTM_GETADDR]: 'GETADDR',
};

const label = requestLabels('rtnetlink', MESSAGE_NAMES);

/** A link request: struct ifinfomsg (family AF_UNSPEC, no index, no flag change), then attributes. */
function linkRequest(type: number, values: LinkValues, flags?: number): Request {
  return structRequest({
    type,
    ...(flags !== undefined && { flags }),
    label: label(type),
    header: ifinfomsg,
    headerValues: { family: c.AF_UNSPEC, type: 0, index: 0, flags: 0, change: 0 },
    attributes: linkAttributes,
    values,
  });
}

/** As the kernel's dev_valid_name (net/core/dev.c): 1 to 15 bytes, not "." or "..", no '/', ':' or whitespace. */
function linkName(request: RouteRequestKind, name: string): string {
  const length = Buffer.byteLength(name);
  if (length === 0 || length >= c.IFNAMSIZ)
    throw invalidRouteRequest(request, `a link name has 1 to ${c.IFNAMSIZ - 1} bytes, '${name}' has ${length}`);
  if (name === '.' || name === '..' || /[/:\s]/.test(name))
    throw invalidRouteRequest(request, `'${name}' is not a valid link name`);
  return name;
}

/** RTM_GETLINK of one link by name (rtnl_getlink looks IFLA_IFNAME up when the index is 0). */
export function getLinkRequest(name: string): Request {
  return linkRequest(c.RTM_GETLINK, { name: linkName({ op: 'get-link', name }, name) });
}

/**
 * RTM_NEWLINK creating a link of a kind that needs no options (dummy). As
 * kube-proxy's EnsureDummyDevice (netlink.LinkAdd of a Dummy whose LinkAttrs
 * hold only the name) it sends IFLA_TXQLEN 0, and it does not bring the link
 * up: kube-ipvs0 stays down, its addresses still local (the kernel adds their
 * local routes whatever the link state).
 */
export function createLinkRequest(name: string, kind: string): Request {
  const request: RouteRequestKind = { op: 'create-link', name, kind };
  return linkRequest(
    c.RTM_NEWLINK,
    { name: linkName(request, name), txQueueLength: 0, linkInfo: { kind } },
    NLM_F_CREATE | NLM_F_EXCL,
  );
}

/** RTM_DELLINK by name. */
export function deleteLinkRequest(name: string): Request {
  return linkRequest(c.RTM_DELLINK, { name: linkName({ op: 'delete-link', name }, name) });
}

/**
 * RTM_GETADDR dump of both families. Only sockets with NETLINK_GET_STRICT_CHK
 * get it filtered by ifindex; the client filters the replies itself.
 */
export function listAddressesRequest(linkIndex: number): Request {
  return structRequest({
    type: c.RTM_GETADDR,
    label: label(c.RTM_GETADDR),
    header: ifaddrmsg,
    headerValues: { family: c.AF_UNSPEC, prefixLength: 0, flags: 0, scope: 0, index: linkIndex },
    attributes: addressAttributes,
    values: {},
  });
}

function familyOf(text: string): AddressFamily {
  return text.includes(':') ? 'inet6' : 'inet';
}

function addressBytes(request: AddressOperation, key: AddressKey): [AddressFamily, Buffer] {
  const family = familyOf(key.address);
  let bytes: Buffer;
  try {
    bytes = family === 'inet' ? parseIPv4(key.address) : parseIPv6(key.address);
  } catch (err) {
    if (err instanceof InvalidAddressError) throw invalidRouteRequest(request, err.message, err);
    throw err;
  }
  const bits = bytes.length * 8;
  if (!Number.isInteger(key.prefixLength) || key.prefixLength < 0 || key.prefixLength > bits) {
    throw invalidRouteRequest(request, `prefix length ${key.prefixLength} is not an integer from 0 to ${bits}`);
  }
  if (!Number.isInteger(key.linkIndex) || key.linkIndex <= 0 || key.linkIndex > 0x7fffffff) {
    throw invalidRouteRequest(request, `link index ${key.linkIndex} is not a positive int`);
  }
  return [family, bytes];
}

/**
 * RTM_NEWADDR or RTM_DELADDR, as kube-proxy's netlink.AddrAdd/AddrDel send
 * them: scope global (0), no flags, IFA_LOCAL and IFA_ADDRESS both the
 * address, no broadcast for a /32. No IFA_F_NODAD either: a dummy link is
 * IFF_NOARP, and addrconf skips DAD on NOARP links (addrconf_dad_begin), so
 * an IPv6 address is never left tentative. NEWADDR carries NLM_F_CREATE|NLM_F_EXCL,
 * so an address already there is EEXIST. Throws RouteError (EINVAL) for
 * values the wire cannot carry.
 */
export function addressRequest(op: AddressOperation): Request {
  const [family, bytes] = addressBytes(op, op.address);
  const type = op.op === 'add-address' ? c.RTM_NEWADDR : c.RTM_DELADDR;
  return structRequest({
    type,
    ...(type === c.RTM_NEWADDR && { flags: NLM_F_CREATE | NLM_F_EXCL }),
    label: label(type),
    header: ifaddrmsg,
    headerValues: {
      family: family === 'inet' ? c.AF_INET : c.AF_INET6,
      prefixLength: op.address.prefixLength,
      flags: 0,
      scope: c.RT_SCOPE_UNIVERSE,
      index: op.address.linkIndex,
    },
    attributes: addressAttributes,
    values: { local: bytes, address: bytes },
  });
}

/** The requests of a batch; an operation the wire cannot carry gets its RouteError instead. */
export function addressRequests(ops: readonly AddressOperation[]): (Request | RouteError)[] {
  return ops.map((op) => {
    try {
      return addressRequest(op);
    } catch (err) {
      if (err instanceof RouteError) return err;
      throw err;
    }
  });
}

// ---- wire -> domain ----------------------------------------------------------

function expectType(actual: number, type: number): void {
  if (actual !== type)
    throw new NetlinkDecodeError('nlmsghdr.type', `expected ${MESSAGE_NAMES[type] ?? type}, got ${actual}`);
}

/** An RTM_NEWLINK message (a GETLINK reply). */
export function decodeLink(msg: NetlinkMessage): Link {
  expectType(msg.type, c.RTM_NEWLINK);
  const { header, attributes } = decodeStructMessage(msg, ifinfomsg, linkAttributes);
  const operState = requiredAttribute(attributes.operState, 'IFLA.operState');
  const kind = attributes.linkInfo?.kind;
  return {
    index: header.index,
    name: requiredAttribute(attributes.name, 'IFLA.name'),
    ...(kind !== undefined && { kind }),
    up: (header.flags & c.IFF_UP) !== 0,
    flags: header.flags,
    mtu: requiredAttribute(attributes.mtu, 'IFLA.mtu'),
    txQueueLength: requiredAttribute(attributes.txQueueLength, 'IFLA.txQueueLength'),
    operState: operStateName(operState),
  };
}

function operStateName(value: number): OperState {
  const name = c.IF_OPER_STATES[value];
  if (name === undefined) throw new NetlinkDecodeError('IFLA.operState', `unknown value ${value}`);
  return name;
}

const SCOPES = new Map<number, AddressScope>([
  [c.RT_SCOPE_UNIVERSE, 'global'],
  [c.RT_SCOPE_SITE, 'site'],
  [c.RT_SCOPE_LINK, 'link'],
  [c.RT_SCOPE_HOST, 'host'],
  [c.RT_SCOPE_NOWHERE, 'nowhere'],
]);

function addressText(family: AddressFamily, raw: Buffer, path: string): string {
  const size = family === 'inet' ? 4 : 16;
  if (raw.length !== size)
    throw new NetlinkDecodeError(path, `expected ${size} bytes for an ${family} address, got ${raw.length}`);
  return family === 'inet' ? formatIPv4(raw) : formatIPv6(raw);
}

/**
 * An RTM_NEWADDR message (a GETADDR dump entry). Families other than IPv4 and
 * IPv6 give undefined: they are not addresses kipvs binds.
 */
export function decodeAddress(msg: NetlinkMessage): LinkAddress | undefined {
  return decodeAddressAt(msg.type, msg.payload, 0, msg.payload.length);
}

/** decodeAddress of a message of `type` whose payload is source[start, end) (a dump's reply range). */
export function decodeAddressAt(type: number, source: Buffer, start: number, end: number): LinkAddress | undefined {
  expectType(type, c.RTM_NEWADDR);
  const { header, attributes } = decodeStructAt(source, start, end, ifaddrmsg, addressAttributes);
  const family = header.family === c.AF_INET ? 'inet' : header.family === c.AF_INET6 ? 'inet6' : undefined;
  if (family === undefined) return undefined;
  const values: AddressValues = attributes;
  // IPv4 names the local address IFA_LOCAL (IFA_ADDRESS is the peer's); IPv6 sends IFA_ADDRESS only.
  const [raw, path] = values.local
    ? [values.local, 'IFA.local']
    : [requiredAttribute(values.address, 'IFA.address'), 'IFA.address'];
  // ifa_prefixlen is a byte and ifa_index a u32, but the kernel's prefix fits the address and an
  // ifindex is a positive int: anything else is not a reply of the kernel's.
  const bits = family === 'inet' ? 32 : 128;
  if (header.prefixLength > bits)
    throw new NetlinkDecodeError(
      'ifaddrmsg.prefixLength',
      `${header.prefixLength} is above ${bits} for an ${family} address`,
    );
  if (header.index === 0 || header.index > 0x7fffffff)
    throw new NetlinkDecodeError('ifaddrmsg.index', `${header.index} is not a positive int`);
  return {
    linkIndex: header.index,
    family,
    address: addressText(family, raw, path),
    prefixLength: header.prefixLength,
    scope: SCOPES.get(header.scope) ?? header.scope,
    flags: values.flags ?? header.flags,
    ...(values.label !== undefined && { label: values.label }),
  };
}
