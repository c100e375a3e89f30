// What the model needs to know besides the cluster objects: the few settings of
// a KubeProxyConfiguration that change the kernel state, and the facts about
// this host the daemon observes. Both are plain values; src/config validates
// the configuration, the daemon (or `kipvs plan`) gathers the host facts.
import type { IpFamily } from '../net/ip-family.js';
import type { SchedulerFlags } from '../ipvs/scheduler-flags.js';
import type { IpvsTimeouts } from '../ipvs/types.js';

/** kube-proxy's --detect-local-mode values. */
export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

export interface ProxyModelConfig {
  /** This node's name (hostnameOverride, else the host name): endpoints on it are local. */
  readonly nodeName: string;
  /** The families served, one proxier each as kube-proxy runs them: one (single-stack) or both. */
  readonly ipFamilies: readonly IpFamily[];
  /** ipvs.scheduler; empty means kube-proxy's default, "rr". */
  readonly scheduler: string;
  /**
   * ipvs.schedulerFlags (kipvs's own, --ipvs-scheduler-flags): the flags of the node's
   * scheduler; undefined gives kube-proxy's (mh-port for mh, none for the others).
   */
  readonly schedulerFlags?: SchedulerFlags;
  /**
   * The schedulers this node's kernel can run (module loaded, built in or installed), as the
   * daemon found them at start; undefined when unknown (`kipvs plan`): every one is assumed.
   * A Service asking for another keeps the node's scheduler.
   */
  readonly kernelSchedulers?: readonly string[];
  /** ipvs.strictARP: also set arp_ignore=1 and arp_announce=2. */
  readonly strictARP: boolean;
  /** ipvs.excludeCIDRs: IPVS services in these ranges are never removed (kube-proxy leaves them to others). */
  readonly excludeCIDRs: readonly string[];
  /** ipvs.tcpTimeout / tcpFinTimeout / udpTimeout in seconds; 0 keeps the kernel's value. */
  readonly ipvsTimeouts: IpvsTimeouts;
  /** iptables.masqueradeAll: SNAT every packet to a cluster IP. */
  readonly masqueradeAll: boolean;
  /** iptables.masqueradeBit: the fwmark bit that asks KUBE-POSTROUTING to masquerade (default 14). */
  readonly masqueradeBit: number;
  readonly detectLocalMode: DetectLocalMode;
  /** clusterCIDR (comma-separated in v1alpha1) / detectLocal.clusterCIDRs: the pod ranges, at most one per family is used. */
  readonly clusterCIDRs: readonly string[];
  readonly detectLocal: {
    /** detectLocal.bridgeInterface, for BridgeInterface mode. */
    readonly bridgeInterface: string;
    /** detectLocal.interfaceNamePrefix, for InterfaceNamePrefix mode. */
    readonly interfaceNamePrefix: string;
  };
  /** nodePortAddresses: CIDRs selecting the node addresses NodePorts listen on, or ["primary"]; empty = all. */
  readonly nodePortAddresses: readonly string[];
}

/** What the daemon observed on this host; the model never looks itself. */
export interface HostFacts {
  /**
   * The node's primary IPs (at most one per family counts: the first), as kube-proxy
   * detects them from --bind-address or the Node's addresses. They decide `primary`
   * nodePortAddresses and whether the node itself is inside a loadBalancerSourceRanges.
   */
  readonly nodeIPs: readonly string[];
  /** Every address on the host's interfaces except kube-ipvs0: NodePort candidates, never bound to kube-ipvs0. */
  readonly localAddresses: readonly string[];
  /** iptables supports MASQUERADE --random-fully (iptables >= 1.6.2), as kube-proxy probes. */
  readonly iptablesRandomFully: boolean;
  /** The running kernel's release ("6.8.0-45-generic"); decides conn_reuse_mode. Unknown: treated as recent. */
  readonly kernelRelease?: string;
}

/** kube-proxy's scheduler when none is configured. */
export const DEFAULT_SCHEDULER = 'rr';

/** The special nodePortAddresses value meaning "the node's primary IPs". */
export const NODE_PORT_ADDRESSES_PRIMARY = 'primary';
