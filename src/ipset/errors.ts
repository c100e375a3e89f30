// Errors of the ipset client: a kind, the operation and its target, and one
// sentence a person can act on. Besides errno, ipset has its own error numbers
// from 4097 (enum ipset_errno in ip_set.h); from 4352 they mean different
// things for hash and bitmap types (ip_set_hash.h, ip_set_bitmap.h), so the
// kind of set decides the name. Meanings are the kernel's (ip_set_core.c and
// the set types), worded like the ipset tool's own messages.
import type { AddressFamily } from '../net/ip-address.js';
import { familyErrors, KernelOperationError, type NetlinkError, errnoName } from '../netlink/index.js';
import * as c from './constants.js';
import type { IpsetEntry, IpsetOperation } from './types.js';

/** A read, described the same way as a change. */
export type IpsetQuery =
  | { readonly op: 'protocol' }
  | { readonly op: 'get-type'; readonly type: string; readonly family: AddressFamily | undefined }
  | { readonly op: 'list-sets' }
  | { readonly op: 'get-set'; readonly set: string };

export type IpsetRequestKind = IpsetOperation | IpsetQuery;
export type IpsetOperationName = IpsetRequestKind['op'];

export type IpsetErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'EINVAL'
  | 'EPERM'
  | (typeof c.IPSET_ERRORS)[number]
  | (typeof c.IPSET_HASH_ERRORS)[number]
  | (typeof c.IPSET_BITMAP_ERRORS)[number]
  | (string & {});

export class IpsetError extends KernelOperationError<IpsetErrorCode, IpsetOperationName> {
  override readonly name: string = 'IpsetError';
}

/** The kernel refused because we lack CAP_NET_ADMIN (nfnetlink checks it for every message). */
export class IpsetPermissionError extends IpsetError {
  override readonly name = 'IpsetPermissionError';
}

/** The kernel has no ipset (the ip_set module is not loaded), or speaks a protocol older than 6. */
export class IpsetUnavailableError extends Error {
  override readonly name = 'IpsetUnavailableError';
  constructor(
    readonly userMessage: string,
    options?: ErrorOptions,
  ) {
    super(userMessage, options);
  }
}

/** An entry as the ipset tool writes it: "10.0.0.1,tcp:80,10.1.0.0/16". */
export function describeEntry(entry: IpsetEntry): string {
  if (!('ip' in entry)) return 'net' in entry ? entry.net : String(entry.port);
  if (!('protocol' in entry)) return entry.ip;
  const base = `${entry.ip},${entry.protocol}:${entry.port}`;
  if ('ip2' in entry) return `${base},${entry.ip2}`;
  if ('net' in entry) return `${base},${entry.net}`;
  return base;
}

export function describeTarget(request: IpsetRequestKind): string {
  switch (request.op) {
    case 'create-set':
      return `${request.set.name} ${request.set.type}`;
    case 'add-entry':
    case 'delete-entry':
      return `${describeEntry(request.entry)} in ${request.set}`;
    case 'flush-set':
    case 'destroy-set':
    case 'get-set':
      return request.set;
    case 'swap-sets':
      return `${request.set} ${request.other}`;
    case 'get-type':
      return request.type;
    case 'protocol':
    case 'list-sets':
      return '';
  }
}

/** Whether type-specific error numbers are the hash or the bitmap ones, when the request tells. */
function setKind(request: IpsetRequestKind): 'hash' | 'bitmap' | undefined {
  switch (request.op) {
    case 'create-set':
      return request.set.type === 'bitmap:port' ? 'bitmap' : 'hash';
    case 'add-entry':
    case 'delete-entry':
      // Only bitmap:port entries are a port alone.
      return 'ip' in request.entry || 'net' in request.entry ? 'hash' : 'bitmap';
    default:
      return undefined;
  }
}

/** The name of an error number: errno's, ipset's own, or the set type's. */
export function ipsetErrorCode(errno: number, request: IpsetRequestKind): IpsetErrorCode {
  if (errno > c.IPSET_ERR_PRIVATE && errno < c.IPSET_ERR_TYPE_SPECIFIC) {
    return c.IPSET_ERRORS[errno - c.IPSET_ERR_PRIVATE - 1] ?? `IPSET_ERR_${errno}`;
  }
  if (errno >= c.IPSET_ERR_TYPE_SPECIFIC) {
    const kind = setKind(request);
    const names = kind === 'hash' ? c.IPSET_HASH_ERRORS : kind === 'bitmap' ? c.IPSET_BITMAP_ERRORS : [];
    return names[errno - c.IPSET_ERR_TYPE_SPECIFIC] ?? `IPSET_ERR_${errno}`;
  }
  return errnoName(errno);
}

/** ipset's module for a type: hash:ip,port is ip_set_hash_ipport. */
function moduleOf(type: string): string {
  return `ip_set_${type.replace(':', '_').replaceAll(',', '')}`;
}

function reasonFor(code: IpsetErrorCode, request: IpsetRequestKind): string {
  switch (code) {
    case 'ENOENT':
      return request.op === 'swap-sets' ? `the set ${request.set} does not exist` : 'the set does not exist';
    case 'EEXIST':
      return request.op === 'create-set' && request.exist
        ? 'a set with this name but other parameters exists'
        : 'a set with this name already exists';
    case 'IPSET_ERR_EXIST':
      return request.op === 'delete-entry' ? 'the entry is not in the set' : 'the entry is already in the set';
    case 'IPSET_ERR_EXIST_SETNAME2':
      return request.op === 'swap-sets' ? `the set ${request.other} does not exist` : 'the second set name is taken';
    case 'IPSET_ERR_TYPE_MISMATCH':
      return 'the sets differ in type or family and cannot be swapped';
    case 'IPSET_ERR_BUSY':
      return 'the set is in use by the kernel (an iptables rule or a list:set set references it)';
    case 'IPSET_ERR_REFERENCED':
      return 'the set is referenced by the kernel';
    case 'IPSET_ERR_FIND_TYPE': {
      const type =
        request.op === 'create-set' ? request.set.type : request.op === 'get-type' ? request.type : 'this type';
      return `the kernel has no set type ${type} (is the ${moduleOf(type)} module available?)`;
    }
    case 'IPSET_ERR_PROTOCOL':
      // The set types check an entry's attributes before its family: an IPv6
      // address for an IPv4 set (or an entry of another type's shape) is one too.
      return request.op === 'add-entry' || request.op === 'delete-entry'
        ? "the kernel refused the entry as malformed (is it of the set's family and type?)"
        : 'the kernel refused the message (ipset protocol error): kipvs and this kernel disagree on its format';
    case 'IPSET_ERR_MAX_SETS':
      return 'the kernel holds as many sets as it can';
    case 'IPSET_ERR_INVALID_CIDR':
      return 'the prefix length is not valid for this set (hash:net and hash:ip,port,net refuse /0)';
    case 'IPSET_ERR_INVALID_FAMILY':
      return 'the address family does not match the set';
    case 'IPSET_ERR_IPADDR_IPV4':
      return 'the set takes IPv4 addresses';
    case 'IPSET_ERR_IPADDR_IPV6':
      return 'the set takes IPv6 addresses';
    case 'IPSET_ERR_COMMENT':
      return 'the set was created without comments';
    case 'IPSET_ERR_HASH_FULL':
      return 'the set is full (maxelem)';
    case 'IPSET_ERR_HASH_ELEM':
      return 'an all-zero entry cannot be stored';
    case 'IPSET_ERR_INVALID_PROTO':
    case 'IPSET_ERR_MISSING_PROTO':
      return 'the entry needs a valid protocol';
    case 'IPSET_ERR_BITMAP_RANGE':
      return "the port is outside the set's range";
    case 'IPSET_ERR_BITMAP_RANGE_SIZE':
      return 'the port range is too large';
    case 'EPERM':
      return 'permission denied: run as root or with CAP_NET_ADMIN';
    case 'ENOBUFS':
      return 'the kernel dropped replies (receive buffer full); re-read the sets to see what was applied';
    default:
      return 'failed';
  }
}

const errors = familyErrors<IpsetRequestKind, IpsetError>({
  error: IpsetError,
  permissionError: IpsetPermissionError,
  describeTarget,
  reasonFor,
  codeOf: (err: NetlinkError, request: IpsetRequestKind) => ipsetErrorCode(err.errno, request),
});

/** A IpsetError for a request, from the error the netlink layer reported. */
export const ipsetErrorFrom = (err: unknown, request: IpsetRequestKind): IpsetError => errors.from(err, request);

/** A request we refuse to send: a value the wire format cannot carry. */
export const invalidIpsetRequest = (request: IpsetRequestKind, reason: string, cause?: unknown): IpsetError =>
  errors.invalid(request, reason, cause);
