// The IPVS table as kipvs models it: what a virtual server and a real server
// are, independent of how netlink encodes them (that is in messages.ts).
// Field meanings follow include/uapi/linux/ip_vs.h.

import type { AddressFamily } from '../net/ip-address.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** Every scheduler the kernel ships (net/netfilter/ipvs/ip_vs_*.c; twos since Linux 6.2). */
export const SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/** A virtual service is identified by address+port+protocol, or by firewall mark. */
export type ServiceKey =
  | { readonly family: AddressFamily; readonly protocol: Protocol; readonly address: string; readonly port: number }
  | { readonly family: AddressFamily; readonly fwmark: number };

export function isFwmarkKey(key: ServiceKey): key is Extract<ServiceKey, { fwmark: number }> {
  return 'fwmark' in key;
}

/**
 * IP_VS_SVC_F_* flags. The three scheduler flags mean what the scheduler says:
 * for sh and mh, sched1 is "fallback" and sched2 is "port".
 */
export interface ServiceFlags {
  readonly persistent: boolean;
  readonly hashed: boolean;
  readonly onePacket: boolean;
  readonly sched1: boolean;
  readonly sched2: boolean;
  readonly sched3: boolean;
}

export interface VirtualServer {
  readonly key: ServiceKey;
  /** Scheduler name as the kernel knows it (usually a SchedulerName). */
  readonly scheduler: string;
  readonly flags: ServiceFlags;
  /** Persistence timeout in seconds (meaningful when flags.persistent). */
  readonly timeout: number;
  /**
   * Persistence granularity. IPv4: the netmask as a 32-bit number
   * (0xffffffff = one client address). IPv6: a prefix length (128).
   */
  readonly netmask: number;
  /** Persistence engine name ("sip"), when one is set. */
  readonly persistenceEngine?: string;
}

/** IP_VS_CONN_F_FWD_MASK values. */
export type ForwardingMethod = 'masquerade' | 'local' | 'tunnel' | 'route' | 'bypass';

/** IP_VS_CONN_F_TUNNEL_TYPE_* for the tunnel forwarding method. */
export type TunnelType = 'ipip' | 'gue' | 'gre';

export interface TunnelOptions {
  readonly type: TunnelType;
  /** UDP destination port of GUE encapsulation (0 for ipip/gre). */
  readonly port: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_*: NOCSUM 0, CSUM 1, REMCSUM 2 (ipvsadm --tun-nocsum/--tun-csum/--tun-remcsum). */
  readonly flags: number;
}

export interface RealServer {
  /** The real server's own address family (may differ from its service's for tunnels). */
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
  readonly forwarding: ForwardingMethod;
  readonly weight: number;
  /** Connection thresholds; 0 means no limit. */
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  readonly tunnel?: TunnelOptions;
}

/** Kernel traffic counters (struct ip_vs_stats64): totals and per-second rates. */
export interface Stats {
  readonly connections: bigint;
  readonly inPackets: bigint;
  readonly outPackets: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly cps: bigint;
  readonly inPps: bigint;
  readonly outPps: bigint;
  readonly inBps: bigint;
  readonly outBps: bigint;
}

/** A virtual server as read back from the kernel; its counters when the read asked for them. */
export interface LiveVirtualServer extends VirtualServer {
  readonly stats?: Stats;
}

/** A real server's connections, as every read of it from the kernel gives them. */
export interface ConnectionCounts {
  readonly activeConnections: number;
  readonly inactiveConnections: number;
  readonly persistentConnections: number;
}

/**
 * A real server in the live state: read back from the kernel (with its connections, and its
 * counters when the read asked for them), or added by kipvs and not read since, without
 * connections (it has none yet). The kept live state holds the desired RealServer objects
 * themselves that way: at 50,000 Services x 10 a copy of each cost 56 MB.
 */
export interface LiveRealServer extends RealServer, Partial<ConnectionCounts> {
  readonly stats?: Stats;
}

/** A real server as a read from the kernel gives it. */
export type ReadRealServer = LiveRealServer & ConnectionCounts;

/** One service with its real servers, as a dump returns it. */
export interface LiveService {
  readonly service: LiveVirtualServer;
  readonly realServers: readonly LiveRealServer[];
}

/** Counters that a read with statistics always gives. */
export interface Counted {
  readonly stats: Stats;
}

/** One service with its real servers and every counter, as a dump with statistics returns it. */
export interface CountedService extends LiveService {
  readonly service: LiveVirtualServer & Counted;
  readonly realServers: readonly (ReadRealServer & Counted)[];
}

/** Global IPVS timeouts in seconds (ipvsadm --set tcp tcpfin udp); 0 = unchanged on set. */
export interface IpvsTimeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface IpvsInfo {
  /** IP_VS_VERSION_CODE, e.g. 0x010201 = 1.2.1 */
  readonly version: number;
  readonly connectionTableSize: number;
}

/** One change to the IPVS table; a batch is a list of these. */
export type IpvsOperation =
  | { readonly op: 'add-service'; readonly service: VirtualServer }
  | { readonly op: 'edit-service'; readonly service: VirtualServer }
  | { readonly op: 'delete-service'; readonly key: ServiceKey }
  | { readonly op: 'add-real-server'; readonly service: ServiceKey; readonly realServer: RealServer }
  | { readonly op: 'edit-real-server'; readonly service: ServiceKey; readonly realServer: RealServer }
  | {
      readonly op: 'delete-real-server';
      readonly service: ServiceKey;
      readonly realServer: Pick<RealServer, 'family' | 'address' | 'port'>;
    }
  | { readonly op: 'flush' }
  | { readonly op: 'zero'; readonly service?: ServiceKey }
  | { readonly op: 'set-timeouts'; readonly timeouts: IpvsTimeouts };
