import { describe, expect, it } from '@jest/globals';
import { conntrackSysctls, type ConntrackSettings } from '../../../src/proxy/conntrack-sysctls.js';

// kube-proxy's defaults: 32768 per core, at least 131072, established 24 h, close-wait 1 h.
const DEFAULTS: ConntrackSettings = {
  maxPerCore: 32768,
  min: 131072,
  tcpEstablishedTimeout: 86400,
  tcpCloseWaitTimeout: 3600,
  tcpBeLiberal: false,
  udpTimeout: 0,
  udpStreamTimeout: 0,
};

describe('conntrackSysctls: what kube-proxy sets at start', () => {
  it('with the defaults: the table size (at least min) and the two TCP timeouts', () => {
    expect(conntrackSysctls(DEFAULTS, 2)).toEqual([
      { name: 'net/netfilter/nf_conntrack_max', value: 131072 },
      { name: 'net/netfilter/nf_conntrack_tcp_timeout_established', value: 86400 },
      { name: 'net/netfilter/nf_conntrack_tcp_timeout_close_wait', value: 3600 },
    ]);
  });

  it('scales the table with the CPUs once above min', () => {
    expect(conntrackSysctls(DEFAULTS, 8)[0]).toEqual({ name: 'net/netfilter/nf_conntrack_max', value: 262144 });
  });

  it('leaves alone what is 0 (maxPerCore 0 keeps the table size whatever min says), and sets be-liberal and the UDP timeouts when asked', () => {
    const names = conntrackSysctls(
      {
        ...DEFAULTS,
        maxPerCore: 0,
        tcpEstablishedTimeout: 0,
        tcpBeLiberal: true,
        udpTimeout: 30,
        udpStreamTimeout: 120,
      },
      4,
    ).map((s) => `${s.name}=${s.value}`);
    expect(names).toEqual([
      'net/netfilter/nf_conntrack_tcp_timeout_close_wait=3600',
      'net/netfilter/nf_conntrack_tcp_be_liberal=1',
      'net/netfilter/nf_conntrack_udp_timeout=30',
      'net/netfilter/nf_conntrack_udp_timeout_stream=120',
    ]);
  });
});
