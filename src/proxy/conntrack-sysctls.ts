// The conntrack sysctls kube-proxy sets at start from its `conntrack` settings
// (cmd/kube-proxy setupConntrack), whatever the proxy mode: the table size
// (maxPerCore × CPUs, at least min; 0 leaves it alone), the TCP established
// and close-wait timeouts, TCP be-liberal, and the UDP timeouts, each only
// when configured above zero. Pure: the CPU count is the caller's.
import type { Sysctl } from '../contracts/desired-state.js';

export interface ConntrackSettings {
  readonly maxPerCore: number;
  readonly min: number;
  /** Seconds; 0 leaves the kernel's value. */
  readonly tcpEstablishedTimeout: number;
  readonly tcpCloseWaitTimeout: number;
  readonly tcpBeLiberal: boolean;
  readonly udpTimeout: number;
  readonly udpStreamTimeout: number;
}

export function conntrackSysctls(settings: ConntrackSettings, cpus: number): Sysctl[] {
  const max = settings.maxPerCore > 0 ? Math.max(settings.maxPerCore * cpus, settings.min) : 0;
  const wanted: [string, number][] = [
    ['net/netfilter/nf_conntrack_max', max],
    ['net/netfilter/nf_conntrack_tcp_timeout_established', settings.tcpEstablishedTimeout],
    ['net/netfilter/nf_conntrack_tcp_timeout_close_wait', settings.tcpCloseWaitTimeout],
    ['net/netfilter/nf_conntrack_tcp_be_liberal', settings.tcpBeLiberal ? 1 : 0],
    ['net/netfilter/nf_conntrack_udp_timeout', settings.udpTimeout],
    ['net/netfilter/nf_conntrack_udp_timeout_stream', settings.udpStreamTimeout],
  ];
  return wanted.filter(([, value]) => value > 0).map(([name, value]) => ({ name, value: Math.trunc(value) }));
}
