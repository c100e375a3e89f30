import { describe, expect, it } from '@jest/globals';
import { renderProblem } from '../../../src/proxy/index.js';
import { familyOf, run } from './summary.js';

describe('sysctls', () => {
  const base = [
    { name: 'net/ipv4/ip_forward', value: 1 },
    { name: 'net/ipv4/vs/conntrack', value: 1 },
    { name: 'net/ipv4/vs/expire_nodest_conn', value: 1 },
    { name: 'net/ipv4/vs/expire_quiescent_template', value: 1 },
  ];

  it('are the ones IPVS mode needs, sorted by name', () => {
    expect(run({}).sysctls).toEqual(base);
  });

  it('with strictARP, stop answering ARP for addresses on kube-ipvs0', () => {
    expect(run({ config: { strictARP: true } }).sysctls).toEqual([
      { name: 'net/ipv4/conf/all/arp_announce', value: 2 },
      { name: 'net/ipv4/conf/all/arp_ignore', value: 1 },
      ...base,
    ]);
  });

  it.each([
    ['4.0.9', false],
    ['4.1.0', true],
    ['5.8.18-100-generic', true],
    ['5.9.0', false],
    ['6.8.0-45-generic', false],
    ['unknown', false],
  ])('set conn_reuse_mode 0 on kernel %s: %s', (kernelRelease, set) => {
    const names = run({ host: { kernelRelease } }).sysctls.map((s) => `${s.name}=${s.value}`);
    expect(names.includes('net/ipv4/vs/conn_reuse_mode=0')).toBe(set);
  });
});

describe('node-wide settings', () => {
  it('name the dummy link kube-ipvs0', () => {
    expect(run({}).linkName).toBe('kube-ipvs0');
  });

  it('carry the IPVS timeouts only when one is set', () => {
    expect(run({}).ipvsTimeouts).toBeUndefined();
    expect(run({ config: { ipvsTimeouts: { tcp: 900, tcpFin: 0, udp: 0 } } }).ipvsTimeouts).toEqual({
      tcp: 900,
      tcpFin: 0,
      udp: 0,
    });
  });

  it('hand each family its excludeCIDRs, normalised', () => {
    const state = run({ config: { ipFamilies: ['IPv4', 'IPv6'], excludeCIDRs: ['10.1.2.3/8', '2001:db8::1/64'] } });
    expect(familyOf(state, 'IPv4').excludeCIDRs).toEqual(['10.0.0.0/8']);
    expect(familyOf(state, 'IPv6').excludeCIDRs).toEqual(['2001:db8::/64']);
  });

  it('report unusable settings and host facts, one line each, and go on', () => {
    const state = run({
      config: { excludeCIDRs: ['10.0.0.0/33'], clusterCIDRs: ['pods'] },
      host: { nodeIPs: ['node'], localAddresses: ['192.168.1.10', '192.168.1'] },
    });
    expect(state.problems.map(renderProblem)).toEqual([
      'host nodeIPs[0]: "node" is not an IP address; ignored',
      'host localAddresses[1]: "192.168.1" is not an IP address; ignored',
      'config clusterCIDRs[0]: "pods" is not a CIDR; ignored',
      'config excludeCIDRs[0]: "10.0.0.0/33" is not a CIDR; ignored',
    ]);
    expect(state.families).toHaveLength(1);
  });
});
