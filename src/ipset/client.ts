// The ipset client: a small typed surface over one NETLINK_NETFILTER socket.
//
// Writes go through `apply`. Entries are the bulk of the work: consecutive
// entry changes to one set share ADD or DEL messages (hundreds of entries in
// IPSET_ATTR_ADT each), and the socket packs the messages into as few sendmsg
// calls as fit. The kernel stops a message at its first failing entry and
// names it by its line number, so the entries after it are sent again, one
// per message, each with its own result, before the next changes to whole
// sets (create, flush, swap, destroy) run: those are never reordered with the
// entries before or after them.
import type { AddressFamily } from '../net/ip-address.js';
import {
  NETLINK_NETFILTER,
  NetlinkDecodeError,
  NetlinkError,
  NetlinkSocket,
  type NetlinkMessage,
  type Outcome,
  type Request,
  type SocketCounters,
  type SocketOptions,
} from '../netlink/index.js';
import * as c from './constants.js';
import { IpsetError, IpsetUnavailableError, ipsetErrorFrom, type IpsetQuery, type IpsetRequestKind } from './errors.js';
import {
  decodeList,
  decodeNames,
  decodeProtocol,
  decodeTypeRevision,
  entryMessages,
  failedLine,
  listRequest,
  protocolRequest,
  setRequest,
  typeRequest,
} from './messages.js';
import type {
  EntryOperation,
  IpsetEntry,
  IpsetHeader,
  IpsetOperation,
  IpsetSpec,
  LiveIpset,
  SetOperation,
} from './types.js';

/** What became of one operation of a batch. */
export type OperationResult =
  | { readonly op: IpsetOperation; readonly ok: true }
  | { readonly op: IpsetOperation; readonly ok: false; readonly error: IpsetError };

const UNAVAILABLE = 'ipset is not available in this kernel; load it with: modprobe ip_set';

function isEntryOperation(op: IpsetOperation): op is EntryOperation {
  return op.op === 'add-entry' || op.op === 'delete-entry';
}

export class IpsetClient {
  /** The newest revision of each set type (per family) the kernel has. */
  private readonly revisions = new Map<string, number>();

  private constructor(
    private readonly socket: NetlinkSocket,
    /** The ipset protocol both sides speak: the kernel's, up to IPSET_PROTOCOL. */
    readonly protocol: number,
  ) {}

  /**
   * Opens a socket in the caller's network namespace and agrees on a protocol
   * version with the kernel (IPSET_CMD_PROTOCOL). Throws IpsetUnavailableError
   * when the kernel has no ipset or too old a one, IpsetPermissionError
   * without CAP_NET_ADMIN.
   */
  static async open(options: SocketOptions = {}): Promise<IpsetClient> {
    const socket = NetlinkSocket.open(NETLINK_NETFILTER, options);
    try {
      const [reply] = await socket.request(protocolRequest());
      if (reply === undefined) throw new NetlinkDecodeError('IPSET', 'no reply to PROTOCOL');
      const kernel = decodeProtocol(reply);
      const protocol = Math.min(c.IPSET_PROTOCOL, kernel.protocol);
      if (protocol < Math.max(c.IPSET_PROTOCOL_MIN, kernel.protocolMin)) {
        throw new IpsetUnavailableError(
          `this kernel speaks ipset protocol ${kernel.protocolMin} to ${kernel.protocol}; kipvs speaks ${c.IPSET_PROTOCOL_MIN} to ${c.IPSET_PROTOCOL}`,
        );
      }
      return new IpsetClient(socket, protocol);
    } catch (err) {
      socket.close();
      // nfnetlink answers EINVAL for a subsystem nobody registered (nfnetlink_rcv_msg).
      if (err instanceof NetlinkError && err.code === 'EINVAL')
        throw new IpsetUnavailableError(UNAVAILABLE, { cause: err });
      if (err instanceof IpsetUnavailableError) throw err;
      throw ipsetErrorFrom(err, { op: 'protocol' });
    }
  }

  /** Syscalls and messages so far (sendmsg calls, datagrams, ...). */
  get counters(): Readonly<SocketCounters> {
    return this.socket.counters;
  }

  close(): void {
    this.socket.close();
  }

  // ---- reads ---------------------------------------------------------------

  /** The names of every set in this network namespace (`ipset list -n`). */
  async listSetNames(): Promise<string[]> {
    return this.read(
      { op: 'list-sets' },
      listRequest(this.protocol, undefined, c.IPSET_FLAG_LIST_SETNAME),
      decodeNames,
    );
  }

  /** The header of every set, of any type (`ipset list -t`). */
  async listSets(): Promise<IpsetHeader[]> {
    const sets = await this.read(
      { op: 'list-sets' },
      listRequest(this.protocol, undefined, c.IPSET_FLAG_LIST_HEADER),
      decodeList,
    );
    return sets.map((set) => set.header);
  }

  /**
   * One set with its entries, or undefined when there is none. A set of a
   * type kipvs does not model is an IpsetError (EOPNOTSUPP).
   */
  async getSet(name: string): Promise<LiveIpset | undefined> {
    const query: IpsetQuery = { op: 'get-set', set: name };
    let sets;
    try {
      sets = await this.read(
        query,
        this.build(query, () => listRequest(this.protocol, name)),
        decodeList,
      );
    } catch (err) {
      if (err instanceof IpsetError && err.code === 'ENOENT') return undefined;
      throw err;
    }
    const [set] = sets;
    if (set === undefined || sets.length !== 1)
      throw ipsetErrorFrom(new NetlinkDecodeError('IPSET', `expected one set, got ${sets.length}`), query);
    if (set.entries === undefined) {
      throw new IpsetError('EOPNOTSUPP', 'get-set', name, `sets of type ${set.header.type} are not ones kipvs reads`);
    }
    return { header: set.header, entries: set.entries };
  }

  private async read<T>(
    query: IpsetQuery,
    request: Request,
    decode: (replies: readonly NetlinkMessage[]) => T,
  ): Promise<T> {
    try {
      return decode(await this.socket.dump(request));
    } catch (err) {
      throw ipsetErrorFrom(err, query);
    }
  }

  private build(request: IpsetRequestKind, build: () => Request): Request {
    try {
      return build();
    } catch (err) {
      throw ipsetErrorFrom(err, request);
    }
  }

  // ---- writes --------------------------------------------------------------

  /**
   * Applies the operations in order and returns each one's result. A failure
   * never hides the others' outcomes. Operations with values the wire cannot
   * carry fail here (EINVAL) without being sent.
   */
  async apply(ops: readonly IpsetOperation[]): Promise<OperationResult[]> {
    const results = new Array<OperationResult>(ops.length);
    for (let start = 0; start < ops.length; ) {
      const entries = isEntryOperation(ops[start] as IpsetOperation);
      let end = start;
      while (end < ops.length && isEntryOperation(ops[end] as IpsetOperation) === entries) end++;
      const indexes = Array.from({ length: end - start }, (_, k) => start + k);
      if (entries) await this.applyEntries(ops, indexes, results);
      else await this.applySets(ops, indexes, results);
      start = end;
    }
    return results;
  }

  private async applySets(
    ops: readonly IpsetOperation[],
    indexes: readonly number[],
    results: OperationResult[],
  ): Promise<void> {
    const refusedTypes = await this.learnRevisions(indexes.map((i) => ops[i] as SetOperation));
    const requests: Request[] = [];
    const sent: number[] = [];
    for (const i of indexes) {
      const op = ops[i] as SetOperation;
      const key = op.op === 'create-set' ? revisionKey(op.set) : '';
      try {
        if (refusedTypes.has(key)) throw refusedTypes.get(key);
        // Only a create names a type and needs its revision.
        requests.push(setRequest(op, this.protocol, this.revisions.get(key) ?? 0));
        sent.push(i);
      } catch (err) {
        results[i] = { op, ok: false, error: ipsetErrorFrom(err, op) };
      }
    }
    const outcomes = await this.socket.batch(requests);
    outcomes.forEach((outcome, k) => {
      const i = sent[k] as number;
      const op = ops[i] as IpsetOperation;
      results[i] = outcome.ok ? { op, ok: true } : { op, ok: false, error: ipsetErrorFrom(outcome.error, op) };
    });
  }

  /**
   * Asks the kernel (in one batch) for the newest revision of every set type
   * about to be created, and remembers it; returns the kernel's refusals (a
   * type it has no module for), which are asked again next time.
   */
  private async learnRevisions(ops: readonly SetOperation[]): Promise<Map<string, unknown>> {
    const wanted = new Map<string, IpsetSpec>();
    for (const op of ops) {
      if (op.op === 'create-set' && !this.revisions.has(revisionKey(op.set))) wanted.set(revisionKey(op.set), op.set);
    }
    const specs = [...wanted.values()];
    const outcomes = await this.socket.batch(
      specs.map((spec) => typeRequest(this.protocol, spec.type, familyOf(spec))),
    );
    const refused = new Map<string, unknown>();
    outcomes.forEach((outcome, k) => {
      const key = revisionKey(specs[k] as IpsetSpec);
      try {
        if (!outcome.ok) throw outcome.error;
        const [reply] = outcome.replies;
        if (reply === undefined) throw new NetlinkDecodeError('IPSET', 'no reply to TYPE');
        this.revisions.set(key, decodeTypeRevision(reply));
      } catch (err) {
        refused.set(key, err);
      }
    });
    return refused;
  }

  private async applyEntries(
    ops: readonly IpsetOperation[],
    indexes: readonly number[],
    results: OperationResult[],
  ): Promise<void> {
    const retry = await this.sendEntries(ops, indexes, results);
    if (retry.length > 0) {
      // One entry per message: each gets its own result, and nothing is left to retry.
      await this.sendEntries(ops, retry, results, 0);
    }
  }

  /** Sends entry changes; returns the indexes of those not attempted because an earlier entry of their message failed. */
  private async sendEntries(
    ops: readonly IpsetOperation[],
    indexes: readonly number[],
    results: OperationResult[],
    maxMessageBytes?: number,
  ): Promise<number[]> {
    const { messages, refused } = entryMessages(
      this.protocol,
      indexes.map((i) => ops[i] as EntryOperation),
      indexes,
      maxMessageBytes,
    );
    for (const [i, error] of refused) results[i] = { op: ops[i] as IpsetOperation, ok: false, error };
    const outcomes = await this.socket.batch(messages.map((m) => m.request));
    const retry: number[] = [];
    outcomes.forEach((outcome, k) => {
      const members = (messages[k] as (typeof messages)[number]).ops;
      if (outcome.ok) {
        for (const i of members) results[i] = { op: ops[i] as IpsetOperation, ok: true };
        return;
      }
      const line = lineOf(outcome.error, members.length);
      members.forEach((i, position) => {
        const op = ops[i] as IpsetOperation;
        if (line === undefined || position === line - 1)
          results[i] = { op, ok: false, error: ipsetErrorFrom(outcome.error, op) };
        else if (position < line - 1) results[i] = { op, ok: true };
        else retry.push(i);
      });
    });
    return retry;
  }

  createSet(set: IpsetSpec, exist = false): Promise<void> {
    return this.applyOne({ op: 'create-set', set, exist });
  }

  addEntry(set: string, entry: IpsetEntry, exist = false): Promise<void> {
    return this.applyOne({ op: 'add-entry', set, entry, exist });
  }

  deleteEntry(set: string, entry: IpsetEntry, exist = false): Promise<void> {
    return this.applyOne({ op: 'delete-entry', set, entry, exist });
  }

  flushSet(set: string): Promise<void> {
    return this.applyOne({ op: 'flush-set', set });
  }

  swapSets(set: string, other: string): Promise<void> {
    return this.applyOne({ op: 'swap-sets', set, other });
  }

  destroySet(set: string, exist = false): Promise<void> {
    return this.applyOne({ op: 'destroy-set', set, exist });
  }

  private async applyOne(op: IpsetOperation): Promise<void> {
    const [result] = await this.apply([op]);
    if (result && !result.ok) throw result.error;
  }
}

/**
 * The line of the entry an error names, when it names one of the message's
 * entries; undefined for an error about the whole message (or an echo that
 * does not decode, which is treated the same).
 */
function lineOf(error: Extract<Outcome, { ok: false }>['error'], entries: number): number | undefined {
  if (!(error instanceof NetlinkError)) return undefined;
  try {
    const line = failedLine(error.echo);
    return line !== undefined && line <= entries ? line : undefined;
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return undefined;
    throw err;
  }
}

function familyOf(spec: IpsetSpec): AddressFamily | undefined {
  return spec.type === 'bitmap:port' ? undefined : spec.family;
}

function revisionKey(spec: IpsetSpec): string {
  return `${spec.type} ${familyOf(spec) ?? ''}`;
}
