// The desired kernel state: what kube-proxy's IPVS mode would leave on this
// node, as plain sorted data a diff can compare with the live state. Names are
// kube-proxy's (KUBE-CLUSTER-IP, KUBE-SERVICES, kube-ipvs0, ...).
import type { IpFamily } from '../net/ip-family.js';
import type { AddressFamily } from '../net/ip-address.js';
import type { IpvsTimeouts, Protocol, RealServer, VirtualServer } from '../ipvs/types.js';

/** Which Service port a virtual server implements: for audit lines and `kipvs dump --services`. */
export interface ServicePortRef {
  readonly namespace: string;
  readonly name: string;
  /** The port's name ("" for a single unnamed port). */
  readonly port: string;
  readonly protocol: Protocol;
}

/** How the virtual server's address was reached. */
export type VirtualServerRole = 'cluster-ip' | 'external-ip' | 'load-balancer' | 'node-port';

export interface DesiredVirtualServer {
  /**
   * The service as requested. `flags.hashed` is false: the kernel sets IP_VS_SVC_F_HASHED
   * itself on every service, so a diff must ignore that bit of the live flags.
   */
  readonly virtualServer: VirtualServer;
  /**
   * The real servers that should receive new connections, all at weight 1 as kube-proxy
   * programs them. Graceful termination is the reconciler's job: a live real server
   * missing here is set to weight 0 and deleted once it has no connections (TCP) or at
   * once (UDP, SCTP), as kube-proxy's graceful termination manager does.
   */
  readonly realServers: readonly RealServer[];
  readonly service: ServicePortRef;
  readonly role: VirtualServerRole;
}

export type DesiredIpsetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

/** One member, shaped by its set's type (ipset's own text form is formatIpSetEntry). */
export type DesiredIpsetEntry =
  | { readonly ip: string }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number; readonly ip2: string }
  | { readonly ip: string; readonly protocol: Protocol; readonly port: number; readonly net: string }
  | { readonly port: number };

/** `ipset create` parameters kube-proxy uses. */
export type DesiredIpsetOptions =
  | { readonly kind: 'hash'; readonly hashSize: number; readonly maxElem: number }
  | { readonly kind: 'bitmap'; readonly portFrom: number; readonly portTo: number };

export interface DesiredIpset {
  readonly name: string;
  readonly type: DesiredIpsetType;
  /** The family of the proxier that owns the set (bitmap:port sets store no address). */
  readonly family: AddressFamily;
  /** kube-proxy's description, also the comment of the iptables rules that match the set. */
  readonly comment: string;
  readonly options: DesiredIpsetOptions;
  /** Sorted. */
  readonly entries: readonly DesiredIpsetEntry[];
}

export type ConntrackState = 'NEW' | 'RELATED' | 'ESTABLISHED';

/** One match of an iptables rule, in the order kube-proxy writes them. */
export type RuleMatch =
  /** `[!] -s CIDR` */
  | { readonly match: 'source'; readonly cidr: string; readonly negate: boolean }
  /** `[!] -i NAME` (NAME may end in "+", a prefix) */
  | { readonly match: 'in-interface'; readonly name: string; readonly negate: boolean }
  /** `-p PROTO` */
  | { readonly match: 'protocol'; readonly protocol: Protocol }
  /** `-m comment --comment "TEXT"` */
  | { readonly match: 'comment'; readonly comment: string }
  /** `-m set --match-set NAME dst,dst,src` */
  | { readonly match: 'set'; readonly set: string; readonly directions: readonly ('src' | 'dst')[] }
  /** `-m addrtype [!] --src-type LOCAL` / `--dst-type LOCAL` */
  | {
      readonly match: 'addrtype';
      readonly direction: 'src' | 'dst';
      readonly addressType: 'LOCAL';
      readonly negate: boolean;
    }
  /** `-m physdev ! --physdev-is-in` */
  | { readonly match: 'physdev-is-in'; readonly negate: boolean }
  /** `-m mark [!] --mark VALUE/MASK` */
  | { readonly match: 'mark'; readonly value: number; readonly mask: number; readonly negate: boolean }
  /** `-m conntrack --ctstate A,B` */
  | { readonly match: 'conntrack'; readonly states: readonly ConntrackState[] }
  /** `-m ipvs --vaddr IP --vproto PROTO --vport PORT` */
  | { readonly match: 'ipvs'; readonly vaddr: string; readonly vproto: Protocol; readonly vport: number };

export type RuleTarget =
  /** `-j CHAIN`, one of kube-proxy's chains */
  | { readonly target: 'jump'; readonly chain: string }
  | { readonly target: 'ACCEPT' | 'RETURN' | 'DROP' | 'REJECT' }
  /** `-j MASQUERADE [--random-fully]` */
  | { readonly target: 'MASQUERADE'; readonly randomFully: boolean }
  /** `-j MARK --or-mark V` / `--xor-mark V` */
  | { readonly target: 'MARK'; readonly op: 'or' | 'xor'; readonly value: number };

export interface IptablesRule {
  readonly chain: string;
  readonly matches: readonly RuleMatch[];
  readonly target: RuleTarget;
}

export interface IptablesTable {
  /** kube-proxy's chains in this table, in declaration order; each is flushed and rewritten whole. */
  readonly chains: readonly string[];
  /** Every rule of those chains, in order (`-A CHAIN ...`). */
  readonly rules: readonly IptablesRule[];
}

/**
 * A rule in a built-in chain jumping to one of kube-proxy's. kube-proxy ensures each
 * exists (anywhere in the chain) and otherwise inserts it first; chains it does not own
 * are never flushed.
 */
export interface BuiltinJump {
  readonly table: 'nat' | 'filter';
  readonly chain: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
  readonly target: string;
  readonly comment: string;
}

export interface IptablesState {
  readonly jumps: readonly BuiltinJump[];
  readonly nat: IptablesTable;
  readonly filter: IptablesTable;
}

/** The state one proxier (one IP family) owns: iptables or ip6tables, KUBE- or KUBE-6- sets. */
export interface FamilyState {
  readonly family: IpFamily;
  /** Sorted by address, port, protocol. */
  readonly virtualServers: readonly DesiredVirtualServer[];
  /** Addresses of this family on kube-ipvs0, sorted. Each is a /32 or /128. */
  readonly linkAddresses: readonly string[];
  /**
   * The host addresses NodePorts are served on (nodePortAddresses applied), sorted. With the
   * link addresses they are the addresses whose virtual servers kipvs owns: a live virtual
   * server on any other address is someone else's and left alone.
   */
  readonly nodePortAddresses: readonly string[];
  /** Every set kube-proxy creates, in its order, even when empty. */
  readonly ipsets: readonly DesiredIpset[];
  readonly iptables: IptablesState;
  /** ipvs.excludeCIDRs of this family: live virtual servers inside them belong to someone else. */
  readonly excludeCIDRs: readonly string[];
  /**
   * Service ports with a Local traffic policy and no endpoint on this node, by policy: what
   * kube-proxy reports as kubeproxy_sync_proxy_rules_no_local_endpoints_total.
   */
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
}

/** A value written under /proc/sys (path with slashes, as kube-proxy names them). */
export interface Sysctl {
  readonly name: string;
  readonly value: number;
}

export type ProblemSubject = 'Service' | 'EndpointSlice' | 'Node' | 'config' | 'host';

/**
 * Why, in the CamelCase of a Kubernetes Event's reason, for the problems the daemon also
 * records as a Warning Event on their object and counts in a metric.
 */
export type ProblemReason = 'InvalidIPVSScheduler' | 'IPVSSchedulerAnnotationIgnored';

/** Something skipped, with why; the model never throws on bad input. */
export interface Problem {
  readonly subject: ProblemSubject;
  /** "" for cluster-scoped objects, the config and the host facts. */
  readonly namespace: string;
  /** The object's name; "" for the config and the host facts. */
  readonly name: string;
  /** Where inside the object or value ("spec.ports[1].port", "excludeCIDRs[0]"), "" for all of it. */
  readonly path: string;
  readonly message: string;
  /** Set on the problems that become an Event on their object. */
  readonly reason?: ProblemReason;
  /** The object's metadata.uid when known: an Event names it (kubectl describe matches on it). */
  readonly uid?: string;
}

export interface DesiredState {
  /** The dummy link the service addresses are bound to. */
  readonly linkName: string;
  /** One per configured family, IPv4 first. */
  readonly families: readonly FamilyState[];
  /** Sorted by name. */
  readonly sysctls: readonly Sysctl[];
  /** Global IPVS timeouts (`ipvsadm --set`), when any is configured; 0 keeps the kernel's value. */
  readonly ipvsTimeouts?: IpvsTimeouts;
  /**
   * What was skipped: the objects' problems (in input order; the daemon's, by kind then
   * namespace/name), the configuration's and the host's, then each family's conflicts in claim order.
   */
  readonly problems: readonly Problem[];
}

/**
 * What changed in one family's desired state since the state `since`, as the incremental
 * model (incremental-model.ts) knows it without comparing: the diff since the previous
 * desired state (src/reconcile/family-diff.ts) looks at these virtual servers only. Valid
 * until the model's next build.
 */
export interface DesiredFamilyChanges {
  /** The family state these changes lead from; the diff uses them only against that very object. */
  readonly since: FamilyState;
  /** A virtual server was added or removed: which live ones kipvs owns may change too. */
  readonly keysChanged: boolean;
  /** The virtual servers that are new objects (their content or their winning Service changed). */
  readonly changed: readonly DesiredVirtualServer[];
  /** The desired virtual server on an address, protocol and port, if any. */
  readonly at: (address: string, protocol: Protocol, port: number) => DesiredVirtualServer | undefined;
}
