// The IPVS client: a small typed surface over one generic netlink socket.
//
// Writes go through `apply`, which hands every operation to the socket's batch
// (many messages per sendmsg, one ACK per datagram, each request's own
// result). Reads are the kernel's dumps; the kernel has no dump of every
// destination, so `dump` runs one GET_DEST dump per service, many of them per
// addon call (the socket's dumpEach: 16 at once through io_uring, on sockets of
// their own, since a netlink socket runs one dump at a time and a second one
// started meanwhile gets EBUSY), decoded straight from the reply buffer.
import {
  FamilyNotFoundError,
  NETLINK_GENERIC,
  NetlinkSocket,
  resolveFamily,
  type GenericFamily,
  NetlinkDecodeError,
  NetlinkError,
  type DumpReplyVisitor,
  type NetlinkMessage,
  type OperationOutcome,
  type Request,
  type SocketCounters,
  type SocketOptions,
} from '../netlink/index.js';
import { IPVS_GENL_NAME } from './constants.js';
import { type IpvsError, IpvsUnavailableError, ipvsErrorFrom, type IpvsQuery } from './errors.js';
import { IpvsBatch } from './batch.js';
import type { AddressFamily } from '../net/ip-address.js';
import {
  decodeInfo,
  decodeRealServer,
  decodeRealServerAt,
  decodeService,
  decodeServiceAt,
  decodeTimeouts,
  queryRequest,
  type DecodeOptions,
} from './messages.js';
import type {
  Counted,
  CountedService,
  IpvsInfo,
  IpvsOperation,
  IpvsTimeouts,
  ReadRealServer,
  LiveService,
  LiveVirtualServer,
  RealServer,
  ServiceKey,
  VirtualServer,
} from './types.js';

/** Times a dump the kernel marks inconsistent (the table changed while it was read) is read again. */
const DUMP_RETRIES = 5;

/** What became of one operation of a batch. */
export type OperationResult = OperationOutcome<IpvsOperation, IpvsError>;

export class IpvsClient {
  private constructor(
    private readonly socket: NetlinkSocket,
    private readonly family: GenericFamily,
  ) {}

  /**
   * Opens a socket in the caller's network namespace and looks up the IPVS
   * family. Throws IpvsUnavailableError when the ip_vs module is not loaded.
   */
  static async open(options: SocketOptions = {}): Promise<IpvsClient> {
    const socket = NetlinkSocket.open(NETLINK_GENERIC, options);
    try {
      return new IpvsClient(socket, await resolveFamily(socket, IPVS_GENL_NAME));
    } catch (err) {
      socket.close();
      if (err instanceof FamilyNotFoundError) throw new IpvsUnavailableError({ cause: err });
      throw err;
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

  async listServices(): Promise<(LiveVirtualServer & Counted)[]> {
    const replies = await this.read({ op: 'list-services' }, (q) => this.socket.dump(q));
    return replies.map(decodeService);
  }

  /** One service; IpvsError ESRCH when there is none with this key. */
  async getService(key: ServiceKey): Promise<LiveVirtualServer & Counted> {
    return decodeService(onlyReply(await this.read({ op: 'get-service', key }, (q) => this.socket.request(q))));
  }

  /** The real servers of one service; IpvsError ESRCH when there is no such service. */
  async listRealServers(key: ServiceKey): Promise<(ReadRealServer & Counted)[]> {
    const realServers = await this.realServersOf(key);
    // The kernel answers a GET_DEST dump for a missing service with an empty
    // dump (ip_vs_genl_dump_dests), so an empty answer needs a second look.
    if (realServers.length === 0) {
      const exists = queryRequest(this.family, { op: 'get-service', key });
      await this.read({ op: 'list-real-servers', service: key }, () => this.socket.request(exists));
    }
    return realServers;
  }

  /**
   * Every service with its real servers; their traffic counters only with `stats: true`
   * (decoding them is most of a dump's work, and a sync never reads them). One GET_SERVICE
   * dump, then one GET_DEST dump per service, all run by the addon a few hundred per call.
   */
  dump(options: { readonly stats: true }): Promise<CountedService[]>;
  dump(options?: Partial<DecodeOptions>): Promise<LiveService[]>;
  async dump(options: Partial<DecodeOptions> = {}): Promise<LiveService[]> {
    const decode: DecodeOptions = { stats: options.stats === true };
    const services: LiveVirtualServer[] = [];
    await this.dumpEach(
      [{ op: 'list-services' }],
      (_, source, start, end) => services.push(decodeServiceAt(source, start, end, decode)),
      () => (services.length = 0),
    );
    const lists: ReadRealServer[][] = services.map(() => []);
    await this.dumpEach(
      services.map((service) => ({ op: 'list-real-servers', service: service.key })),
      (index, source, start, end) => {
        const service = services[index] as LiveVirtualServer;
        (lists[index] as ReadRealServer[]).push(decodeRealServerAt(source, start, end, service.key.family, decode));
      },
      (index) => (lists[index] = []),
    );
    return services.map((service, index) => ({ service, realServers: lists[index] as ReadRealServer[] }));
  }

  /**
   * Runs the dumps of `queries` (the socket's dumpEach) and hands each reply to `onReply`;
   * a dump the kernel marks inconsistent is `reset` and read again, so callers see one
   * consistent snapshot of each. Failures are IpvsErrors naming their query.
   */
  private async dumpEach(
    queries: readonly IpvsQuery[],
    onReply: DumpReplyVisitor,
    reset: (index: number) => void,
  ): Promise<void> {
    let indexes = queries.map((_, index) => index);
    for (let attempt = 1; indexes.length > 0; attempt++) {
      const requests = indexes.map((index) => queryRequest(this.family, queries[index] as IpvsQuery));
      let current = 0;
      const statuses = await this.socket
        .dumpEach(requests, (k, source, start, end, type) => {
          current = indexes[k] as number;
          onReply(current, source, start, end, type);
        })
        .catch((err: unknown) => {
          throw ipvsErrorFrom(err, queries[current] as IpvsQuery);
        });
      const again: number[] = [];
      statuses.forEach((status, k) => {
        const index = indexes[k] as number;
        if (status === 'interrupted') again.push(index);
        else if (status !== 'complete') throw ipvsErrorFrom(status, queries[index] as IpvsQuery);
      });
      if (again.length > 0 && attempt === DUMP_RETRIES) {
        const query = queries[again[0] as number] as IpvsQuery;
        throw ipvsErrorFrom(
          new NetlinkError(
            'EINTR',
            4,
            queryRequest(this.family, query).label,
            `dump changed ${DUMP_RETRIES} times while being read`,
          ),
          query,
        );
      }
      for (const index of again) reset(index);
      indexes = again;
    }
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    return decodeTimeouts(onlyReply(await this.read({ op: 'get-timeouts' }, (q) => this.socket.request(q))));
  }

  async info(): Promise<IpvsInfo> {
    return decodeInfo(onlyReply(await this.read({ op: 'info' }, (q) => this.socket.request(q))));
  }

  private async realServersOf(key: ServiceKey): Promise<(ReadRealServer & Counted)[]> {
    const family: AddressFamily = key.family;
    const replies = await this.read({ op: 'list-real-servers', service: key }, (q) => this.socket.dump(q));
    return replies.map((msg) => decodeRealServer(msg, family));
  }

  private async read(
    query: IpvsQuery,
    send: (request: Request) => Promise<readonly NetlinkMessage[]>,
  ): Promise<readonly NetlinkMessage[]> {
    const request = queryRequest(this.family, query);
    try {
      return await send(request);
    } catch (err) {
      throw ipvsErrorFrom(err, query);
    }
  }

  // ---- writes --------------------------------------------------------------

  /**
   * Applies the operations in order, in as few sendmsg calls as fit, and
   * returns each one's result. The kernel carries on after a failed message,
   * so one failure never hides the others' outcomes. Operations with values
   * the wire cannot carry fail here (EINVAL) without being sent.
   */
  async apply(ops: readonly IpvsOperation[]): Promise<OperationResult[]> {
    const batch = this.batch(ops.length);
    for (const op of ops) batch.add(op);
    const failed = new Map(
      (await batch.send((index) => ops[index] as IpvsOperation)).map(({ index, error }) => [index, error]),
    );
    return ops.map((op, index): OperationResult => {
      const error = failed.get(index);
      return error === undefined ? { op, ok: true } : { op, ok: false, error };
    });
  }

  /** An empty batch on this client's socket, to fill one operation at a time and send once (see batch.ts). */
  batch(expectedOperations?: number): IpvsBatch {
    return new IpvsBatch(this.socket, this.family, expectedOperations);
  }

  addService(service: VirtualServer): Promise<void> {
    return this.applyOne({ op: 'add-service', service });
  }

  /** Replaces the scheduler, flags, timeout, netmask and persistence engine of a service. */
  editService(service: VirtualServer): Promise<void> {
    return this.applyOne({ op: 'edit-service', service });
  }

  deleteService(key: ServiceKey): Promise<void> {
    return this.applyOne({ op: 'delete-service', key });
  }

  addRealServer(service: ServiceKey, realServer: RealServer): Promise<void> {
    return this.applyOne({ op: 'add-real-server', service, realServer });
  }

  editRealServer(service: ServiceKey, realServer: RealServer): Promise<void> {
    return this.applyOne({ op: 'edit-real-server', service, realServer });
  }

  deleteRealServer(service: ServiceKey, realServer: Pick<RealServer, 'family' | 'address' | 'port'>): Promise<void> {
    return this.applyOne({ op: 'delete-real-server', service, realServer });
  }

  /** Deletes every service (and so every real server) in this network namespace. */
  flush(): Promise<void> {
    return this.applyOne({ op: 'flush' });
  }

  /** Zeroes the counters of one service, or of all of them. */
  zero(service?: ServiceKey): Promise<void> {
    return this.applyOne({ op: 'zero', ...(service && { service }) });
  }

  /** Sets the global timeouts; a 0 leaves that timeout unchanged. */
  setTimeouts(timeouts: IpvsTimeouts): Promise<void> {
    return this.applyOne({ op: 'set-timeouts', timeouts });
  }

  private async applyOne(op: IpvsOperation): Promise<void> {
    const [result] = await this.apply([op]);
    if (result && !result.ok) throw result.error;
  }
}

/** The one reply of a GET command (ip_vs_genl_get_cmd answers with exactly one message). */
function onlyReply(replies: readonly NetlinkMessage[]): NetlinkMessage {
  const [reply] = replies;
  if (reply === undefined || replies.length !== 1) {
    throw new NetlinkDecodeError('IPVS reply', `expected one reply message, got ${replies.length}`);
  }
  return reply;
}
