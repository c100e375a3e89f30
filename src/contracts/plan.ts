// A plan: the changes that make the live kernel state equal to the desired
// one, in the order they must be applied, each with the cause an audit line
// names. The diff (diff.ts) computes it from (desired, live) and nothing else;
// the kernel layer (src/kernel) applies it, one batch per phase.
//
// Phase order keeps traffic flowing: sets and their new members exist before a
// rule matches them; virtual servers and real servers are added before their
// addresses are bound and before stale ones are drained or removed; rules are
// rewritten before the members and sets they no longer use are removed; UDP
// conntrack entries go last, once nothing steers new packets to a removed
// real server.
import type { ConntrackDeletion } from '../conntrack/types.js';
import type { IpsetOperation } from '../ipset/types.js';
import type { IpvsOperation, IpvsTimeouts } from '../ipvs/types.js';
import type { AddressFamily } from '../net/ip-address.js';
import type { ServicePortRef } from './desired-state.js';

/** Why a change is made: the audit line's "caused by". */
export interface ChangeCause {
  /** The Service port whose desired state asks for it; absent for state no Service claims any more. */
  readonly service?: ServicePortRef;
  /**
   * What the change does for it, in a few words an operator reads: "new virtual server",
   * "endpoint added", "endpoint terminating", "endpoint removed", "stale virtual server",
   * "drifted scheduler", ...
   */
  readonly reason: string;
}

export interface PlannedChange<Op> {
  readonly op: Op;
  readonly cause: ChangeCause;
}

/** An address to bind to or unbind from kube-ipvs0 (its index is the applier's business). */
export interface AddressChange {
  readonly op: 'add-address' | 'delete-address';
  readonly address: string;
  /** 32 or 128 for what kipvs binds; the live value for what it unbinds. */
  readonly prefixLength: number;
}

/** UDP or SCTP flows to delete: the conntrack family's own type (src/conntrack/types.ts). */
export type { ConntrackDeletion };

/** One iptables-restore --noflush of one table: kube-proxy's chains of it, whole. */
export interface IptablesRewrite {
  readonly family: AddressFamily;
  readonly table: 'nat' | 'filter';
  /** The iptables-restore input ("*nat", ":CHAIN - [0:0]" lines, "-A"/"-I" lines, "COMMIT"). */
  readonly restore: string;
  readonly cause: ChangeCause;
}

export type PlanPhase =
  | { readonly kind: 'ipset'; readonly changes: readonly PlannedChange<IpsetOperation>[] }
  | { readonly kind: 'ipvs'; readonly changes: readonly PlannedChange<IpvsOperation>[] }
  | { readonly kind: 'address'; readonly changes: readonly PlannedChange<AddressChange>[] }
  | { readonly kind: 'iptables'; readonly rewrites: readonly IptablesRewrite[] }
  | { readonly kind: 'conntrack'; readonly changes: readonly PlannedChange<ConntrackDeletion>[] };

export interface Plan {
  /** kube-ipvs0 is missing and must be created (down, as kube-proxy leaves it) before anything else. */
  readonly createLink: boolean;
  /** Global IPVS timeouts to set, when configured and different from the live ones. */
  readonly ipvsTimeouts?: IpvsTimeouts;
  /** In order; a phase with nothing to do is left out, so an empty list means "in sync". */
  readonly phases: readonly PlanPhase[];
}
