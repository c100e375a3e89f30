// The live kernel state kipvs compares with the desired state: one read of
// everything a sync may change, shaped like DesiredState (src/contracts/desired-state.ts)
// so that the diff (src/reconcile) is a pure function of the two. Only what
// kube-proxy's IPVS mode could own is read: every IPVS virtual server of the
// family (the diff decides which are ours), the addresses on kube-ipvs0,
// kube-proxy's ipsets, and the nat and filter tables as iptables-save prints them.
import type { LiveIpset } from '../ipset/types.js';
import type { IpvsTimeouts, LiveService } from '../ipvs/types.js';
import type { AddressFamily } from '../net/ip-address.js';

/** One table as `iptables-save -t TABLE` prints it. */
export interface LiveIptablesTable {
  /**
   * Every chain of the table, built-in and user-defined, in iptables-save's order, each with
   * its rules as iptables-save prints them ("-A KUBE-SERVICES -m set ... -j ACCEPT"), in order.
   */
  readonly chains: ReadonlyMap<string, readonly string[]>;
}

export interface LiveFamilyState {
  readonly family: AddressFamily;
  /** Every virtual server of this family (address or fwmark), each with its real servers. */
  readonly virtualServers: readonly LiveService[];
  /** The addresses of this family on kube-ipvs0, in inet_ntop form (any prefix length). */
  readonly linkAddresses: readonly { readonly address: string; readonly prefixLength: number }[];
  /** The sets with kube-proxy's names for this family that exist, with their entries. */
  readonly ipsets: readonly LiveIpset[];
  readonly iptables: { readonly nat: LiveIptablesTable; readonly filter: LiveIptablesTable };
}

export interface LiveState {
  /** kube-ipvs0, when it exists. */
  readonly link?: { readonly index: number; readonly up: boolean };
  /** In the order of the families asked for. */
  readonly families: readonly LiveFamilyState[];
  readonly ipvsTimeouts: IpvsTimeouts;
}
