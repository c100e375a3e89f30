// ctnetlink requests and replies: the domain model (types.ts) to and from the
// attribute tables (attributes.ts), over nfnetlink (struct nfgenmsg whose
// nfgen_family is the entries' layer 3 protocol, then attributes; nlmsg_type
// NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_*).
import {
  NetlinkDecodeError,
  decodeNfnetlink,
  nfnetlinkRequest,
  type NetlinkMessage,
  type Request,
  type RequestLabel,
} from '../netlink/index.js';
import { parseIPv4, parseIPv6, formatIPv4, formatIPv6, type AddressFamily } from '../net/ip-address.js';
import { conntrackAttributes, type TupleValues } from './attributes.js';
import * as c from './constants.js';
import { invalidConntrackRequest, type ConntrackRequestKind } from './errors.js';
import type { ConntrackFlow, ConntrackProtocol, FlowQuery, FlowTuple } from './types.js';

const FAMILIES: Record<AddressFamily, number> = { inet: c.AF_INET, inet6: c.AF_INET6 };
const PROTOCOLS: Record<ConntrackProtocol, number> = { udp: c.IPPROTO_UDP, sctp: c.IPPROTO_SCTP };
const PROTOCOL_NAMES = new Map<number, ConntrackProtocol>(
  Object.entries(PROTOCOLS).map(([name, n]) => [n, name as ConntrackProtocol]),
);

const GET: RequestLabel = { family: 'conntrack', command: 'GET' };
const DELETE: RequestLabel = { family: 'conntrack', command: 'DELETE' };

function checkedFamily(request: ConntrackRequestKind, family: AddressFamily): number {
  const af = FAMILIES[family];
  if (af === undefined) throw invalidConntrackRequest(request, `family '${String(family)}' is not inet or inet6`);
  return af;
}

function checkedProtocol(request: ConntrackRequestKind, protocol: ConntrackProtocol): number {
  const number = PROTOCOLS[protocol];
  if (number === undefined) throw invalidConntrackRequest(request, `protocol '${String(protocol)}' is not udp or sctp`);
  return number;
}

/**
 * The dump of one family's entries of one protocol (`conntrack -L -f FAMILY -p
 * PROTOCOL`). nfgen_family selects the family; CTA_FILTER with
 * CTA_FILTER_F_CTA_PROTO_NUM has the kernel (5.8 and later) skip other
 * protocols. Older kernels ignore CTA_FILTER and send every protocol:
 * decodeFlows keeps only the one asked for.
 */
export function dumpRequest(query: FlowQuery): Request {
  const request: ConntrackRequestKind = { op: 'list-flows', ...query };
  return nfnetlinkRequest({
    subsystem: c.NFNL_SUBSYS_CTNETLINK,
    command: c.IPCTNL_MSG_CT_GET,
    label: GET,
    family: checkedFamily(request, query.family),
    attributes: conntrackAttributes,
    values: {
      original: { proto: { number: checkedProtocol(request, query.protocol) } },
      filter: { originalFlags: c.CTA_FILTER_F_CTA_PROTO_NUM },
    },
  });
}

function address(request: ConntrackRequestKind, family: AddressFamily, text: string): Buffer {
  try {
    return family === 'inet' ? parseIPv4(text) : parseIPv6(text);
  } catch (err) {
    throw invalidConntrackRequest(request, err instanceof Error ? err.message : String(err), err);
  }
}

function unsigned(request: ConntrackRequestKind, what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw invalidConntrackRequest(request, `${what} ${value} is not an integer from 0 to ${max}`);
  return value;
}

const port = (request: ConntrackRequestKind, value: number): number => unsigned(request, 'port', value, 0xffff);

/** A tuple as ctnetlink_parse_tuple reads it: both addresses, the protocol number, both ports. */
export function encodeTuple(
  request: ConntrackRequestKind,
  family: AddressFamily,
  protocol: number,
  tuple: FlowTuple,
): TupleValues {
  const source = address(request, family, tuple.source);
  const destination = address(request, family, tuple.destination);
  return {
    ip:
      family === 'inet'
        ? { v4Source: source, v4Destination: destination }
        : { v6Source: source, v6Destination: destination },
    proto: {
      number: protocol,
      sourcePort: port(request, tuple.sourcePort),
      destinationPort: port(request, tuple.destinationPort),
    },
  };
}

/**
 * The delete of one entry, found by its original tuple (in its zone), and only
 * while it is the entry with this CTA_ID (ctnetlink_del_conntrack says ENOENT
 * otherwise). Throws ConntrackError (EINVAL) for values the wire cannot carry.
 */
export function deleteRequest(flow: ConntrackFlow): Request {
  const request: ConntrackRequestKind = { op: 'delete-flow', flow };
  const family = checkedFamily(request, flow.family);
  const original = encodeTuple(request, flow.family, checkedProtocol(request, flow.protocol), flow.original);
  return nfnetlinkRequest({
    subsystem: c.NFNL_SUBSYS_CTNETLINK,
    command: c.IPCTNL_MSG_CT_DELETE,
    label: DELETE,
    family,
    attributes: conntrackAttributes,
    values: {
      original,
      ...(flow.zone !== undefined && { zone: unsigned(request, 'zone', flow.zone, 0xffff) }),
      ...(flow.id !== undefined && { id: unsigned(request, 'id', flow.id, 0xffffffff) }),
    },
  });
}

// ---- wire -> domain ------------------------------------------------------------

function addressText(family: AddressFamily, bytes: Buffer | undefined, path: string): string {
  const size = family === 'inet' ? 4 : 16;
  if (bytes === undefined) throw new NetlinkDecodeError(path, 'missing');
  if (bytes.length !== size) throw new NetlinkDecodeError(path, `expected ${size} bytes, got ${bytes.length}`);
  return family === 'inet' ? formatIPv4(bytes) : formatIPv6(bytes);
}

function decodeTuple(family: AddressFamily, tuple: TupleValues, path: string): FlowTuple {
  const { ip, proto } = tuple;
  if (ip === undefined) throw new NetlinkDecodeError(`${path}.ip`, 'missing');
  if (proto?.sourcePort === undefined || proto.destinationPort === undefined)
    throw new NetlinkDecodeError(`${path}.proto`, 'missing a port');
  const v4 = family === 'inet';
  return {
    source: addressText(family, v4 ? ip.v4Source : ip.v6Source, `${path}.ip.${v4 ? 'v4Source' : 'v6Source'}`),
    sourcePort: proto.sourcePort,
    destination: addressText(
      family,
      v4 ? ip.v4Destination : ip.v6Destination,
      `${path}.ip.${v4 ? 'v4Destination' : 'v6Destination'}`,
    ),
    destinationPort: proto.destinationPort,
  };
}

/**
 * One entry of a dump (an IPCTNL_MSG_CT_NEW reply), or undefined for an entry of
 * a family or protocol kipvs does not model.
 */
export function decodeFlow(msg: NetlinkMessage): ConntrackFlow | undefined {
  const decoded = decodeNfnetlink(msg, conntrackAttributes);
  if (decoded.subsystem !== c.NFNL_SUBSYS_CTNETLINK || decoded.command !== c.IPCTNL_MSG_CT_NEW) {
    throw new NetlinkDecodeError(
      'CTA',
      `expected a conntrack entry, got nfnetlink subsystem ${decoded.subsystem} command ${decoded.command}`,
    );
  }
  const family = decoded.family === c.AF_INET ? 'inet' : decoded.family === c.AF_INET6 ? 'inet6' : undefined;
  const { original, reply, id, zone } = decoded.attributes;
  if (original === undefined || reply === undefined)
    throw new NetlinkDecodeError('CTA', 'an entry without CTA_TUPLE_ORIG or CTA_TUPLE_REPLY');
  const number = original.proto?.number;
  if (number === undefined) throw new NetlinkDecodeError('CTA.original.proto.number', 'missing');
  const protocol = PROTOCOL_NAMES.get(number);
  if (family === undefined || protocol === undefined) return undefined;
  return {
    family,
    protocol,
    original: decodeTuple(family, original, 'CTA.original'),
    reply: decodeTuple(family, reply, 'CTA.reply'),
    ...(id !== undefined && { id }),
    ...(zone !== undefined && { zone }),
  };
}

/** The flows of a dump's replies that `query` asked for (a kernel before 5.8 sends every protocol). */
export function decodeFlows(replies: readonly NetlinkMessage[], query: FlowQuery): ConntrackFlow[] {
  const flows: ConntrackFlow[] = [];
  for (const msg of replies) {
    const flow = decodeFlow(msg);
    if (flow !== undefined && flow.family === query.family && flow.protocol === query.protocol) flows.push(flow);
  }
  return flows;
}
