// ipsets as kipvs models them, independent of how nfnetlink encodes them
// (attributes.ts, messages.ts). The set types are those of kube-proxy's IPVS
// proxier (src/proxy/ipsets.ts) and hash:net. Entries have the model's shapes
// (DesiredIpsetEntry in src/contracts/desired-state.ts), so desired entries pass through; a spec
// is the model's DesiredIpset without its description (and without a family for
// bitmap:port).
import type { AddressFamily } from '../net/ip-address.js';

/** The protocols of kube-proxy's entries (ipset takes any IP protocol with ports). */
export type Protocol = 'tcp' | 'udp' | 'sctp';

export const HASH_TYPES = ['hash:ip', 'hash:net', 'hash:ip,port', 'hash:ip,port,ip', 'hash:ip,port,net'] as const;
export type HashType = (typeof HASH_TYPES)[number];
export type IpsetType = HashType | 'bitmap:port';

/** `ipset create` options: a hash's table size and element limit, or a bitmap's port range. */
export type HashOptions = { readonly kind: 'hash'; readonly hashSize: number; readonly maxElem: number };
export type BitmapOptions = { readonly kind: 'bitmap'; readonly portFrom: number; readonly portTo: number };
export type IpsetOptions = HashOptions | BitmapOptions;

/**
 * A set to create. A bitmap:port set stores ports only: it has no family and
 * is created with NFPROTO_UNSPEC, as `ipset create NAME bitmap:port` does, so
 * that iptables and ip6tables rules both match it (ip_set_test).
 */
export type IpsetSpec =
  | {
      readonly name: string;
      readonly type: HashType;
      readonly family: AddressFamily;
      readonly options: HashOptions;
      /** Created with the comment extension (`ipset create ... comment`): entries may carry one. */
      readonly comments?: boolean;
    }
  | {
      readonly name: string;
      readonly type: 'bitmap:port';
      readonly options: BitmapOptions;
      readonly comments?: boolean;
    };

/**
 * One member; its shape says which set types take it (ipset's text for it):
 * hash:ip "10.0.0.1", hash:net "10.0.0.0/8", hash:ip,port "10.0.0.1,tcp:80",
 * hash:ip,port,ip "10.0.0.1,tcp:80,10.0.0.2", hash:ip,port,net
 * "10.0.0.1,tcp:80,10.1.0.0/16", bitmap:port "8080". A comment only in sets
 * created with comments.
 */
export type IpsetEntry = (
  | { readonly ip: string }
  | { readonly net: string }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number; readonly ip2: string }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number; readonly net: string }
  | { readonly port: number }
) & { readonly comment?: string };

/** A set as the kernel describes it (`ipset list -t`): any type, kipvs's or not. */
export interface IpsetHeader {
  readonly name: string;
  /** The type name, e.g. "hash:ip,port" (possibly one kipvs does not model). */
  readonly type: string;
  readonly revision: number;
  /** Absent for sets without a family (bitmap:port). */
  readonly family?: AddressFamily;
  /** hashsize/maxelem or the port range, when the kernel reported them. */
  readonly options?: IpsetOptions;
  readonly comments: boolean;
  /** iptables rules (and list:set sets) using the set: it cannot be destroyed while above 0. */
  readonly references: number;
  readonly memorySize: number;
  readonly entryCount: number;
  /** Hash sets of a type's newest revision: `ipset save` prints them. */
  readonly bucketSize?: number;
  readonly initval?: number;
}

/** A set with its entries, in the kernel's (hash) order. */
export interface LiveIpset {
  readonly header: IpsetHeader;
  readonly entries: readonly IpsetEntry[];
}

/**
 * One change; a batch is a list of these. `exist` is ipset's -exist: no error
 * when an identical set exists (create), the entry is there already (add) or
 * is not there (delete), or there is no such set (destroy). A swap exchanges
 * the two sets' contents and names, so iptables rules (which refer to sets by
 * index) see the other contents at once; a destroy fails (IPSET_ERR_BUSY)
 * while iptables rules use the set.
 */
export type IpsetOperation =
  | { readonly op: 'create-set'; readonly set: IpsetSpec; readonly exist?: boolean }
  | { readonly op: 'add-entry'; readonly set: string; readonly entry: IpsetEntry; readonly exist?: boolean }
  | { readonly op: 'delete-entry'; readonly set: string; readonly entry: IpsetEntry; readonly exist?: boolean }
  | { readonly op: 'flush-set'; readonly set: string }
  | { readonly op: 'swap-sets'; readonly set: string; readonly other: string }
  | { readonly op: 'destroy-set'; readonly set: string; readonly exist?: boolean };

export type EntryOperation = Extract<IpsetOperation, { op: 'add-entry' | 'delete-entry' }>;
export type SetOperation = Exclude<IpsetOperation, EntryOperation>;
