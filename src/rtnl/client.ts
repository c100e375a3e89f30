// The link and address client: a small typed surface over one NETLINK_ROUTE
// socket, for the kube-ipvs0 dummy link and the service addresses on it.
//
// Address changes go through `apply`: many RTM_NEWADDR/RTM_DELADDR messages
// per sendmsg, one ACK per datagram, each change's own result (rtnetlink runs
// every message of a datagram and reports each failure by sequence number).
import {
  NETLINK_ROUTE,
  NetlinkDecodeError,
  NetlinkError,
  NetlinkSocket,
  applyOperations,
  type NetlinkMessage,
  type OperationOutcome,
  type Request,
  type SocketCounters,
  type SocketOptions,
} from '../netlink/index.js';
import { RouteError, routeErrorFrom, type RouteRequestKind } from './errors.js';
import {
  addressRequests,
  createLinkRequest,
  decodeAddressAt,
  decodeLink,
  deleteLinkRequest,
  getLinkRequest,
  listAddressesRequest,
} from './messages.js';
import type { AddressKey, AddressOperation, Link, LinkAddress } from './types.js';

/** What became of one address change of a batch. */
export type AddressResult = OperationOutcome<AddressOperation, RouteError>;

export class RouteClient {
  private constructor(private readonly socket: NetlinkSocket) {}

  /** Opens a NETLINK_ROUTE socket in the caller's network namespace. */
  static open(options: SocketOptions = {}): RouteClient {
    return new RouteClient(NetlinkSocket.open(NETLINK_ROUTE, options));
  }

  /** Syscalls and messages so far. */
  get counters(): Readonly<SocketCounters> {
    return this.socket.counters;
  }

  close(): void {
    this.socket.close();
  }

  // ---- links ---------------------------------------------------------------

  /** The link with this name, or undefined when there is none (the kernel says ENODEV). */
  async getLink(name: string): Promise<Link | undefined> {
    const request: RouteRequestKind = { op: 'get-link', name };
    let replies: readonly NetlinkMessage[];
    try {
      replies = await this.socket.request(this.build(request, () => getLinkRequest(name)));
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENODEV') return undefined;
      throw routeErrorFrom(err, request);
    }
    const [reply] = replies;
    if (reply === undefined || replies.length !== 1) {
      throw routeErrorFrom(
        new NetlinkDecodeError('RTM_GETLINK reply', `expected one message, got ${replies.length}`),
        request,
      );
    }
    return this.decode(request, () => decodeLink(reply));
  }

  /** Creates a dummy link, down, as kube-proxy creates kube-ipvs0. RouteError EEXIST when the name is taken. */
  async createDummyLink(name: string): Promise<void> {
    const request: RouteRequestKind = { op: 'create-link', name, kind: 'dummy' };
    await this.send(request, () => createLinkRequest(name, 'dummy'));
  }

  /** Deletes a link and, with it, its addresses. RouteError ENODEV when there is none. */
  async deleteLink(name: string): Promise<void> {
    await this.send({ op: 'delete-link', name }, () => deleteLinkRequest(name));
  }

  // ---- addresses -----------------------------------------------------------

  /**
   * The IPv4 and IPv6 addresses of one link, or of every link when `linkIndex` is 0
   * (the host's addresses, which NodePorts may be served on), in the kernel's order.
   */
  async listAddresses(linkIndex: number): Promise<LinkAddress[]> {
    const request: RouteRequestKind = { op: 'list-addresses', linkIndex };
    // Decoded from ranges of the socket's reply buffer: no message object and no Buffer per
    // address (kube-ipvs0 holds one per Service: 50,000 on a whole read).
    const addresses: LinkAddress[] = [];
    try {
      await this.socket.dumpRanges(
        listAddressesRequest(linkIndex),
        (source, start, end, type) => {
          const address = decodeAddressAt(type, source, start, end);
          if (address !== undefined && (linkIndex === 0 || address.linkIndex === linkIndex)) addresses.push(address);
        },
        () => (addresses.length = 0),
      );
    } catch (err) {
      throw routeErrorFrom(err, request);
    }
    return addresses;
  }

  /**
   * Applies the changes in order, in as few sendmsg calls as fit, and returns
   * each one's result. Changes with values the wire cannot carry fail here
   * (EINVAL) without being sent.
   */
  async apply(ops: readonly AddressOperation[]): Promise<AddressResult[]> {
    return applyOperations({
      socket: this.socket,
      ops,
      requests: addressRequests(ops),
      isBuildError: (built): built is RouteError => built instanceof RouteError,
      failure: routeErrorFrom,
    });
  }

  /** Binds one address; RouteError EEXIST when it is already there. */
  addAddress(address: AddressKey): Promise<void> {
    return this.applyOne({ op: 'add-address', address });
  }

  /** Unbinds one address; RouteError EADDRNOTAVAIL when it is not there. */
  deleteAddress(address: AddressKey): Promise<void> {
    return this.applyOne({ op: 'delete-address', address });
  }

  private async applyOne(op: AddressOperation): Promise<void> {
    const [result] = await this.apply([op]);
    if (result && !result.ok) throw result.error;
  }

  private build(request: RouteRequestKind, build: () => Request): Request {
    try {
      return build();
    } catch (err) {
      throw routeErrorFrom(err, request);
    }
  }

  private async send(request: RouteRequestKind, build: () => Request): Promise<void> {
    const message = this.build(request, build);
    try {
      await this.socket.request(message);
    } catch (err) {
      throw routeErrorFrom(err, request);
    }
  }

  private decode<T>(request: RouteRequestKind, decode: () => T): T {
    try {
      return decode();
    } catch (err) {
      throw routeErrorFrom(err, request);
    }
  }
}
