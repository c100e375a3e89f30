// Links and addresses as kipvs models them, independent of how rtnetlink
// encodes them (attributes.ts, messages.ts). kube-proxy's IPVS mode needs one
// dummy link, kube-ipvs0, holding every service address as a /32 or /128.
import type { AddressFamily } from '../net/ip-address.js';
import type { IF_OPER_STATES } from './constants.js';

/** RFC 2863 operational state (IFLA_OPERSTATE). A dummy link that is down says 'down'. */
export type OperState = (typeof IF_OPER_STATES)[number];

export interface Link {
  /** ifindex: what addresses refer to. */
  readonly index: number;
  readonly name: string;
  /** IFLA_INFO_KIND: "dummy", "veth", ...; absent for links without one (lo, hardware). */
  readonly kind?: string;
  /** IFF_UP: administratively up. kube-proxy leaves kube-ipvs0 down. */
  readonly up: boolean;
  /** ifi_flags as the kernel reports them (IFF_*). */
  readonly flags: number;
  readonly mtu: number;
  readonly txQueueLength: number;
  readonly operState: OperState;
}

/** ifa_scope: the rt_scope_t names `ip` prints, or the number of a user-defined scope. */
export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

/** An address on a link, as read back from the kernel. */
export interface LinkAddress {
  readonly linkIndex: number;
  readonly family: AddressFamily;
  /** The local address (IFA_LOCAL, else IFA_ADDRESS), in inet_ntop form. */
  readonly address: string;
  readonly prefixLength: number;
  readonly scope: AddressScope;
  /** IFA_F_* (IFA_FLAGS when the kernel sends it, else ifa_flags). */
  readonly flags: number;
  /** IFA_LABEL (IPv4 only). */
  readonly label?: string;
}

/** An address to bind or unbind. Its family follows from its text. */
export interface AddressKey {
  readonly linkIndex: number;
  readonly address: string;
  /** kube-proxy binds service addresses as /32 and /128. */
  readonly prefixLength: number;
}

/** One change to the addresses of links; a batch is a list of these. */
export type AddressOperation =
  | { readonly op: 'add-address'; readonly address: AddressKey }
  | { readonly op: 'delete-address'; readonly address: AddressKey };
