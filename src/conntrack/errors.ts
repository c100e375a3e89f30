// Errors of the conntrack client: a kind (the errno name), the operation and
// its target, and one sentence a person can act on. The errno meanings are the
// kernel's: ctnetlink_get_conntrack, ctnetlink_del_conntrack and
// ctnetlink_alloc_filter (net/netfilter/nf_conntrack_netlink.c), and
// nfnetlink_rcv_msg (net/netfilter/nfnetlink.c), which answers EINVAL for a
// subsystem nobody registered.
import { familyErrors, KernelOperationError } from '../netlink/index.js';
import type { ConntrackDeletion, ConntrackFlow, FlowQuery, FlowTuple } from './types.js';

/** Every request of the client, described the same way for errors. */
export type ConntrackRequestKind =
  | { readonly op: 'open' }
  | ({ readonly op: 'list-flows' } & FlowQuery)
  | { readonly op: 'delete-flow'; readonly flow: ConntrackFlow }
  | { readonly op: 'delete-flows'; readonly deletion: ConntrackDeletion };

export type ConntrackOperationName = ConntrackRequestKind['op'];

/** errno names these requests get; any other errno name may appear too. */
export type ConntrackErrorCode = 'ENOENT' | 'EINVAL' | 'EPERM' | 'EOPNOTSUPP' | 'ENOBUFS' | 'EBADMSG' | (string & {});

export class ConntrackError extends KernelOperationError<ConntrackErrorCode, ConntrackOperationName> {
  override readonly name: string = 'ConntrackError';
}

/** The kernel refused because we lack CAP_NET_ADMIN (nfnetlink checks it for every message). */
export class ConntrackPermissionError extends ConntrackError {
  override readonly name = 'ConntrackPermissionError';
}

const bracket = (family: string, address: string): string => (family === 'inet6' ? `[${address}]` : address);

function describeTuple(family: string, tuple: FlowTuple): string {
  return `${bracket(family, tuple.source)}:${tuple.sourcePort} -> ${bracket(family, tuple.destination)}:${tuple.destinationPort}`;
}

/** A deletion as an operator reads it: "udp 10.96.0.10:53 via 10.244.1.5:53". */
export function describeDeletion(d: ConntrackDeletion): string {
  const via =
    d.replySource === undefined && d.replySourcePort === undefined
      ? ''
      : ` via ${bracket(d.family, d.replySource ?? '*')}:${d.replySourcePort ?? '*'}`;
  return `${d.protocol} ${bracket(d.family, d.destination)}:${d.destinationPort}${via}`;
}

export function describeTarget(request: ConntrackRequestKind): string {
  switch (request.op) {
    case 'open':
      return '';
    case 'list-flows':
      return `${request.protocol} ${request.family}`;
    case 'delete-flow':
      return `${request.flow.protocol} ${describeTuple(request.flow.family, request.flow.original)} (reply from ${bracket(request.flow.family, request.flow.reply.source)}:${request.flow.reply.sourcePort})`;
    case 'delete-flows':
      return describeDeletion(request.deletion);
  }
}

function reasonFor(code: string, request: ConntrackRequestKind): string {
  switch (code) {
    case 'ENOENT':
      return 'no such conntrack entry';
    case 'EINVAL':
      return request.op === 'list-flows' || request.op === 'open'
        ? 'the kernel refused the request (is the nf_conntrack_netlink module loaded?)'
        : 'invalid request';
    case 'EOPNOTSUPP':
      return 'not supported by this kernel';
    case 'EPERM':
      return 'permission denied: run as root or with CAP_NET_ADMIN';
    case 'ENOBUFS':
      return 'the kernel dropped replies (receive buffer full); list the flows again to see what was deleted';
    default:
      return 'failed';
  }
}

const errors = familyErrors<ConntrackRequestKind, ConntrackError>({
  error: ConntrackError,
  permissionError: ConntrackPermissionError,
  describeTarget,
  reasonFor,
});

/** A ConntrackError for a request, from the error the netlink layer reported. */
export const conntrackErrorFrom = (err: unknown, request: ConntrackRequestKind): ConntrackError =>
  errors.from(err, request);

/** A request we refuse to send: a value the wire format cannot carry. */
export const invalidConntrackRequest = (
  request: ConntrackRequestKind,
  reason: string,
  cause?: unknown,
): ConntrackError => errors.invalid(request, reason, cause);
