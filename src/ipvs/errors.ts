// Errors of the IPVS client: a kind (the errno name), the operation and its
// target, and one sentence a person can act on. What each errno means depends
// on the operation; the meanings below are the kernel's (ip_vs_genl_set_cmd,
// ip_vs_add_service, ip_vs_add_dest, ... in net/netfilter/ipvs/ip_vs_ctl.c).
import { joinHostPort } from '../net/host-port.js';
import { familyErrors, KernelOperationError } from '../netlink/index.js';
import { isFwmarkKey, type IpvsOperation, type RealServer, type ServiceKey } from './types.js';

/** A read of the IPVS table, described the same way as a change. */
export type IpvsQuery =
  | { readonly op: 'list-services' }
  | { readonly op: 'get-service'; readonly key: ServiceKey }
  | { readonly op: 'list-real-servers'; readonly service: ServiceKey }
  | { readonly op: 'get-timeouts' }
  | { readonly op: 'info' };

export type IpvsRequestKind = IpvsOperation | IpvsQuery;
export type IpvsOperationName = IpvsRequestKind['op'];

/** errno names IPVS uses; any other errno name may appear too. */
export type IpvsErrorCode =
  | 'EEXIST'
  | 'ENOENT'
  | 'ESRCH'
  | 'EINVAL'
  | 'ERANGE'
  | 'EPERM'
  | 'EAFNOSUPPORT'
  | 'ENOBUFS'
  | (string & {});

export class IpvsError extends KernelOperationError<IpvsErrorCode, IpvsOperationName> {
  override readonly name: string = 'IpvsError';
}

/** The kernel refused because we lack CAP_NET_ADMIN (IPVS commands are GENL_ADMIN_PERM). */
export class IpvsPermissionError extends IpvsError {
  override readonly name = 'IpvsPermissionError';
}

/** The IPVS generic netlink family is not registered: the ip_vs module is not loaded. */
export class IpvsUnavailableError extends Error {
  override readonly name = 'IpvsUnavailableError';
  readonly userMessage = 'IPVS is not available in this kernel; load it with: modprobe ip_vs';
  constructor(options?: ErrorOptions) {
    super('IPVS is not available in this kernel; load it with: modprobe ip_vs', options);
  }
}

export function describeServiceKey(key: ServiceKey): string {
  if (isFwmarkKey(key)) return `fwmark ${key.fwmark}${key.family === 'inet6' ? ' (IPv6)' : ''}`;
  return `${key.protocol} ${joinHostPort(key.address, key.port)}`;
}

function describeRealServer(service: ServiceKey, rs: Pick<RealServer, 'address' | 'port'>): string {
  return `${describeServiceKey(service)} -> ${joinHostPort(rs.address, rs.port)}`;
}

/** The target of an operation, as error messages name it. */
export function describeTarget(request: IpvsRequestKind): string {
  switch (request.op) {
    case 'add-service':
    case 'edit-service':
      return describeServiceKey(request.service.key);
    case 'delete-service':
    case 'get-service':
      return describeServiceKey(request.key);
    case 'add-real-server':
    case 'edit-real-server':
    case 'delete-real-server':
      return describeRealServer(request.service, request.realServer);
    case 'list-real-servers':
      return describeServiceKey(request.service);
    case 'zero':
      return request.service ? describeServiceKey(request.service) : 'all services';
    case 'set-timeouts': {
      const t = request.timeouts;
      return `tcp ${t.tcp} tcpfin ${t.tcpFin} udp ${t.udp}`;
    }
    case 'flush':
    case 'list-services':
    case 'get-timeouts':
    case 'info':
      return '';
  }
}

/** What an errno means for this operation (ip_vs_ctl.c returns the same errno for different causes). */
function reasonFor(code: string, request: IpvsRequestKind): string {
  const onRealServer =
    request.op === 'add-real-server' || request.op === 'edit-real-server' || request.op === 'delete-real-server';
  switch (code) {
    case 'EEXIST':
      return onRealServer ? 'real server already exists' : 'service already exists';
    case 'ESRCH':
      // Every command but NEW_SERVICE first looks the service up.
      return 'no such service';
    case 'ENOENT':
      if (request.op === 'add-service' || request.op === 'edit-service') {
        const { scheduler, persistenceEngine } = request.service;
        const pe = persistenceEngine ? ` or persistence engine '${persistenceEngine}'` : '';
        return `scheduler '${scheduler}'${pe} not found (is the kernel module ip_vs_${scheduler} available?)`;
      }
      return onRealServer ? 'no such real server' : 'not found';
    case 'ERANGE':
      return onRealServer
        ? 'weight is negative or the lower threshold is above the upper threshold'
        : 'value out of range';
    case 'EINVAL':
      if (onRealServer) {
        return 'invalid real server (an address must be unicast and routable in this network namespace; a GUE tunnel needs a port)';
      }
      if (request.op === 'add-service' || request.op === 'edit-service') {
        return 'invalid service (an IPv6 persistence prefix must be 1-128)';
      }
      return 'invalid argument';
    case 'EPERM':
      return 'permission denied: run as root or with CAP_NET_ADMIN';
    case 'EAFNOSUPPORT':
      return 'address family not supported by this kernel (is IPv6 disabled?)';
    case 'ENOBUFS':
      return 'the kernel dropped replies (receive buffer full); re-read the table to see what was applied';
    default:
      return 'failed';
  }
}

const errors = familyErrors<IpvsRequestKind, IpvsError>({
  error: IpvsError,
  permissionError: IpvsPermissionError,
  describeTarget,
  reasonFor,
});

/** A IpvsError for a request, from the error the netlink layer reported. */
export const ipvsErrorFrom = (err: unknown, request: IpvsRequestKind): IpvsError => errors.from(err, request);

/** A request we refuse to send: a value the wire format cannot carry. */
export const invalidRequest = (request: IpvsRequestKind, reason: string, cause?: unknown): IpvsError =>
  errors.invalid(request, reason, cause);
