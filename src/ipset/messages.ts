// ipset requests and replies: the domain model (types.ts) to and from the
// attribute tables (attributes.ts), over nfnetlink (nfgenmsg, then attributes;
// nlmsg_type NFNL_SUBSYS_IPSET << 8 | command). Every request carries
// IPSET_ATTR_PROTOCOL: the kernel refuses one outside its supported range
// (protocol_min_failed in ip_set_core.c).
import type { AddressFamily } from '../net/ip-address.js';
import {
  NFNETLINK_V0,
  NFNL_SUBSYS_IPSET,
  NLA_F_NESTED,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NetlinkDecodeError,
  Writer,
  align4,
  decodeNfnetlink,
  nfgenmsg,
  nfnetlinkRequest,
  nfnetlinkType,
  parseMessages,
  type NetlinkMessage,
  type Request,
  type RequestLabel,
  requiredAttribute,
  requestLabels,
} from '../netlink/index.js';
import {
  commandAttributes,
  entryAttributes,
  swapAttributes,
  type CommandValues,
  type HeaderValues,
} from './attributes.js';
import * as c from './constants.js';
import { IpsetError, invalidIpsetRequest, type IpsetRequestKind } from './errors.js';
import { decodeEntry, isModeledType, tryEntryValues } from './entries.js';
import type {
  EntryOperation,
  IpsetEntry,
  IpsetHeader,
  IpsetOptions,
  IpsetSpec,
  IpsetType,
  SetOperation,
} from './types.js';

const COMMAND_NAMES: Record<number, string> = {
  [c.IPSET_CMD_PROTOCOL]: 'PROTOCOL',
  [c.IPSET_CMD_CREATE]: 'CREATE',
  [c.IPSET_CMD_DESTROY]: 'DESTROY',
  [c.IPSET_CMD_FLUSH]: 'FLUSH',
  [c.IPSET_CMD_SWAP]: 'SWAP',
  [c.IPSET_CMD_LIST]: 'LIST',
  [c.IPSET_CMD_ADD]: 'ADD',
  [c.IPSET_CMD_DEL]: 'DEL',
  [c.IPSET_CMD_TYPE]: 'TYPE',
};

const label = requestLabels('ipset', COMMAND_NAMES);

function ipsetRequest(command: number, values: CommandValues, flags?: number): Request {
  return nfnetlinkRequest({
    subsystem: NFNL_SUBSYS_IPSET,
    command,
    label: label(command),
    family: c.AF_INET,
    ...(flags !== undefined && { flags }),
    attributes: commandAttributes,
    values,
  });
}

const FAMILIES: Record<AddressFamily, number> = { inet: c.NFPROTO_IPV4, inet6: c.NFPROTO_IPV6 };

// ---- domain -> wire ----------------------------------------------------------

/** A set name: 1 to 31 bytes (IPSET_MAXNAMELEN with its NUL), no NUL inside. */
function setName(request: IpsetRequestKind, name: string): string {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes >= c.IPSET_MAXNAMELEN || name.includes('\0')) {
    throw invalidIpsetRequest(
      request,
      `a set name has 1 to ${c.IPSET_MAXNAMELEN - 1} bytes and no NUL, '${name}' has ${bytes}`,
    );
  }
  return name;
}

function unsigned(request: IpsetRequestKind, what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw invalidIpsetRequest(request, `${what} ${value} is not an integer from 0 to ${max}`);
  return value;
}

/** The first request of a session: which protocol does the kernel speak? */
export function protocolRequest(): Request {
  return ipsetRequest(c.IPSET_CMD_PROTOCOL, { protocol: c.IPSET_PROTOCOL });
}

/** The revisions of a set type the kernel has (it loads the type's module if it can). */
export function typeRequest(protocol: number, type: string, family: AddressFamily | undefined): Request {
  return ipsetRequest(c.IPSET_CMD_TYPE, {
    protocol,
    typeName: type,
    family: family === undefined ? c.NFPROTO_UNSPEC : FAMILIES[family],
  });
}

/** A LIST dump of every set, or of one; `flags` asks for names only or headers only. */
export function listRequest(protocol: number, set?: string, flags?: number): Request {
  const request: IpsetRequestKind = set === undefined ? { op: 'list-sets' } : { op: 'get-set', set };
  return ipsetRequest(c.IPSET_CMD_LIST, {
    protocol,
    ...(set !== undefined && { setName: setName(request, set) }),
    ...(flags !== undefined && { flags }),
  });
}

/**
 * CREATE: type, revision, family, then IPSET_ATTR_DATA with hashsize and
 * maxelem, or the port range; IPSET_FLAG_WITH_COMMENT for the comment
 * extension. As the ipset tool: NLM_F_CREATE|NLM_F_EXCL, without NLM_F_EXCL
 * for -exist (the kernel's flag_exist reads only NLM_F_EXCL).
 */
function createValues(
  op: Extract<SetOperation, { op: 'create-set' }>,
  protocol: number,
  revision: number,
): CommandValues {
  const spec: IpsetSpec = op.set;
  const data: HeaderValues = {};
  if (spec.type === 'bitmap:port') {
    if (spec.options.kind !== 'bitmap') throw invalidIpsetRequest(op, 'a bitmap:port set needs a port range');
    data.portFrom = unsigned(op, 'port', spec.options.portFrom, 0xffff);
    data.portTo = unsigned(op, 'port', spec.options.portTo, 0xffff);
  } else {
    if (!isModeledType(spec.type) || spec.options.kind !== 'hash')
      throw invalidIpsetRequest(op, `'${String(spec.type)}' is not a set type kipvs creates with hash options`);
    if (FAMILIES[spec.family] === undefined)
      throw invalidIpsetRequest(op, `family '${String(spec.family)}' is not inet or inet6`);
    data.hashSize = unsigned(op, 'hashsize', spec.options.hashSize, 0xffffffff);
    data.maxElem = unsigned(op, 'maxelem', spec.options.maxElem, 0xffffffff);
  }
  if (spec.comments) data.cadtFlags = c.IPSET_FLAG_WITH_COMMENT;
  return {
    protocol,
    setName: setName(op, spec.name),
    typeName: spec.type,
    revision,
    family: spec.type === 'bitmap:port' ? c.NFPROTO_UNSPEC : FAMILIES[spec.family],
    data,
  };
}

/**
 * The request of a change to whole sets. `revision` is the newest revision of
 * the set type the kernel has (create only). Throws IpsetError (EINVAL) for
 * values the wire cannot carry.
 */
export function setRequest(op: SetOperation, protocol: number, revision: number): Request {
  switch (op.op) {
    case 'create-set':
      return ipsetRequest(
        c.IPSET_CMD_CREATE,
        createValues(op, protocol, revision),
        NLM_F_CREATE | (op.exist ? 0 : NLM_F_EXCL),
      );
    case 'flush-set':
      return ipsetRequest(c.IPSET_CMD_FLUSH, { protocol, setName: setName(op, op.set) });
    case 'destroy-set':
      // Kernels since 2019 take a missing set for no error without NLM_F_EXCL (ip_set_destroy); the ipset tool sets it.
      return ipsetRequest(c.IPSET_CMD_DESTROY, { protocol, setName: setName(op, op.set) }, op.exist ? 0 : NLM_F_EXCL);
    case 'swap-sets':
      return nfnetlinkRequest({
        subsystem: NFNL_SUBSYS_IPSET,
        command: c.IPSET_CMD_SWAP,
        label: label(c.IPSET_CMD_SWAP),
        family: c.AF_INET,
        attributes: swapAttributes,
        values: { protocol, setName: setName(op, op.set), setName2: setName(op, op.other) },
      });
  }
}

/**
 * Entries per ADD or DEL message are bounded by bytes: a failing entry comes
 * back with the whole message echoed (call_ad), and the echo must fit one
 * receive slot (64 KiB) with room to spare. 16 KiB is about 400 entries.
 */
export const MAX_ENTRY_MESSAGE_BYTES = 16 * 1024;

/** One ADD or DEL message and the indexes of its operations, in message order. */
export interface EntryMessage {
  readonly request: Request;
  readonly ops: readonly number[];
}

/** nlmsghdr, nfgenmsg, PROTOCOL, LINENO and the IPSET_ATTR_ADT header, before the set name. */
const ENTRY_MESSAGE_OVERHEAD = 16 + 4 + 8 + 8 + 4;
/** An entry's IPSET_ATTR_DATA header and its IPSET_ATTR_LINENO. */
const ENTRY_OVERHEAD = 4 + 8;

/**
 * An ADD or DEL message whose entries were encoded ahead of time into a
 * buffer shared by the batch: written, each entry is its IPSET_ATTR_DATA nest
 * with its line number (1, 2, ...) and then its bytes. The line number is how
 * the kernel names an entry that fails; it stops the message there.
 */
class EntryMessageRequest implements Request {
  readonly type: number;
  readonly flags: number;
  readonly label: RequestLabel;
  constructor(
    command: number,
    exist: boolean,
    private readonly protocol: number,
    private readonly set: string,
    private readonly encoded: { bytes: Buffer },
    /** Start and end of each entry in encoded.bytes. */
    private readonly bounds: readonly number[],
  ) {
    this.type = nfnetlinkType(NFNL_SUBSYS_IPSET, command);
    // As the ipset tool: ADD and DEL carry NLM_F_EXCL unless -exist (flag_exist reads only it).
    this.flags = exist ? 0 : NLM_F_EXCL;
    this.label = label(command);
  }

  writePayload(w: Writer): void {
    nfgenmsg.write(w, { family: c.AF_INET, version: NFNETLINK_V0, resourceId: 0 });
    // LINENO 0 at the top: the kernel writes a failing entry's number over it in its echo.
    commandAttributes.encode(w, { protocol: this.protocol, setName: this.set, lineno: 0 });
    const adt = w.beginAttribute(c.IPSET_ATTR_ADT | NLA_F_NESTED);
    for (let k = 0; k < this.bounds.length; k += 2) {
      const data = w.beginAttribute(c.IPSET_ATTR_DATA | NLA_F_NESTED);
      const line = w.beginAttribute(c.IPSET_ATTR_LINENO);
      w.u32(k / 2 + 1);
      w.endAttribute(line);
      w.copyFrom(this.encoded.bytes, this.bounds[k] as number, this.bounds[k + 1] as number);
      w.endAttribute(data);
    }
    w.endAttribute(adt);
  }
}

/**
 * ADD or DEL messages for entry operations, in order: consecutive operations
 * on one set with one command and one `exist` share a message, up to
 * `maxMessageBytes` (0: one entry per message). An entry the wire cannot carry
 * gets its IpsetError instead and is not sent.
 */
export function entryMessages(
  protocol: number,
  ops: readonly EntryOperation[],
  indexes: readonly number[],
  maxMessageBytes = MAX_ENTRY_MESSAGE_BYTES,
): { messages: EntryMessage[]; refused: Map<number, IpsetError> } {
  const messages: EntryMessage[] = [];
  const refused = new Map<number, IpsetError>();
  const w = new Writer(Math.max(4096, ops.length * 40));
  const encoded: { bytes: Buffer } = { bytes: Buffer.alloc(0) };
  let current: { first: EntryOperation; bounds: number[]; ops: number[]; bytes: number } | undefined;
  let checkedName: string | undefined;
  const flush = (): void => {
    if (!current) return;
    const { first, bounds } = current;
    const command = first.op === 'add-entry' ? c.IPSET_CMD_ADD : c.IPSET_CMD_DEL;
    messages.push({
      request: new EntryMessageRequest(command, !!first.exist, protocol, first.set, encoded, bounds),
      ops: current.ops,
    });
    current = undefined;
  };
  ops.forEach((op, k) => {
    const index = indexes[k] as number;
    const values = tryEntryValues(op, op.entry);
    if (values instanceof IpsetError) {
      refused.set(index, values);
      return;
    }
    if (op.set !== checkedName) {
      try {
        checkedName = setName(op, op.set);
      } catch (err) {
        if (!(err instanceof IpsetError)) throw err;
        refused.set(index, err);
        return;
      }
    }
    const start = w.length;
    entryAttributes.encode(w, values);
    const bytes = w.length - start + ENTRY_OVERHEAD;
    const fits =
      current !== undefined &&
      current.first.op === op.op &&
      current.first.set === op.set &&
      !!current.first.exist === !!op.exist &&
      current.bytes + bytes <= maxMessageBytes;
    if (!fits) {
      flush();
      current = {
        first: op,
        bounds: [],
        ops: [],
        bytes: ENTRY_MESSAGE_OVERHEAD + align4(Buffer.byteLength(op.set) + 5),
      };
    }
    const group = current as NonNullable<typeof current>;
    group.bounds.push(start, w.length);
    group.ops.push(index);
    group.bytes += bytes;
  });
  flush();
  encoded.bytes = w.view(); // done growing: the messages read their entries from here
  return { messages, refused };
}

/**
 * Which entry of an ADD or DEL message failed: the line number the kernel
 * wrote into the echo of the message (call_ad), or undefined when the error
 * was about the whole message (no such set, a malformed message).
 */
export function failedLine(echo: Buffer | undefined): number | undefined {
  if (echo === undefined) return undefined;
  const [msg] = parseMessages(echo);
  if (msg === undefined) return undefined;
  const lineno = decodeNfnetlink(msg, commandAttributes).attributes.lineno;
  return lineno === undefined || lineno === 0 ? undefined : lineno;
}

// ---- wire -> domain ----------------------------------------------------------

function replyOf(msg: NetlinkMessage, command: number): CommandValues {
  const decoded = decodeNfnetlink(msg, commandAttributes);
  if (decoded.subsystem !== NFNL_SUBSYS_IPSET || decoded.command !== command) {
    throw new NetlinkDecodeError(
      'nlmsghdr.type',
      `expected ipset ${COMMAND_NAMES[command] ?? command}, got 0x${msg.type.toString(16)}`,
    );
  }
  return decoded.attributes;
}

export interface ProtocolReply {
  readonly protocol: number;
  /** The oldest protocol the kernel speaks (kernels before 4.20 do not say: then = protocol). */
  readonly protocolMin: number;
}

export function decodeProtocol(msg: NetlinkMessage): ProtocolReply {
  const values = replyOf(msg, c.IPSET_CMD_PROTOCOL);
  const protocol = requiredAttribute(values.protocol, 'IPSET.protocol');
  return { protocol, protocolMin: values.protocolMin ?? protocol };
}

/** The newest revision of a type in a TYPE reply (the kernel puts its minimum in REVISION_MIN). */
export function decodeTypeRevision(msg: NetlinkMessage): number {
  return requiredAttribute(replyOf(msg, c.IPSET_CMD_TYPE).revision, 'IPSET.revision');
}

const FAMILY_NAMES = new Map<number, AddressFamily | undefined>([
  [c.NFPROTO_UNSPEC, undefined],
  [c.NFPROTO_IPV4, 'inet'],
  [c.NFPROTO_IPV6, 'inet6'],
]);

function headerOf(name: string, values: CommandValues): IpsetHeader {
  const path = `IPSET[${name}]`;
  const rawFamily = requiredAttribute(values.family, `${path}.family`);
  if (!FAMILY_NAMES.has(rawFamily)) throw new NetlinkDecodeError(`${path}.family`, `unknown value ${rawFamily}`);
  const family = FAMILY_NAMES.get(rawFamily);
  const data = requiredAttribute(values.data, `${path}.data`);
  let options: IpsetOptions | undefined;
  if (data.hashSize !== undefined && data.maxElem !== undefined)
    options = { kind: 'hash', hashSize: data.hashSize, maxElem: data.maxElem };
  else if (data.portFrom !== undefined && data.portTo !== undefined)
    options = { kind: 'bitmap', portFrom: data.portFrom, portTo: data.portTo };
  return {
    name,
    type: requiredAttribute(values.typeName, `${path}.typeName`),
    revision: requiredAttribute(values.revision, `${path}.revision`),
    ...(family !== undefined && { family }),
    ...(options !== undefined && { options }),
    comments: ((data.cadtFlags ?? 0) & c.IPSET_FLAG_WITH_COMMENT) !== 0,
    references: requiredAttribute(data.references, `${path}.data.references`),
    memorySize: requiredAttribute(data.memorySize, `${path}.data.memorySize`),
    entryCount: requiredAttribute(data.elements, `${path}.data.elements`),
    ...(data.bucketSize !== undefined && { bucketSize: data.bucketSize }),
    ...(data.initval !== undefined && { initval: data.initval }),
  };
}

/**
 * The sets of a LIST dump, with `entries` their members. A set longer than a
 * dump message continues in the next ones, which repeat only its name; its
 * header comes once, in the first. Sets whose type kipvs does not model list
 * no entries here: `entries` is then undefined for them.
 */
export function decodeList(
  replies: readonly NetlinkMessage[],
): { header: IpsetHeader; entries: IpsetEntry[] | undefined }[] {
  const sets: { header: IpsetHeader; entries: IpsetEntry[] | undefined }[] = [];
  let current: { name: string; type: IpsetType | undefined; entries: IpsetEntry[] | undefined } | undefined;
  for (const msg of replies) {
    const values = replyOf(msg, c.IPSET_CMD_LIST);
    const name = requiredAttribute(values.setName, 'IPSET.setName');
    if (current?.name !== name) {
      const header = headerOf(name, values);
      const type = isModeledType(header.type) ? header.type : undefined;
      current = { name, type, entries: type === undefined ? undefined : [] };
      sets.push({ header, entries: current.entries });
    }
    const { type, entries } = current;
    if (type === undefined || entries === undefined || values.adt === undefined) continue;
    for (const entry of values.adt) entries.push(decodeEntry(type, entry, `IPSET[${name}].adt[${entries.length}]`));
  }
  return sets;
}

/** The names of a LIST dump with IPSET_FLAG_LIST_SETNAME. */
export function decodeNames(replies: readonly NetlinkMessage[]): string[] {
  return replies.map((msg) => requiredAttribute(replyOf(msg, c.IPSET_CMD_LIST).setName, 'IPSET.setName'));
}
