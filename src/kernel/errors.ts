// Errors of the kernel layer itself, beside the family clients' own (IpvsError,
// IpsetError, RouteError) and the tools' (CommandError): each a kind and one
// sentence a person can act on, rendered once by the caller.

/**
 * Why the kernel layer cannot start: the kernel lacks IPVS or ipset (modules not loaded),
 * or this process may not change the network namespace (no CAP_NET_ADMIN in it).
 */
export type KernelAccessKind = 'ipvs-unavailable' | 'ipset-unavailable' | 'no-net-admin';

const ACCESS_FIX: Record<KernelAccessKind, string> = {
  'ipvs-unavailable':
    "IPVS is not available in this kernel; load it with: modprobe ip_vs (or enable the chart's node-init container)",
  'ipset-unavailable':
    "ipset is not available in this kernel; load it with: modprobe ip_set (or enable the chart's node-init container)",
  'no-net-admin':
    "kipvs needs CAP_NET_ADMIN in the node's network namespace: run it as root or add the NET_ADMIN capability",
};

export class KernelAccessError extends Error {
  override readonly name = 'KernelAccessError';
  readonly userMessage: string;
  constructor(
    readonly kind: KernelAccessKind,
    options?: ErrorOptions,
  ) {
    super(ACCESS_FIX[kind], options);
    this.userMessage = this.message;
  }
}

/**
 * A change the kernel layer could not make through a family client: its address phase
 * needs the link (missing, and not or not successfully created); its conntrack phase needs
 * a conntrack client (none was given), or the client failed the flows (the client's own
 * error is the cause).
 */
export type KernelChangeErrorKind = 'link-missing' | 'no-conntrack-client' | 'conntrack-failed';

export class KernelChangeError extends Error {
  override readonly name = 'KernelChangeError';
  readonly userMessage: string;
  constructor(
    readonly kind: KernelChangeErrorKind,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.userMessage = detail;
  }
}
