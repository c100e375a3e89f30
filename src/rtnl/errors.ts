// Errors of the link and address client: a kind (the errno name), the
// operation and its target, and one sentence a person can act on. The errno
// meanings are the kernel's: rtnl_newlink / rtnl_dellink / rtnl_getlink
// (net/core/rtnetlink.c), inet_rtm_newaddr / inet_rtm_deladdr
// (net/ipv4/devinet.c), inet6_rtm_newaddr / inet6_rtm_deladdr (net/ipv6/addrconf.c).
import { familyErrors, KernelOperationError } from '../netlink/index.js';
import type { AddressKey, AddressOperation } from './types.js';

/** Every request of the client, described the same way for errors. */
export type RouteRequestKind =
  | { readonly op: 'get-link'; readonly name: string }
  | { readonly op: 'create-link'; readonly name: string; readonly kind: string }
  | { readonly op: 'delete-link'; readonly name: string }
  | { readonly op: 'list-addresses'; readonly linkIndex: number }
  | AddressOperation;

export type RouteOperationName = RouteRequestKind['op'];

/** errno names these requests get; any other errno name may appear too. */
export type RouteErrorCode =
  | 'EEXIST'
  | 'ENODEV'
  | 'EADDRNOTAVAIL'
  | 'EOPNOTSUPP'
  | 'EINVAL'
  | 'EPERM'
  | 'EAFNOSUPPORT'
  | (string & {});

export class RouteError extends KernelOperationError<RouteErrorCode, RouteOperationName> {
  override readonly name: string = 'RouteError';
}

/** The kernel refused because we lack CAP_NET_ADMIN. */
export class RoutePermissionError extends RouteError {
  override readonly name = 'RoutePermissionError';
}

function describeAddress(key: AddressKey): string {
  return `${key.address}/${key.prefixLength} on link ${key.linkIndex}`;
}

export function describeTarget(request: RouteRequestKind): string {
  switch (request.op) {
    case 'get-link':
    case 'create-link':
    case 'delete-link':
      return `link ${request.name}`;
    case 'list-addresses':
      return request.linkIndex === 0 ? 'every link' : `link ${request.linkIndex}`;
    case 'add-address':
    case 'delete-address':
      return describeAddress(request.address);
  }
}

function reasonFor(code: string, request: RouteRequestKind): string {
  switch (code) {
    case 'EEXIST':
      return request.op === 'create-link'
        ? 'a link with this name already exists'
        : 'the address is already on the link';
    case 'ENODEV':
      return 'no such link';
    case 'EADDRNOTAVAIL':
      return 'the address is not on the link';
    case 'EOPNOTSUPP':
      return request.op === 'create-link'
        ? `links of kind '${request.kind}' are not supported by this kernel (is the ${request.kind} module available?)`
        : 'not supported';
    case 'EAFNOSUPPORT':
      return 'address family not supported by this kernel (is IPv6 disabled?)';
    case 'EPERM':
      return 'permission denied: run as root or with CAP_NET_ADMIN';
    case 'EINVAL':
      return 'invalid request';
    case 'ENOBUFS':
      return 'the kernel dropped replies (receive buffer full); re-read the links and addresses to see what was applied';
    default:
      return 'failed';
  }
}

const errors = familyErrors<RouteRequestKind, RouteError>({
  error: RouteError,
  permissionError: RoutePermissionError,
  describeTarget,
  reasonFor,
});

/** A RouteError for a request, from the error the netlink layer reported. */
export const routeErrorFrom = (err: unknown, request: RouteRequestKind): RouteError => errors.from(err, request);

/** A request we refuse to send: a value the wire format cannot carry. */
export const invalidRouteRequest = (request: RouteRequestKind, reason: string, cause?: unknown): RouteError =>
  errors.invalid(request, reason, cause);
