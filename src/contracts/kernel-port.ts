// The kernel as the sync engine (src/sync) sees it: one read of everything a sync may change,
// a read again of some virtual servers' real servers (their connection counts decide a
// drain), and one apply of a plan, with every change's own result. src/kernel implements it
// over netlink and the iptables tools; the engine and the proxier are tested on the host
// against a kernel model behind the same port (test/support/fake-kernel.ts).
import type { IpsetOperation } from '../ipset/types.js';
import type { IpvsOperation, IpvsTimeouts, LiveRealServer, ServiceKey } from '../ipvs/types.js';
import type { AddressFamily } from '../net/ip-address.js';
import type { LiveState } from './live-state.js';
import type { AddressChange, ChangeCause, ConntrackDeletion, IptablesRewrite, Plan } from './plan.js';

/** Netlink traffic, for kipvs_netlink_* metrics: what the kernel's cost follows. */
export interface NetlinkTraffic {
  readonly sendCalls: number;
  readonly messagesSent: number;
}

/** Every kind of change an apply makes, with what it needs to be described. */
export type KernelChange =
  | { readonly kind: 'link'; readonly name: string }
  | { readonly kind: 'ipvs-timeouts'; readonly timeouts: IpvsTimeouts }
  | { readonly kind: 'ipset'; readonly op: IpsetOperation }
  | { readonly kind: 'ipvs'; readonly op: IpvsOperation }
  | { readonly kind: 'address'; readonly op: AddressChange; readonly linkName: string }
  | { readonly kind: 'iptables'; readonly rewrite: IptablesRewrite }
  | { readonly kind: 'conntrack'; readonly deletion: ConntrackDeletion };

/** A change's result; the error is typed by the kernel layer (a family's error, a tool's, its own). */
export type ChangeResult = { readonly ok: true } | { readonly ok: false; readonly error: Error };

export interface AppliedChange {
  readonly change: KernelChange;
  /** One line for the audit trail, in the notation of ipvsadm, ipset and ip. */
  readonly description: string;
  readonly cause: ChangeCause;
  readonly result: ChangeResult;
}

export interface ApplyReport {
  /** Every change of the plan, in the order applied. */
  readonly changes: readonly AppliedChange[];
  readonly failed: number;
  /** The apply's own netlink traffic (reads before it are not counted). */
  readonly netlink: NetlinkTraffic;
  /** kube-ipvs0 as the apply created it, when the plan created it (the kept live state needs its index). */
  readonly createdLink?: { readonly index: number; readonly up: boolean };
}

export interface LiveStateQuery {
  /** In the order the LiveState lists them. */
  readonly families: readonly AddressFamily[];
  /** The set names to look for in each family. */
  readonly setNames: (family: AddressFamily) => readonly string[];
}

export interface KernelPort {
  /** Everything a sync may change (src/contracts/live-state.ts). */
  readLiveState(query: LiveStateQuery): Promise<LiveState>;
  /**
   * The real servers of each service, in the order asked; undefined when one of the services
   * is gone (then whatever the caller kept of the kernel is stale).
   */
  readRealServers(services: readonly ServiceKey[]): Promise<readonly (readonly LiveRealServer[])[] | undefined>;
  /** Applies the plan in its order; a failed change never stops the others. */
  applyPlan(plan: Plan): Promise<ApplyReport>;
  /** The port's netlink traffic so far. */
  readonly traffic: NetlinkTraffic;
}
