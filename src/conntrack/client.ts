// The conntrack client: a small typed surface over one NETLINK_NETFILTER
// socket, to list UDP and SCTP flows and to delete the ones kube-proxy clears
// when a service address or a real server goes (ConntrackDeletion in
// src/contracts/plan.ts).
//
// A deletion costs one dump per family and protocol involved, however many
// deletions there are, and one IPCTNL_MSG_CT_DELETE per matching entry, packed
// hundreds to a sendmsg by the socket's batch (ctnetlink runs every message of a
// datagram and reports each failure by sequence number).
import {
  NETLINK_NETFILTER,
  NetlinkSocket,
  applyOperations,
  type SocketCounters,
  type SocketOptions,
} from '../netlink/index.js';
import { ConntrackError, conntrackErrorFrom } from './errors.js';
import { groupDeletions, matchFlows, type MatchedFlow } from './matching.js';
import { decodeFlows, deleteRequest, dumpRequest } from './messages.js';
import {
  tallyDeletes,
  type ConntrackDeletionResult,
  type DeletionFailure,
  type FlowDeletionResult,
} from './results.js';
import type { ConntrackDeletion, ConntrackFlow, FlowQuery } from './types.js';

export class ConntrackClient {
  private constructor(private readonly socket: NetlinkSocket) {}

  /** Opens a NETLINK_NETFILTER socket in the caller's network namespace. */
  static open(options: SocketOptions = {}): ConntrackClient {
    try {
      return new ConntrackClient(NetlinkSocket.open(NETLINK_NETFILTER, options));
    } catch (err) {
      throw conntrackErrorFrom(err, { op: 'open' });
    }
  }

  /** Syscalls and messages so far (sendmsg calls, datagrams, ...). */
  get counters(): Readonly<SocketCounters> {
    return this.socket.counters;
  }

  close(): void {
    this.socket.close();
  }

  /** Every entry of one family and protocol (`conntrack -L -f FAMILY -p PROTOCOL`), in the kernel's order. */
  async listFlows(query: FlowQuery): Promise<ConntrackFlow[]> {
    try {
      return decodeFlows(await this.socket.dump(dumpRequest(query)), query);
    } catch (err) {
      throw conntrackErrorFrom(err, { op: 'list-flows', ...query });
    }
  }

  /**
   * Deletes these entries (as listed: each by its original tuple, zone and id),
   * in as few sendmsg calls as fit. An entry already gone counts as `expired`.
   */
  async deleteListedFlows(flows: readonly ConntrackFlow[]): Promise<FlowDeletionResult> {
    const outcomes = await applyOperations({
      socket: this.socket,
      ops: flows,
      requests: flows.map((flow) => {
        try {
          return deleteRequest(flow);
        } catch (err) {
          return conntrackErrorFrom(err, { op: 'delete-flow', flow });
        }
      }),
      isBuildError: (built): built is ConntrackError => built instanceof ConntrackError,
      failure: (error, flow) => conntrackErrorFrom(error, { op: 'delete-flow', flow }),
    });
    return tallyDeletes(outcomes);
  }

  /**
   * Deletes every entry whose original destination is a deletion's destination
   * and, when it names one, whose reply source is its replySource (and port).
   * Failures name the deletion they belong to; they never stop the others.
   */
  async deleteFlows(deletions: readonly ConntrackDeletion[]): Promise<ConntrackDeletionResult> {
    const { groups, invalid } = groupDeletions(deletions);
    const failures: DeletionFailure[] = [...invalid];
    const matched: MatchedFlow[] = [];
    for (const group of groups) {
      let flows: ConntrackFlow[];
      try {
        flows = await this.listFlows(group.query);
      } catch (err) {
        if (!(err instanceof ConntrackError)) throw err;
        for (const matchers of group.byDestination.values())
          for (const m of matchers) failures.push({ deletion: m.deletion, error: err });
        continue;
      }
      matched.push(...matchFlows(group, flows));
    }
    const result = await this.deleteListedFlows(matched.map((m) => m.flow));
    const deletionOf = new Map(matched.map((m) => [m.flow, m.deletion]));
    for (const { flow, error } of result.failures) {
      const deletion = deletionOf.get(flow);
      if (deletion !== undefined) failures.push({ deletion, flow, error });
    }
    return { deleted: result.deleted, expired: result.expired, failures };
  }
}
