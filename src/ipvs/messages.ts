// IPVS requests and replies: the domain model (types.ts) to and from the
// attribute tables (attributes.ts). Builders check every value fits its wire
// field before anything is sent; decoders name the attribute that is missing
// or wrong in a NetlinkDecodeError.
import type { AddressFamily } from '../net/ip-address.js';
import {
  GENL_HDRLEN,
  NetlinkDecodeError,
  Writer,
  genericRequest,
  writeGenericPayload,
  type AttributeSet,
  type AttributeValues,
  type GenericFamily,
  type NetlinkMessage,
  type Request,
  type RequestLabel,
  requiredAttribute,
  requestLabels,
  align4,
  attributeLength,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
} from '../netlink/index.js';
import { InvalidAddressError, decodeInetAddressAt, encodeInetAddress } from '../net/ip-address.js';
import {
  commandAttributes,
  destAttributes,
  infoAttributes,
  serviceAttributes,
  stats32Attributes,
  stats64Attributes,
  type CommandValues,
  type DestValues,
  type ServiceValues,
  type Stats32Values,
  type Stats64Values,
} from './attributes.js';
import * as c from './constants.js';
import { IpvsError, invalidRequest, type IpvsQuery, type IpvsRequestKind } from './errors.js';
import {
  isFwmarkKey,
  type Counted,
  type ForwardingMethod,
  type IpvsInfo,
  type IpvsOperation,
  type IpvsTimeouts,
  type ReadRealServer,
  type LiveVirtualServer,
  type Protocol,
  type RealServer,
  type ServiceFlags,
  type ServiceKey,
  type Stats,
  type TunnelType,
  type VirtualServer,
} from './types.js';

/** A two-way table between domain names and wire numbers. */
function bimap<K extends string>(
  entries: Record<K, number>,
): { wire: (k: K) => number; domain: (n: number) => K | undefined } {
  const reverse = new Map<number, K>(Object.entries(entries).map(([k, n]) => [n as number, k as K]));
  return { wire: (k) => entries[k], domain: (n) => reverse.get(n) };
}

const families = bimap<AddressFamily>({ inet: c.AF_INET, inet6: c.AF_INET6 });
const protocols = bimap<Protocol>({ tcp: c.IPPROTO_TCP, udp: c.IPPROTO_UDP, sctp: c.IPPROTO_SCTP });
const forwardingMethods = bimap<ForwardingMethod>({
  masquerade: c.IP_VS_CONN_F_MASQ,
  local: c.IP_VS_CONN_F_LOCALNODE,
  tunnel: c.IP_VS_CONN_F_TUNNEL,
  route: c.IP_VS_CONN_F_DROUTE,
  bypass: c.IP_VS_CONN_F_BYPASS,
});
const tunnelTypes = bimap<TunnelType>({
  ipip: c.IP_VS_CONN_F_TUNNEL_TYPE_IPIP,
  gue: c.IP_VS_CONN_F_TUNNEL_TYPE_GUE,
  gre: c.IP_VS_CONN_F_TUNNEL_TYPE_GRE,
});
const serviceFlagBits: Record<keyof ServiceFlags, number> = {
  persistent: c.IP_VS_SVC_F_PERSISTENT,
  hashed: c.IP_VS_SVC_F_HASHED,
  onePacket: c.IP_VS_SVC_F_ONEPACKET,
  sched1: c.IP_VS_SVC_F_SCHED1,
  sched2: c.IP_VS_SVC_F_SCHED2,
  sched3: c.IP_VS_SVC_F_SCHED3,
};
const flagNames = Object.keys(serviceFlagBits) as (keyof ServiceFlags)[];

const COMMAND_NAMES: Record<number, string> = {
  [c.IPVS_CMD_NEW_SERVICE]: 'NEW_SERVICE',
  [c.IPVS_CMD_SET_SERVICE]: 'SET_SERVICE',
  [c.IPVS_CMD_DEL_SERVICE]: 'DEL_SERVICE',
  [c.IPVS_CMD_GET_SERVICE]: 'GET_SERVICE',
  [c.IPVS_CMD_NEW_DEST]: 'NEW_DEST',
  [c.IPVS_CMD_SET_DEST]: 'SET_DEST',
  [c.IPVS_CMD_DEL_DEST]: 'DEL_DEST',
  [c.IPVS_CMD_GET_DEST]: 'GET_DEST',
  [c.IPVS_CMD_SET_CONFIG]: 'SET_CONFIG',
  [c.IPVS_CMD_GET_CONFIG]: 'GET_CONFIG',
  [c.IPVS_CMD_SET_INFO]: 'SET_INFO',
  [c.IPVS_CMD_GET_INFO]: 'GET_INFO',
  [c.IPVS_CMD_ZERO]: 'ZERO',
  [c.IPVS_CMD_FLUSH]: 'FLUSH',
};

/** What a request is, for error messages. */
const label = requestLabels(c.IPVS_GENL_NAME, COMMAND_NAMES);

/** One IPVS command with its top-level attributes. */
function ipvsRequest(family: GenericFamily, command: number, values: CommandValues): Request {
  return genericRequest({
    familyId: family.id,
    familyName: c.IPVS_GENL_NAME,
    command,
    commandName: label(command).command,
    version: c.IPVS_GENL_VERSION,
    attributes: commandAttributes,
    values,
  });
}

// ---- domain -> wire ----------------------------------------------------------

/** Checks that a number fits an unsigned wire field of `bits` bits. */
function unsigned(request: IpvsRequestKind, what: string, value: number, bits: 8 | 16 | 32): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw invalidRequest(request, `${what} ${value} is not an integer from 0 to ${2 ** bits - 1}`);
  }
  return value;
}

function address(request: IpvsRequestKind, family: AddressFamily, text: string): Buffer {
  try {
    return encodeInetAddress(family, text);
  } catch (err) {
    if (err instanceof InvalidAddressError) throw invalidRequest(request, err.message, err);
    throw err;
  }
}

/** The identifying attributes of a service: AF plus fwmark, or protocol/address/port. */
function serviceKeyValues(request: IpvsRequestKind, key: ServiceKey): ServiceValues {
  const family = families.wire(key.family);
  if (isFwmarkKey(key)) {
    // fwmark 0 means "not a fwmark service" to the kernel (ip_vs_genl_parse_service).
    if (key.fwmark === 0) throw invalidRequest(request, 'fwmark 0 cannot identify a service');
    return { family, fwmark: unsigned(request, 'fwmark', key.fwmark, 32) };
  }
  return {
    family,
    protocol: protocols.wire(key.protocol),
    address: address(request, key.family, key.address),
    port: unsigned(request, 'port', key.port, 16),
  };
}

/** IPv4: a netmask travels as __be32; IPv6: a prefix length as a host-order u32. */
function netmaskToWire(family: AddressFamily, netmask: number): number {
  return family === 'inet' ? swap32(netmask) : netmask;
}

function netmaskFromWire(family: AddressFamily, raw: number): number {
  return family === 'inet' ? swap32(raw) : raw;
}

function swap32(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** A full service entry, as NEW_SERVICE and SET_SERVICE require (scheduler, flags, timeout, netmask). */
function serviceValues(request: IpvsRequestKind, vs: VirtualServer): ServiceValues {
  let flags = 0;
  for (const name of flagNames) if (vs.flags[name]) flags |= serviceFlagBits[name];
  return {
    ...serviceKeyValues(request, vs.key),
    scheduler: vs.scheduler,
    // mask ~0: the flags replace the service's flags entirely.
    flags: { flags, mask: 0xffffffff },
    timeout: unsigned(request, 'persistence timeout', vs.timeout, 32),
    netmask: netmaskToWire(vs.key.family, unsigned(request, 'persistence netmask', vs.netmask, 32)),
    ...(vs.persistenceEngine !== undefined && { persistenceEngine: vs.persistenceEngine }),
  };
}

/** The identifying attributes of a destination; AF is explicit so it may differ from the service's (tunnels). */
function destKeyValues(request: IpvsRequestKind, rs: Pick<RealServer, 'family' | 'address' | 'port'>): DestValues {
  return {
    address: address(request, rs.family, rs.address),
    port: unsigned(request, 'port', rs.port, 16),
    family: families.wire(rs.family),
  };
}

/** A full destination entry, as NEW_DEST and SET_DEST require (forwarding, weight, both thresholds). */
function destValues(request: IpvsRequestKind, rs: RealServer): DestValues {
  return {
    ...destKeyValues(request, rs),
    forwarding: forwardingMethods.wire(rs.forwarding),
    // The kernel reads the weight into an int and refuses negatives (ERANGE).
    weight: unsigned(request, 'weight', rs.weight, 32),
    upperThreshold: unsigned(request, 'upper threshold', rs.upperThreshold, 32),
    lowerThreshold: unsigned(request, 'lower threshold', rs.lowerThreshold, 32),
    ...(rs.tunnel && {
      tunnelType: tunnelTypes.wire(rs.tunnel.type),
      tunnelPort: unsigned(request, 'tunnel port', rs.tunnel.port, 16),
      tunnelFlags: unsigned(request, 'tunnel flags', rs.tunnel.flags, 16),
    }),
  };
}

/** The command and attributes of one change. Throws IpvsError (EINVAL) for values the wire cannot carry. */
function operationMessage(op: IpvsOperation): [command: number, values: CommandValues] {
  switch (op.op) {
    case 'add-service':
      return [c.IPVS_CMD_NEW_SERVICE, { service: serviceValues(op, op.service) }];
    case 'edit-service':
      return [c.IPVS_CMD_SET_SERVICE, { service: serviceValues(op, op.service) }];
    case 'delete-service':
      return [c.IPVS_CMD_DEL_SERVICE, { service: serviceKeyValues(op, op.key) }];
    case 'add-real-server':
      return [c.IPVS_CMD_NEW_DEST, { service: serviceKeyValues(op, op.service), dest: destValues(op, op.realServer) }];
    case 'edit-real-server':
      return [c.IPVS_CMD_SET_DEST, { service: serviceKeyValues(op, op.service), dest: destValues(op, op.realServer) }];
    case 'delete-real-server':
      return [
        c.IPVS_CMD_DEL_DEST,
        { service: serviceKeyValues(op, op.service), dest: destKeyValues(op, op.realServer) },
      ];
    case 'flush':
      return [c.IPVS_CMD_FLUSH, {}];
    case 'zero':
      return [c.IPVS_CMD_ZERO, op.service ? { service: serviceKeyValues(op, op.service) } : {}];
    case 'set-timeouts':
      // 0 leaves a timeout unchanged (ip_vs_set_timeout).
      return [
        c.IPVS_CMD_SET_CONFIG,
        {
          tcpTimeout: unsigned(op, 'tcp timeout', op.timeouts.tcp, 32),
          tcpFinTimeout: unsigned(op, 'tcpfin timeout', op.timeouts.tcpFin, 32),
          udpTimeout: unsigned(op, 'udp timeout', op.timeouts.udp, 32),
        },
      ];
  }
}

/**
 * A request whose body was encoded ahead of time into a chunk of a batch's
 * buffer: until a batch of 100,000 operations is sent, it keeps a few
 * megabytes of bytes alive, not 100,000 attribute trees. (In User-Mode
 * Linux, where every page touched for the first time costs about 60 us, this
 * measured about a fifth faster than encoding each operation when it is sent.)
 */
class EncodedRequest implements Request {
  constructor(
    readonly type: number,
    readonly label: RequestLabel,
    private readonly chunk: { bytes: Buffer },
    private readonly start: number,
    private readonly end: number,
  ) {}

  writePayload(w: Writer): void {
    w.copyFrom(this.chunk.bytes, this.start, this.end);
  }
}

/** A batch's buffer grows by chunks of this size: no copying, little unused. */
const CHUNK_BYTES = 1 << 20;
/** Far more than any one IPVS message; a longer one grows its chunk instead. */
const MESSAGE_ROOM = 4096;

/**
 * Encodes operations one at a time into chunks of bytes, so that a caller reading
 * operations as it goes (a restore file) need not hold them all. `finish` seals the
 * last chunk: requests are sent only after it.
 */
export class OperationEncoder {
  private w: Writer;
  private chunk: { bytes: Buffer } = { bytes: Buffer.alloc(0) };

  constructor(
    private readonly family: GenericFamily,
    expectedOperations = Infinity,
  ) {
    this.w = new Writer(Math.min(CHUNK_BYTES, expectedOperations * 256 + MESSAGE_ROOM));
  }

  /** The request that performs `op`, or the IpvsError (EINVAL) of a value the wire cannot carry. */
  encode(op: IpvsOperation): Request | IpvsError {
    let message: [number, CommandValues];
    try {
      message = operationMessage(op);
    } catch (err) {
      if (err instanceof IpvsError) return err;
      throw err;
    }
    if (this.w.length > CHUNK_BYTES - MESSAGE_ROOM) {
      this.chunk.bytes = this.w.view(); // this chunk is done growing
      this.w = new Writer(CHUNK_BYTES);
      this.chunk = { bytes: Buffer.alloc(0) };
    }
    const [command, values] = message;
    const start = this.w.length;
    writeGenericPayload(this.w, command, c.IPVS_GENL_VERSION, commandAttributes, values);
    return new EncodedRequest(this.family.id, label(command), this.chunk, start, this.w.length);
  }

  finish(): void {
    this.chunk.bytes = this.w.view();
  }
}

/**
 * The requests that perform the changes, in order; an operation with a value
 * the wire cannot carry gets its IpvsError (EINVAL) instead, and is never sent.
 */
export function operationRequests(family: GenericFamily, ops: readonly IpvsOperation[]): (Request | IpvsError)[] {
  const encoder = new OperationEncoder(family, ops.length);
  const requests = ops.map((op) => encoder.encode(op));
  encoder.finish();
  return requests;
}

/** The request that performs one change. Throws IpvsError (EINVAL) for values the wire cannot carry. */
export function operationRequest(family: GenericFamily, op: IpvsOperation): Request {
  const [request] = operationRequests(family, [op]);
  if (request === undefined || request instanceof IpvsError) throw request;
  return request;
}

/** The request that performs one read (the client sends the dumps with NLM_F_DUMP). */
export function queryRequest(family: GenericFamily, query: IpvsQuery): Request {
  switch (query.op) {
    case 'list-services':
      return ipvsRequest(family, c.IPVS_CMD_GET_SERVICE, {});
    case 'get-service':
      return ipvsRequest(family, c.IPVS_CMD_GET_SERVICE, { service: serviceKeyValues(query, query.key) });
    case 'list-real-servers':
      return ipvsRequest(family, c.IPVS_CMD_GET_DEST, { service: serviceKeyValues(query, query.service) });
    case 'get-timeouts':
      return ipvsRequest(family, c.IPVS_CMD_GET_CONFIG, {});
    case 'info':
      return ipvsRequest(family, c.IPVS_CMD_GET_INFO, {});
  }
}

// ---- wire -> domain ----------------------------------------------------------

function known<T>(value: T | undefined, path: string, raw: number): T {
  if (value === undefined) throw new NetlinkDecodeError(path, `unknown value ${raw}`);
  return value;
}

/** The address attribute whose payload starts at `start` of `source` (its length checked by the attribute reader). */
function inetAddress(family: AddressFamily, source: Buffer, start: number, path: string): string {
  // nla_len is in the attribute header just before the payload.
  const length = source.readUInt16LE(start - 4) - 4;
  const text = decodeInetAddressAt(family, source, start, start + length);
  if (text === undefined) throw new NetlinkDecodeError(path, `${length} bytes is too short for an ${family} address`);
  return text;
}

/** The attributes of the reply source[start, end) (after its nlmsghdr), whose genl command must be `command`. */
function replyAttributes<F>(
  source: Buffer,
  start: number,
  end: number,
  command: number,
  attributes: AttributeSet<F>,
): AttributeValues<F> {
  if (end - start < GENL_HDRLEN)
    throw new NetlinkDecodeError('genlmsghdr', `expected ${GENL_HDRLEN} bytes, got ${end - start}`);
  const replyCommand = source.readUInt8(start);
  if (replyCommand !== command) {
    throw new NetlinkDecodeError(
      'genlmsghdr.cmd',
      `expected ${COMMAND_NAMES[command] ?? command}, got ${replyCommand}`,
    );
  }
  // Straight from the payload after genlmsghdr: no view of the attributes is made.
  return attributes.read(source, start + GENL_HDRLEN, end, attributes.name);
}

/** What a read of the table decodes besides the table itself. */
export interface DecodeOptions {
  /** The traffic counters of every entry (ipvsadm --stats, --rate, JSON); a sync never needs them. */
  readonly stats: boolean;
}

const WITH_STATS = { stats: true } as const;

/** STATS64 when the kernel sent it (4.1+), else the 32-bit STATS nest. */
function stats(values: { stats?: Stats32Values; stats64?: Stats64Values }, path: string): Stats {
  const nest = values.stats64 ?? values.stats;
  const where = values.stats64 ? `${path}.stats64` : `${path}.stats`;
  if (nest === undefined) throw new NetlinkDecodeError(`${path}.stats64`, 'missing (and no stats either)');
  const count = (key: keyof Stats32Values): bigint => BigInt(requiredAttribute(nest[key], `${where}.${key}`));
  return {
    connections: count('connections'),
    inPackets: count('inPackets'),
    outPackets: count('outPackets'),
    inBytes: count('inBytes'),
    outBytes: count('outBytes'),
    cps: count('cps'),
    inPps: count('inPps'),
    outPps: count('outPps'),
    inBps: count('inBps'),
    outBps: count('outBps'),
  };
}

function decodeFamily(raw: number | undefined, path: string): AddressFamily {
  const value = requiredAttribute(raw, path);
  return known(families.domain(value), path, value);
}

/** A NEW_SERVICE message (a GET_SERVICE reply or dump entry), with its counters. */
export function decodeService(msg: NetlinkMessage): LiveVirtualServer & Counted {
  return decodeServiceAt(msg.payload, 0, msg.payload.length, WITH_STATS);
}

// A dump of 100,000 real servers decodes 100,000 of these: each entry is read in one walk over
// its attributes into local variables and made as one object, with no table of attribute
// values in between. Each attribute is read by the codec of its table (attributes.ts), under
// the same name, so a malformed one is the same NetlinkDecodeError as the table reader's.

/**
 * The payload offset of the IPVS_CMD_ATTR_SERVICE or _DEST nest (`nest`) of the reply
 * source[start, end) (after its nlmsghdr), whose genl command must be `command`; -1 when it has
 * none. The last one counts when there are several. Other top-level attributes are skipped:
 * the kernel sends none in these replies.
 */
function replyNest(source: Buffer, start: number, end: number, command: number, nest: number): number {
  if (end - start < GENL_HDRLEN)
    throw new NetlinkDecodeError('genlmsghdr', `expected ${GENL_HDRLEN} bytes, got ${end - start}`);
  const replyCommand = source.readUInt8(start);
  if (replyCommand !== command) {
    throw new NetlinkDecodeError(
      'genlmsghdr.cmd',
      `expected ${COMMAND_NAMES[command] ?? command}, got ${replyCommand}`,
    );
  }
  let found = -1;
  for (let at = start + GENL_HDRLEN; at < end; ) {
    const length = attributeLength(source, at, end, 'IPVS_CMD');
    if ((source.readUInt16LE(at + 2) & NLA_TYPE_MASK) === nest) found = at + NLA_HDRLEN;
    at += align4(length);
  }
  return found;
}

/** The end of the attribute whose payload starts at `payload` (its nla_len, checked when it was walked). */
function payloadEnd(source: Buffer, payload: number): number {
  return payload - NLA_HDRLEN + source.readUInt16LE(payload - NLA_HDRLEN);
}

/** A NEW_SERVICE message whose payload (after the nlmsghdr) is source[start, end). */
export function decodeServiceAt(
  source: Buffer,
  start: number,
  end: number,
  options: { readonly stats: true },
): LiveVirtualServer & Counted;
export function decodeServiceAt(source: Buffer, start: number, end: number, options: DecodeOptions): LiveVirtualServer;
export function decodeServiceAt(source: Buffer, start: number, end: number, options: DecodeOptions): LiveVirtualServer {
  const path = 'IPVS_CMD.service';
  const nest = replyNest(source, start, end, c.IPVS_CMD_NEW_SERVICE, c.IPVS_CMD_ATTR_SERVICE);
  if (nest === -1) throw new NetlinkDecodeError(path, 'missing');
  let rawFamily: number | undefined;
  let protocol: number | undefined;
  let address = -1;
  let port: number | undefined;
  let fwmark: number | undefined;
  let scheduler: string | undefined;
  let wireFlags: { flags: number; mask: number } | undefined;
  let timeout: number | undefined;
  let netmask: number | undefined;
  let persistenceEngine: string | undefined;
  let stats32: Stats32Values | undefined;
  let stats64: Stats64Values | undefined;
  const fields = serviceAttributes.fields;
  for (let at = nest, nestEnd = payloadEnd(source, nest); at < nestEnd; ) {
    const length = attributeLength(source, at, nestEnd, path);
    const from = at + NLA_HDRLEN;
    const to = at + length;
    switch (source.readUInt16LE(at + 2) & NLA_TYPE_MASK) {
      case c.IPVS_SVC_ATTR_AF:
        rawFamily = fields.family.codec.read(source, from, to, 'IPVS_CMD.service.family');
        break;
      case c.IPVS_SVC_ATTR_PROTOCOL:
        protocol = fields.protocol.codec.read(source, from, to, 'IPVS_CMD.service.protocol');
        break;
      case c.IPVS_SVC_ATTR_ADDR:
        address = from;
        break;
      case c.IPVS_SVC_ATTR_PORT:
        port = fields.port.codec.read(source, from, to, 'IPVS_CMD.service.port');
        break;
      case c.IPVS_SVC_ATTR_FWMARK:
        fwmark = fields.fwmark.codec.read(source, from, to, 'IPVS_CMD.service.fwmark');
        break;
      case c.IPVS_SVC_ATTR_SCHED_NAME:
        scheduler = fields.scheduler.codec.read(source, from, to, 'IPVS_CMD.service.scheduler');
        break;
      case c.IPVS_SVC_ATTR_FLAGS:
        wireFlags = fields.flags.codec.read(source, from, to, 'IPVS_CMD.service.flags');
        break;
      case c.IPVS_SVC_ATTR_TIMEOUT:
        timeout = fields.timeout.codec.read(source, from, to, 'IPVS_CMD.service.timeout');
        break;
      case c.IPVS_SVC_ATTR_NETMASK:
        netmask = fields.netmask.codec.read(source, from, to, 'IPVS_CMD.service.netmask');
        break;
      case c.IPVS_SVC_ATTR_PE_NAME:
        persistenceEngine = fields.persistenceEngine.codec.read(source, from, to, 'IPVS_CMD.service.persistenceEngine');
        break;
      // The statistics nests are read only when asked for; otherwise skipped as unknown attributes are.
      case c.IPVS_SVC_ATTR_STATS:
        if (options.stats) stats32 = stats32Attributes.read(source, from, to, 'IPVS_CMD.service.stats');
        break;
      case c.IPVS_SVC_ATTR_STATS64:
        if (options.stats) stats64 = stats64Attributes.read(source, from, to, 'IPVS_CMD.service.stats64');
        break;
    }
    at += align4(length);
  }
  const family = decodeFamily(rawFamily, `${path}.family`);
  let key: ServiceKey;
  if (fwmark !== undefined) {
    key = { family, fwmark };
  } else {
    const wireProtocol = requiredAttribute(protocol, `${path}.protocol`);
    key = {
      family,
      protocol: known(protocols.domain(wireProtocol), `${path}.protocol`, wireProtocol),
      address: inetAddress(family, source, required(address, `${path}.address`), `${path}.address`),
      port: requiredAttribute(port, `${path}.port`),
    };
  }
  const { flags: flagBits, mask } = requiredAttribute(wireFlags, `${path}.flags`);
  const bits = flagBits & mask;
  const flags: ServiceFlags = {
    persistent: (bits & c.IP_VS_SVC_F_PERSISTENT) !== 0,
    hashed: (bits & c.IP_VS_SVC_F_HASHED) !== 0,
    onePacket: (bits & c.IP_VS_SVC_F_ONEPACKET) !== 0,
    sched1: (bits & c.IP_VS_SVC_F_SCHED1) !== 0,
    sched2: (bits & c.IP_VS_SVC_F_SCHED2) !== 0,
    sched3: (bits & c.IP_VS_SVC_F_SCHED3) !== 0,
  };
  return {
    key,
    scheduler: requiredAttribute(scheduler, `${path}.scheduler`),
    flags,
    timeout: requiredAttribute(timeout, `${path}.timeout`),
    netmask: netmaskFromWire(family, requiredAttribute(netmask, `${path}.netmask`)),
    ...(persistenceEngine !== undefined && { persistenceEngine }),
    ...(options.stats && { stats: stats({ stats: stats32, stats64 }, path) }),
  };
}

/**
 * A NEW_DEST message (a GET_DEST dump entry). Kernels before 3.18 send no
 * ADDR_FAMILY: the real server then has its service's family.
 */
export function decodeRealServer(msg: NetlinkMessage, serviceFamily: AddressFamily): ReadRealServer & Counted {
  return decodeRealServerAt(msg.payload, 0, msg.payload.length, serviceFamily, WITH_STATS);
}

/** A NEW_DEST message whose payload (after the nlmsghdr) is source[start, end). */
export function decodeRealServerAt(
  source: Buffer,
  start: number,
  end: number,
  serviceFamily: AddressFamily,
  options: { readonly stats: true },
): ReadRealServer & Counted;
export function decodeRealServerAt(
  source: Buffer,
  start: number,
  end: number,
  serviceFamily: AddressFamily,
  options: DecodeOptions,
): ReadRealServer;
export function decodeRealServerAt(
  source: Buffer,
  start: number,
  end: number,
  serviceFamily: AddressFamily,
  options: DecodeOptions,
): ReadRealServer {
  const path = 'IPVS_CMD.dest';
  const nest = replyNest(source, start, end, c.IPVS_CMD_NEW_DEST, c.IPVS_CMD_ATTR_DEST);
  if (nest === -1) throw new NetlinkDecodeError(path, 'missing');
  let address = -1;
  let port: number | undefined;
  let rawForwarding: number | undefined;
  let weight: number | undefined;
  let upperThreshold: number | undefined;
  let lowerThreshold: number | undefined;
  let activeConnections: number | undefined;
  let inactiveConnections: number | undefined;
  let persistentConnections: number | undefined;
  let rawFamily: number | undefined;
  let tunnelType: number | undefined;
  let tunnelPort: number | undefined;
  let tunnelFlags: number | undefined;
  let stats32: Stats32Values | undefined;
  let stats64: Stats64Values | undefined;
  const fields = destAttributes.fields;
  for (let at = nest, nestEnd = payloadEnd(source, nest); at < nestEnd; ) {
    const length = attributeLength(source, at, nestEnd, path);
    const from = at + NLA_HDRLEN;
    const to = at + length;
    switch (source.readUInt16LE(at + 2) & NLA_TYPE_MASK) {
      case c.IPVS_DEST_ATTR_ADDR:
        address = from;
        break;
      case c.IPVS_DEST_ATTR_PORT:
        port = fields.port.codec.read(source, from, to, 'IPVS_CMD.dest.port');
        break;
      case c.IPVS_DEST_ATTR_FWD_METHOD:
        rawForwarding = fields.forwarding.codec.read(source, from, to, 'IPVS_CMD.dest.forwarding');
        break;
      case c.IPVS_DEST_ATTR_WEIGHT:
        weight = fields.weight.codec.read(source, from, to, 'IPVS_CMD.dest.weight');
        break;
      case c.IPVS_DEST_ATTR_U_THRESH:
        upperThreshold = fields.upperThreshold.codec.read(source, from, to, 'IPVS_CMD.dest.upperThreshold');
        break;
      case c.IPVS_DEST_ATTR_L_THRESH:
        lowerThreshold = fields.lowerThreshold.codec.read(source, from, to, 'IPVS_CMD.dest.lowerThreshold');
        break;
      case c.IPVS_DEST_ATTR_ACTIVE_CONNS:
        activeConnections = fields.activeConnections.codec.read(source, from, to, 'IPVS_CMD.dest.activeConnections');
        break;
      case c.IPVS_DEST_ATTR_INACT_CONNS:
        inactiveConnections = fields.inactiveConnections.codec.read(
          source,
          from,
          to,
          'IPVS_CMD.dest.inactiveConnections',
        );
        break;
      case c.IPVS_DEST_ATTR_PERSIST_CONNS:
        persistentConnections = fields.persistentConnections.codec.read(
          source,
          from,
          to,
          'IPVS_CMD.dest.persistentConnections',
        );
        break;
      case c.IPVS_DEST_ATTR_ADDR_FAMILY:
        rawFamily = fields.family.codec.read(source, from, to, 'IPVS_CMD.dest.family');
        break;
      case c.IPVS_DEST_ATTR_TUN_TYPE:
        tunnelType = fields.tunnelType.codec.read(source, from, to, 'IPVS_CMD.dest.tunnelType');
        break;
      case c.IPVS_DEST_ATTR_TUN_PORT:
        tunnelPort = fields.tunnelPort.codec.read(source, from, to, 'IPVS_CMD.dest.tunnelPort');
        break;
      case c.IPVS_DEST_ATTR_TUN_FLAGS:
        tunnelFlags = fields.tunnelFlags.codec.read(source, from, to, 'IPVS_CMD.dest.tunnelFlags');
        break;
      // The statistics nests are read only when asked for; otherwise skipped as unknown attributes are.
      case c.IPVS_DEST_ATTR_STATS:
        if (options.stats) stats32 = stats32Attributes.read(source, from, to, 'IPVS_CMD.dest.stats');
        break;
      case c.IPVS_DEST_ATTR_STATS64:
        if (options.stats) stats64 = stats64Attributes.read(source, from, to, 'IPVS_CMD.dest.stats64');
        break;
    }
    at += align4(length);
  }
  const family = rawFamily === undefined ? serviceFamily : decodeFamily(rawFamily, `${path}.family`);
  const forwardingBits = requiredAttribute(rawForwarding, `${path}.forwarding`) & c.IP_VS_CONN_F_FWD_MASK;
  const forwarding = known(forwardingMethods.domain(forwardingBits), `${path}.forwarding`, forwardingBits);
  // Checked in the order the fields are listed, so that the first missing one is named.
  const text = inetAddress(family, source, required(address, `${path}.address`), `${path}.address`);
  const wirePort = requiredAttribute(port, `${path}.port`);
  const wireWeight = requiredAttribute(weight, `${path}.weight`);
  const upper = requiredAttribute(upperThreshold, `${path}.upperThreshold`);
  const lower = requiredAttribute(lowerThreshold, `${path}.lowerThreshold`);
  // Tunnel options only mean something for the tunnel method (Linux 5.2+ sends them always).
  const tunnel =
    forwarding === 'tunnel' && tunnelType !== undefined
      ? {
          type: known(tunnelTypes.domain(tunnelType), `${path}.tunnelType`, tunnelType),
          port: tunnelPort ?? 0,
          flags: tunnelFlags ?? 0,
        }
      : undefined;
  const active = requiredAttribute(activeConnections, `${path}.activeConnections`);
  const inactive = requiredAttribute(inactiveConnections, `${path}.inactiveConnections`);
  const persistent = requiredAttribute(persistentConnections, `${path}.persistentConnections`);
  const counters = options.stats ? stats({ stats: stats32, stats64 }, path) : undefined;
  if (tunnel === undefined && counters === undefined) {
    // The common entry: one literal, one shape.
    return {
      family,
      address: text,
      port: wirePort,
      forwarding,
      weight: wireWeight,
      upperThreshold: upper,
      lowerThreshold: lower,
      activeConnections: active,
      inactiveConnections: inactive,
      persistentConnections: persistent,
    };
  }
  return {
    family,
    address: text,
    port: wirePort,
    forwarding,
    weight: wireWeight,
    upperThreshold: upper,
    lowerThreshold: lower,
    ...(tunnel && { tunnel }),
    activeConnections: active,
    inactiveConnections: inactive,
    persistentConnections: persistent,
    ...(counters && { stats: counters }),
  };
}

/** An address attribute's payload offset, -1 when it is missing. */
function required(offset: number, path: string): number {
  if (offset === -1) throw new NetlinkDecodeError(path, 'missing');
  return offset;
}

/** A SET_CONFIG message (the GET_CONFIG reply). A kernel without TCP or UDP support leaves those out: 0. */
export function decodeTimeouts(msg: NetlinkMessage): IpvsTimeouts {
  const values = replyAttributes(msg.payload, 0, msg.payload.length, c.IPVS_CMD_SET_CONFIG, commandAttributes);
  return { tcp: values.tcpTimeout ?? 0, tcpFin: values.tcpFinTimeout ?? 0, udp: values.udpTimeout ?? 0 };
}

/** A SET_INFO message (the GET_INFO reply). */
export function decodeInfo(msg: NetlinkMessage): IpvsInfo {
  const values = replyAttributes(msg.payload, 0, msg.payload.length, c.IPVS_CMD_SET_INFO, infoAttributes);
  return {
    version: requiredAttribute(values.version, 'IPVS_INFO.version'),
    connectionTableSize: requiredAttribute(values.connectionTableSize, 'IPVS_INFO.connectionTableSize'),
  };
}
