// A netlink socket with request/reply matching, dumps and batches.
//
// Cost model (see shared/kernel-testing.md): a syscall is what costs, so a
// batch packs as many messages as fit in one datagram (one sendmsg), asks for
// an ACK only on the last one, and reads replies many datagrams per recvmmsg.
// The kernel runs every message of a datagram in order and reports each
// failure by sequence number whether or not the ACK flag was set, so the ACK of
// the last message means "every earlier message without an error succeeded".
import {
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from './constants.js';
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError, errnoName, type RequestLabel } from './errors.js';
import { parseErrorReply, parseMessages, type NetlinkMessage } from './message.js';
import { align4, Writer } from './writer.js';
import { isNativeError, netlinkAddon, type NativeSocketHandle, type NetlinkAddon } from '../native/netlink-addon.js';

/** One request: its header fields and a function that writes its payload. */
export interface Request {
  /** nlmsg_type: a message type, or a generic netlink family id. */
  readonly type: number;
  /** Extra nlmsg_flags (NLM_F_CREATE, NLM_F_EXCL, ...); REQUEST/ACK/DUMP are set here. */
  readonly flags?: number;
  readonly label: RequestLabel;
  writePayload(w: Writer): void;
}

export type Outcome =
  | { readonly ok: true; readonly replies: readonly NetlinkMessage[] }
  | { readonly ok: false; readonly error: NetlinkError | NetlinkSocketError | NetlinkDecodeError };

/** What became of one dump of `dumpEach`: 'interrupted' when the table changed while it was read. */
export type DumpStatus = 'complete' | 'interrupted' | NetlinkError | NetlinkSocketError | NetlinkDecodeError;

/**
 * Gets one reply message of dump number `index`: its payload (after the nlmsghdr) is
 * source[start, end), a range of a buffer that is reused: decode it now, keep nothing of it.
 */
export type DumpReplyVisitor = (index: number, source: Buffer, start: number, end: number, type: number) => void;

export interface SocketOptions {
  /** SO_RCVBUF(FORCE): room for replies to a whole datagram of failing requests. */
  readonly receiveBufferBytes?: number;
  readonly sendBufferBytes?: number;
  /** Upper bound of one batch datagram. The kernel handles each datagram within one sendmsg. */
  readonly maxDatagramBytes?: number;
  /**
   * How long to wait for the kernel's answer before every waiting request
   * fails with ETIMEDOUT. The kernel answers within sendmsg/recvmsg, so this
   * only fires when it never will (e.g. nfnetlink answers only the first
   * message of an unprivileged datagram): a daemon must not hang on that.
   */
  readonly replyTimeoutMs?: number;
  /** The first size of dumpEach's reply buffer (grown when one dump's replies do not fit it). */
  readonly dumpBufferBytes?: number;
}

/** Counters for benchmarks and metrics (kipvs_netlink_*). */
export interface SocketCounters {
  sendCalls: number;
  messagesSent: number;
  bytesSent: number;
  receiveCalls: number;
  datagramsReceived: number;
  messagesReceived: number;
}

interface Pending {
  readonly label: RequestLabel;
  /** NO_REPLIES until the first reply arrives (most requests of a batch get none). */
  replies: NetlinkMessage[];
  interrupted: boolean;
  settle(outcome: Outcome): void;
}

const NO_REPLIES: NetlinkMessage[] = Object.freeze([]) as unknown as NetlinkMessage[];
const SUCCESS_WITHOUT_REPLIES: Outcome = Object.freeze({ ok: true, replies: NO_REPLIES });

function success(replies: readonly NetlinkMessage[]): Outcome {
  return replies === NO_REPLIES ? SUCCESS_WITHOUT_REPLIES : { ok: true, replies };
}

/**
 * The batch datagram waiting for its answer: its requests' sequence numbers run one by one
 * from `firstSeq`, and the last one asks for the ACK that settles them all (the kernel answers
 * the others only with an error or a reply). Its requests are found by arithmetic rather than
 * one map entry and object each: a first sync at 50,000 Services sends 700,000 of them.
 */
class BatchInFlight {
  /** The requests that got a message (an error, a reply): a Pending each, made when it came. */
  private readonly heard = new Map<number, BatchMember>();

  constructor(
    private readonly firstSeq: number,
    readonly count: number,
    /** Where the datagram's requests start in `requests` and `outcomes`. */
    private readonly first: number,
    private readonly requests: readonly Request[],
    private readonly outcomes: Outcome[],
    private readonly done: () => void,
  ) {}

  get lastSeq(): number {
    return (this.firstSeq + this.count - 1) >>> 0;
  }

  /** The Pending of the request with sequence `seq`, or undefined when it is not one of this datagram's. */
  memberFor(seq: number): Pending | undefined {
    const index = (seq - this.firstSeq) >>> 0;
    if (index >= this.count) return undefined;
    let member = this.heard.get(index);
    if (member === undefined) {
      member = new BatchMember(this, index, (this.requests[this.first + index] as Request).label);
      this.heard.set(index, member);
    }
    return member;
  }

  /** One request's outcome; the last request's settles every request not settled yet, as succeeded. */
  settle(index: number, outcome: Outcome): void {
    this.outcomes[this.first + index] = outcome;
    if (index === this.count - 1) this.settleRest((i) => success(this.heard.get(i)?.replies ?? NO_REPLIES));
  }

  /** Every request not settled yet fails with `error`. */
  fail(error: NetlinkSocketError | NetlinkDecodeError): void {
    this.settleRest(() => ({ ok: false, error }));
  }

  private settleRest(outcomeOf: (index: number) => Outcome): void {
    for (let i = 0; i < this.count; i++) this.outcomes[this.first + i] ??= outcomeOf(i);
    this.done();
  }
}

/** A request of the batch in flight that got a message. */
class BatchMember implements Pending {
  replies = NO_REPLIES;
  interrupted = false;
  constructor(
    private readonly batch: BatchInFlight,
    private readonly index: number,
    readonly label: RequestLabel,
  ) {}

  settle(outcome: Outcome): void {
    this.batch.settle(this.index, outcome);
  }
}

// 64 KiB datagrams measured as fast as 1 MiB ones for 100,000 IPVS messages in
// UML, and bound the worst case of replies (every message failing) to what a
// 4 MiB receive buffer holds.
const DEFAULT_MAX_DATAGRAM = 64 * 1024;
const DEFAULT_RCVBUF = 4 * 1024 * 1024;
const DEFAULT_SNDBUF = 1024 * 1024;
// Kernel dump datagrams are at most 32 KiB (see native/netlink_socket.c).
const INITIAL_SLOT_BYTES = 64 * 1024;
const DATAGRAMS_PER_RECEIVE = 32;
const DUMP_RETRIES = 5;
const DEFAULT_REPLY_TIMEOUT_MS = 30_000;
// dumpEach's reply buffer: room for one dump of 100,000 services (15 MB), so that a whole-table
// read runs the services dump once (each run of it walks the kernel's whole service table per
// datagram). Its pages are the kernel's only once written; grown when one dump's replies do not
// fit, kept (and so its pages) for the socket's next dumps. At most DUMPS_PER_EXCHANGE dumps per
// addon call: the event loop runs between calls.
const EXCHANGE_BUFFER_BYTES = 16 << 20;
const DUMPS_PER_EXCHANGE = 512;
// The room the addon wants free in its buffer before it sends a request (EXCHANGE_RESERVE there).
const EXCHANGE_RESERVE_BYTES = 64 * 1024;

export class NetlinkSocket {
  readonly counters: SocketCounters = {
    sendCalls: 0,
    messagesSent: 0,
    bytesSent: 0,
    receiveCalls: 0,
    datagramsReceived: 0,
    messagesReceived: 0,
  };
  private readonly pending = new Map<number, Pending>();
  /** The batch datagrams sent and not answered yet (one per batch() running: usually none or one). */
  private readonly inFlight = new Set<BatchInFlight>();
  private readonly writer = new Writer(DEFAULT_MAX_DATAGRAM * 2);
  private readonly maxDatagramBytes: number;
  private readonly replyTimeoutMs: number;
  private readonly dumpBufferBytes: number;
  private seq: number;
  private slotBytes = INITIAL_SLOT_BYTES;
  private watching = false;
  private closed = false;
  /** Only one dump may run on a netlink socket at a time (the kernel says EBUSY). */
  private dumpQueue: Promise<unknown> = Promise.resolve();
  private exchangeBuffer: Buffer | undefined;

  private constructor(
    private readonly addon: NetlinkAddon,
    private readonly handle: NativeSocketHandle,
    readonly protocol: number,
    options: SocketOptions,
  ) {
    this.maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM;
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.dumpBufferBytes = options.dumpBufferBytes ?? EXCHANGE_BUFFER_BYTES;
    // A random start keeps replies meant for an earlier socket with the same
    // port id from matching our requests.
    this.seq = (Math.random() * 0x7fffffff) >>> 0;
  }

  static open(protocol: number, options: SocketOptions = {}): NetlinkSocket {
    const addon = netlinkAddon();
    const handle = nativeCall('open', () =>
      addon.open(protocol, options.receiveBufferBytes ?? DEFAULT_RCVBUF, options.sendBufferBytes ?? DEFAULT_SNDBUF),
    );
    return new NetlinkSocket(addon, handle, protocol, options);
  }

  get portId(): number {
    return nativeCall('portId', () => this.addon.portId(this.handle));
  }

  /** One request, acknowledged: resolves with its replies, rejects with its error. */
  async request(request: Request): Promise<readonly NetlinkMessage[]> {
    const [outcome] = await this.batch([request]);
    if (!outcome) throw new Error('unreachable: a batch of one has one outcome');
    if (!outcome.ok) throw outcome.error;
    return outcome.replies;
  }

  /**
   * Sends many requests in as few datagrams as fit `maxDatagramBytes`, and
   * returns every request's own outcome, in order. A failing request does not
   * stop the others (the kernel carries on with the next message).
   */
  async batch(requests: readonly Request[]): Promise<Outcome[]> {
    this.assertOpen();
    const outcomes = new Array<Outcome>(requests.length);
    let next = 0;
    while (next < requests.length) {
      const first = next;
      let count = 0;
      let lastStart = 0;
      const w = this.writer;
      w.truncate(0);
      const firstSeq = this.nextSeq();
      this.seq = (this.seq - 1) >>> 0;
      while (next < requests.length) {
        // A datagram's sequence numbers do not wrap (nextSeq skips 0): its members are found by subtraction.
        if (count > 0 && this.seq === 0xffffffff) break;
        const request = requests[next] as Request;
        const start = w.length;
        const seq = this.nextSeq();
        writeMessage(w, request, NLM_F_REQUEST | (request.flags ?? 0), seq);
        if (w.length > this.maxDatagramBytes && count > 0) {
          w.truncate(start); // does not fit: it starts the next datagram
          this.seq = (this.seq - 1) >>> 0;
          break;
        }
        lastStart = start;
        count++;
        next++;
      }
      w.setMessageFlags(lastStart, w.messageFlags(lastStart) | NLM_F_ACK);
      const settled = new Promise<void>((resolve) => {
        const batch = new BatchInFlight(firstSeq, count, first, requests, outcomes, () => {
          this.inFlight.delete(batch);
          resolve();
        });
        this.inFlight.add(batch);
      });
      this.send(w.view(), count);
      this.receiveNow();
      await this.untilSettled(settled, (firstSeq + count - 1) >>> 0);
    }
    return outcomes;
  }

  /**
   * A dump (NLM_F_DUMP): all reply messages until NLMSG_DONE. A dump the kernel
   * marks inconsistent (NLM_F_DUMP_INTR: the table changed while it was read)
   * is repeated, so callers always see one consistent snapshot.
   */
  dump(request: Request): Promise<readonly NetlinkMessage[]> {
    const run = this.dumpQueue.then(() => this.dumpWithRetries(request));
    this.dumpQueue = run.catch(() => undefined);
    return run;
  }

  private async dumpWithRetries(request: Request): Promise<readonly NetlinkMessage[]> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.dumpOnce(request);
      if (result.complete) return result.replies;
      if (attempt === DUMP_RETRIES) {
        throw new NetlinkError('EINTR', 4, request.label, `dump changed ${DUMP_RETRIES} times while being read`);
      }
    }
  }

  /**
   * Many dumps run by the addon, a buffer of replies per call, with no JavaScript between them:
   * 16 at a time through io_uring, each on a helper socket of the addon's (one io_uring_enter
   * for the 16), or one after the other on this socket without io_uring (a sendmsg and a
   * recvmmsg a dump). Replies come back in request order either way. Every reply message goes to
   * `onReply` as a range of the shared buffer, so nothing is allocated per message. Resolves
   * with each dump's status, in order (an 'interrupted' one is the caller's to read again);
   * rejects with NetlinkSocketError when the socket fails (ENOBUFS: replies were dropped).
   * Between buffers the event loop runs.
   */
  dumpEach(requests: readonly Request[], onReply: DumpReplyVisitor): Promise<DumpStatus[]> {
    const run = this.dumpQueue.then(() => this.exchangeDumps(requests, onReply));
    this.dumpQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * One dump read as dumpEach reads them (each reply message a range of the shared buffer, its
   * type beside it), read again while the kernel marks it inconsistent, as dump() does; `reset`
   * forgets what an inconsistent read gave. Rejects with the dump's error.
   */
  async dumpRanges(
    request: Request,
    onReply: (source: Buffer, start: number, end: number, type: number) => void,
    reset: () => void,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const [status] = await this.dumpEach([request], (_, source, start, end, type) =>
        onReply(source, start, end, type),
      );
      if (status === 'complete') return;
      if (status !== 'interrupted') throw status;
      if (attempt === DUMP_RETRIES)
        throw new NetlinkError('EINTR', 4, request.label, `dump changed ${DUMP_RETRIES} times while being read`);
      reset();
    }
  }

  private async exchangeDumps(requests: readonly Request[], onReply: DumpReplyVisitor): Promise<DumpStatus[]> {
    this.assertOpen();
    const statuses = new Array<DumpStatus>(requests.length).fill('complete');
    const seqs = new Uint32Array(requests.length);
    const w = new Writer(requests.length * 64 + NLMSG_HDRLEN);
    // Where each request starts in `bytes`, and where the last one ends.
    const starts = new Float64Array(requests.length + 1);
    requests.forEach((request, i) => {
      seqs[i] = this.nextSeq();
      starts[i] = w.length;
      writeMessage(w, request, NLM_F_REQUEST | NLM_F_DUMP | (request.flags ?? 0), seqs[i] as number);
    });
    starts[requests.length] = w.length;
    const bytes = w.view();
    let sent = 0;
    let index = 0;
    while (index < requests.length) {
      this.assertOpen();
      this.exchangeBuffer ??= Buffer.allocUnsafeSlow(this.dumpBufferBytes);
      const out = this.exchangeBuffer;
      const upTo = starts[Math.min(index + DUMPS_PER_EXCHANGE, requests.length)] as number;
      const result = nativeCall('exchange', () =>
        this.addon.exchange(this.handle, bytes.subarray(sent, upTo), out, this.replyTimeoutMs),
      );
      this.counters.sendCalls += result.requests + (result.overflow ? 1 : 0);
      this.counters.messagesSent += result.requests + (result.overflow ? 1 : 0);
      this.counters.bytesSent += result.requestBytes;
      this.counters.receiveCalls += result.receives;
      const next = this.walkExchange(out, result.bytes, index, seqs, statuses, requests, onReply);
      if (next !== index + result.requests) {
        throw new NetlinkDecodeError(
          'nlmsghdr',
          `the addon ended ${result.requests} dumps, their replies ${next - index}`,
        );
      }
      index = next;
      sent += result.requestBytes;
      // That dump's replies were read and dropped: it runs again with room for them (the addon
      // says how much: a 50,000-service table's services dump is 7.5 MB, and growing by doubling
      // ran it four times, each a pass over the kernel's whole service table per datagram).
      if (result.overflow && result.needed + EXCHANGE_RESERVE_BYTES > out.length)
        this.exchangeBuffer = Buffer.allocUnsafeSlow(Math.max(out.length * 2, result.needed + EXCHANGE_RESERVE_BYTES));
      if (index < requests.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return statuses;
  }

  /**
   * Reads the reply messages of dumps `first`.. in out[0, length) (datagrams back to back, each
   * padded to 4 bytes); returns the index of the first dump whose end is not among them.
   * Replies to other requests of this socket (a batch sent meanwhile) go where they belong.
   */
  private walkExchange(
    out: Buffer,
    length: number,
    first: number,
    seqs: Uint32Array,
    statuses: DumpStatus[],
    requests: readonly Request[],
    onReply: DumpReplyVisitor,
  ): number {
    let index = first;
    let interrupted = false;
    for (let at = 0; at < length; ) {
      if (length - at < NLMSG_HDRLEN)
        throw new NetlinkDecodeError('nlmsghdr', `${length - at} trailing bytes, too short for a header`);
      const size = out.readUInt32LE(at);
      if (size < NLMSG_HDRLEN || at + size > length)
        throw new NetlinkDecodeError(
          'nlmsghdr',
          `message length ${size} at offset ${at} of ${length} bytes of replies`,
        );
      const type = out.readUInt16LE(at + 4);
      const flags = out.readUInt16LE(at + 6);
      const seq = out.readUInt32LE(at + 8);
      this.counters.messagesReceived++;
      if (index >= seqs.length || seq !== seqs[index]) {
        this.dispatchMessage(messageAt(out, at, size));
      } else if (type === NLMSG_DONE || type === NLMSG_ERROR) {
        const label = (requests[index] as Request).label;
        const status =
          type === NLMSG_DONE
            ? doneStatus(size >= NLMSG_HDRLEN + 4 ? out.readInt32LE(at + NLMSG_HDRLEN) : 0, label)
            : errorStatus(messageAt(out, at, size), label);
        statuses[index] =
          status === 'complete' && (interrupted || (flags & NLM_F_DUMP_INTR) !== 0) ? 'interrupted' : status;
        interrupted = false;
        index++;
      } else if (type === NLMSG_OVERRUN) {
        statuses[index] = new NetlinkSocketError('EOVERFLOW', 'recvmmsg', 'netlink overrun');
      } else if (type !== NLMSG_NOOP) {
        if (flags & NLM_F_DUMP_INTR) interrupted = true;
        onReply(index, out, at + NLMSG_HDRLEN, at + size, type);
      }
      at += align4(size);
    }
    return index;
  }

  private dumpOnce(request: Request): Promise<{ replies: readonly NetlinkMessage[]; complete: boolean }> {
    this.assertOpen();
    const w = this.writer;
    w.truncate(0);
    const seq = this.nextSeq();
    writeMessage(w, request, NLM_F_REQUEST | NLM_F_DUMP | (request.flags ?? 0), seq);
    const result = new Promise<{ replies: readonly NetlinkMessage[]; complete: boolean }>((resolve, reject) => {
      const pending: Pending = {
        label: request.label,
        replies: NO_REPLIES,
        interrupted: false,
        settle: (outcome) => {
          if (outcome.ok) resolve({ replies: outcome.replies, complete: !pending.interrupted });
          else reject(outcome.error);
        },
      };
      this.pending.set(seq, pending);
    });
    this.send(w.view(), 1);
    this.receiveNow();
    return this.untilSettled(result, seq).then(() => result);
  }

  /**
   * Waits for `settled`, the promise of the request with sequence `seq`. When
   * the kernel answered inside the send (the usual case) no timer is armed;
   * otherwise, past replyTimeoutMs every waiting request fails with ETIMEDOUT,
   * since the socket's exchange can no longer be trusted.
   */
  private async untilSettled(settled: Promise<unknown>, seq: number): Promise<void> {
    if (!this.pending.has(seq) && ![...this.inFlight].some((batch) => batch.lastSeq === seq)) {
      await settled.catch(() => undefined);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.failAll(
          new NetlinkSocketError('ETIMEDOUT', 'recvmmsg', `no reply from the kernel within ${this.replyTimeoutMs} ms`),
        );
        resolve();
      }, this.replyTimeoutMs);
    });
    try {
      await Promise.race([settled.catch(() => undefined), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the socket; requests still waiting fail. A second close throws EBADF. */
  close(): void {
    if (this.closed) throw new NetlinkSocketError('EBADF', 'close', 'netlink socket is already closed');
    this.closed = true;
    this.failAll(new NetlinkSocketError('ECANCELED', 'close', 'netlink socket closed with requests in flight'));
    this.stopWatching();
    nativeCall('close', () => this.addon.close(this.handle));
  }

  private assertOpen(): void {
    if (this.closed) throw new NetlinkSocketError('EBADF', 'send', 'netlink socket is closed');
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1; // seq 0 is what unsolicited messages carry
    return this.seq;
  }

  private send(datagram: Buffer, messages: number): void {
    try {
      nativeCall('sendmsg', () => this.addon.send(this.handle, [datagram]));
    } catch (err) {
      this.failAll(err as NetlinkSocketError);
      return;
    }
    this.counters.sendCalls++;
    this.counters.messagesSent += messages;
    this.counters.bytesSent += datagram.length;
  }

  /**
   * Reads every reply already queued. Generic netlink answers inside sendmsg,
   * so this usually settles a batch without waiting; whatever is still
   * outstanding is picked up when the event loop reports the socket readable.
   */
  private receiveNow(): void {
    while (this.waiting()) {
      let received;
      try {
        received = nativeCall('recvmmsg', () => this.addon.recv(this.handle, DATAGRAMS_PER_RECEIVE, this.slotBytes));
      } catch (err) {
        // ENOBUFS: the kernel dropped replies. We cannot know which requests
        // they answered, so every waiting request fails and callers re-read state.
        this.failAll(err as NetlinkSocketError);
        break;
      }
      this.counters.receiveCalls++;
      if (received.truncated.length > 0) {
        const largest = Math.max(...received.truncated);
        this.slotBytes = Math.max(this.slotBytes * 2, 2 ** Math.ceil(Math.log2(largest)));
        this.failAll(
          new NetlinkSocketError('EMSGSIZE', 'recvmmsg', `a ${largest}-byte reply did not fit the receive buffer`),
        );
        break;
      }
      if (received.datagrams.length === 0) break;
      for (const datagram of received.datagrams) this.dispatch(datagram);
    }
    if (this.waiting()) this.startWatching();
    else this.stopWatching();
  }

  private dispatch(datagram: Buffer): void {
    this.counters.datagramsReceived++;
    let messages: NetlinkMessage[];
    try {
      messages = parseMessages(datagram);
    } catch (err) {
      this.failAll(err as NetlinkDecodeError);
      return;
    }
    for (const msg of messages) {
      this.counters.messagesReceived++;
      this.dispatchMessage(msg);
    }
  }

  private dispatchMessage(msg: NetlinkMessage): void {
    const pending = this.pending.get(msg.seq) ?? this.batchMemberFor(msg.seq);
    if (!pending || msg.type === NLMSG_NOOP) return; // stale or unsolicited
    if (msg.type === NLMSG_ERROR) {
      const status = errorStatus(msg, pending.label);
      this.finish(msg.seq, pending, status === 'complete' ? success(pending.replies) : { ok: false, error: status });
    } else if (msg.type === NLMSG_DONE) {
      if (msg.flags & NLM_F_DUMP_INTR) pending.interrupted = true;
      const status = doneStatus(msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0, pending.label);
      this.finish(msg.seq, pending, status === 'complete' ? success(pending.replies) : { ok: false, error: status });
    } else if (msg.type === NLMSG_OVERRUN) {
      this.finish(msg.seq, pending, {
        ok: false,
        error: new NetlinkSocketError('EOVERFLOW', 'recvmmsg', 'netlink overrun'),
      });
    } else {
      if (msg.flags & NLM_F_DUMP_INTR) pending.interrupted = true;
      if (pending.replies === NO_REPLIES) pending.replies = [msg];
      else pending.replies.push(msg);
    }
  }

  /** Settles one request; the last of a batch datagram also settles the silent successes before it. */
  private finish(seq: number, pending: Pending, outcome: Outcome): void {
    this.pending.delete(seq);
    pending.settle(outcome);
  }

  /** Whether a request waits for an answer. */
  private waiting(): boolean {
    return this.pending.size > 0 || this.inFlight.size > 0;
  }

  private batchMemberFor(seq: number): Pending | undefined {
    for (const batch of this.inFlight) {
      const member = batch.memberFor(seq);
      if (member) return member;
    }
    return undefined;
  }

  /** Fails every waiting request (their promises settle on a later microtask, all together). */
  private failAll(error: NetlinkSocketError | NetlinkDecodeError): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    const batches = [...this.inFlight];
    this.inFlight.clear();
    for (const batch of batches) batch.fail(error);
    // Nothing left to wait for: an idle watch would keep the process alive.
    this.stopWatching();
    for (const p of waiting) p.settle({ ok: false, error });
  }

  private startWatching(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    nativeCall('watch', () =>
      this.addon.watch(this.handle, (error) => {
        if (error !== null) {
          this.failAll(new NetlinkSocketError(error, 'poll', `netlink socket poll failed: ${error}`));
          this.stopWatching();
          return;
        }
        this.receiveNow();
      }),
    );
  }

  private stopWatching(): void {
    if (!this.watching) return;
    this.watching = false;
    nativeCall('unwatch', () => this.addon.unwatch(this.handle));
  }
}

/** An NLMSG_ERROR: 'complete' for an ACK, else the request's error. */
function errorStatus(msg: NetlinkMessage, label: RequestLabel): 'complete' | NetlinkError | NetlinkDecodeError {
  let reply;
  try {
    reply = parseErrorReply(msg);
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return err;
    throw err;
  }
  return reply.errno === 0
    ? 'complete'
    : new NetlinkError(errnoName(reply.errno), reply.errno, label, reply.message, reply.echo);
}

/** An NLMSG_DONE carries the dump's final status as an int: 0, or a negative errno. */
function doneStatus(raw: number, label: RequestLabel): 'complete' | NetlinkError {
  const errno = 0 - raw;
  return errno === 0 ? 'complete' : new NetlinkError(errnoName(errno), errno, label);
}

/** The message at out[at, at + size), as parseMessages would give it. */
function messageAt(out: Buffer, at: number, size: number): NetlinkMessage {
  return {
    type: out.readUInt16LE(at + 4),
    flags: out.readUInt16LE(at + 6),
    seq: out.readUInt32LE(at + 8),
    portId: out.readUInt32LE(at + 12),
    payload: out.subarray(at + NLMSG_HDRLEN, at + size),
  };
}

function writeMessage(w: Writer, request: Request, flags: number, seq: number): void {
  const start = w.beginMessage(request.type, flags, seq);
  request.writePayload(w);
  w.endMessage(start);
}

/** Runs an addon call, turning its errors into NetlinkSocketError. */
function nativeCall<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (isNativeError(err)) throw new NetlinkSocketError(err.code, err.syscall, err.message);
    throw new NetlinkSocketError('EINVAL', what, err instanceof Error ? err.message : String(err));
  }
}
