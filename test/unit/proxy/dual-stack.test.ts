import { describe, expect, it } from '@jest/globals';
import {
  endpoint,
  endpointSlice,
  loadBalancerStatus,
  NODE,
  NODE_IP,
  NODE_IP6,
  port,
  service,
} from '../../fixtures/proxy/objects.js';
import { chainLines, familyOf, ipsetMembers, run, virtualServerLines, type Scenario } from './summary.js';

const dual = service(
  'web',
  {
    type: 'LoadBalancer',
    clusterIP: '10.96.0.20',
    clusterIPs: ['10.96.0.20', 'fd00:96::20'],
    ipFamilies: ['IPv4', 'IPv6'],
    ports: [port('http', 80, 'TCP', 30080)],
    loadBalancerSourceRanges: ['198.51.100.0/24', '2001:db8:100::/48'],
    externalIPs: ['203.0.113.20', '2001:db8::20'],
  },
  { status: loadBalancerStatus('203.0.113.10', '2001:db8::10') },
);
const slices = [
  endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.2', { node: NODE })], { name: 'web-v4' }),
  endpointSlice('web', [port('http', 8080)], [endpoint('fd00:244:1::2', { node: NODE })], {
    name: 'web-v6',
    addressType: 'IPv6',
  }),
];
const dualStack: Scenario = {
  services: [dual],
  slices,
  config: { ipFamilies: ['IPv6', 'IPv4'], clusterCIDRs: ['10.244.0.0/16', 'fd00:244::/48'] },
  host: { nodeIPs: [NODE_IP, NODE_IP6], localAddresses: [NODE_IP, NODE_IP6, '127.0.0.1', '::1'] },
};

describe('dual-stack', () => {
  it('compute one state per family, IPv4 first, each with only its own addresses', () => {
    const state = run(dualStack);
    expect(state.families.map((f) => f.family)).toEqual(['IPv4', 'IPv6']);
    expect(virtualServerLines(state, 'IPv4')).toEqual([
      'cluster-ip tcp 10.96.0.20:80 default/web:http -> 10.244.1.2:8080',
      'node-port tcp 192.168.1.10:30080 default/web:http -> 10.244.1.2:8080',
      'load-balancer tcp 203.0.113.10:80 default/web:http -> 10.244.1.2:8080',
      'external-ip tcp 203.0.113.20:80 default/web:http -> 10.244.1.2:8080',
    ]);
    expect(virtualServerLines(state, 'IPv6')).toEqual([
      'load-balancer tcp [2001:db8::10]:80 default/web:http -> [fd00:244:1::2]:8080',
      'external-ip tcp [2001:db8::20]:80 default/web:http -> [fd00:244:1::2]:8080',
      'node-port tcp [fd00:1::10]:30080 default/web:http -> [fd00:244:1::2]:8080',
      'cluster-ip tcp [fd00:96::20]:80 default/web:http -> [fd00:244:1::2]:8080',
    ]);
    expect(familyOf(state, 'IPv6').linkAddresses).toEqual(['2001:db8::10', '2001:db8::20', 'fd00:96::20']);
    const v6 = familyOf(state, 'IPv6').virtualServers[0]?.virtualServer;
    expect([v6?.key.family, v6?.netmask]).toEqual(['inet6', 128]);
  });

  it('name the IPv6 sets KUBE-6-..., cut to the 31 characters ipset allows', () => {
    const state = run(dualStack);
    expect(familyOf(state, 'IPv6').ipsets.map((s) => [s.name, s.family])).toEqual([
      ['KUBE-6-LOOP-BACK', 'inet6'],
      ['KUBE-6-CLUSTER-IP', 'inet6'],
      ['KUBE-6-EXTERNAL-IP', 'inet6'],
      ['KUBE-6-EXTERNAL-IP-LOCAL', 'inet6'],
      ['KUBE-6-LOAD-BALANCER', 'inet6'],
      ['KUBE-6-LOAD-BALANCER-FW', 'inet6'],
      ['KUBE-6-LOAD-BALANCER-LOCAL', 'inet6'],
      ['KUBE-6-LOAD-BALANCER-SOURCE-IP', 'inet6'],
      ['KUBE-6-LOAD-BALANCER-SOURCE-CID', 'inet6'],
      ['KUBE-6-NODE-PORT-TCP', 'inet6'],
      ['KUBE-6-NODE-PORT-LOCAL-TCP', 'inet6'],
      ['KUBE-6-NODE-PORT-UDP', 'inet6'],
      ['KUBE-6-NODE-PORT-LOCAL-UDP', 'inet6'],
      ['KUBE-6-NODE-PORT-SCTP-HASH', 'inet6'],
      ['KUBE-6-NODE-PORT-LOCAL-SCTP-HAS', 'inet6'],
      ['KUBE-6-HEALTH-CHECK-NODE-PORT', 'inet6'],
      ['KUBE-6-IPVS-IPS', 'inet6'],
    ]);
    expect(ipsetMembers(state, 'IPv6')).toEqual({
      'KUBE-6-LOOP-BACK': ['fd00:244:1::2,tcp:8080,fd00:244:1::2'],
      'KUBE-6-CLUSTER-IP': ['fd00:96::20,tcp:80'],
      'KUBE-6-EXTERNAL-IP': ['2001:db8::20,tcp:80'],
      'KUBE-6-LOAD-BALANCER': ['2001:db8::10,tcp:80'],
      'KUBE-6-LOAD-BALANCER-FW': ['2001:db8::10,tcp:80'],
      'KUBE-6-LOAD-BALANCER-SOURCE-CID': ['2001:db8::10,tcp:80,2001:db8:100::/48'],
      'KUBE-6-NODE-PORT-TCP': ['30080'],
      'KUBE-6-IPVS-IPS': ['2001:db8::10', '2001:db8::20', 'fd00:96::20'],
    });
  });

  it('write the IPv6 rules with IPv6 sets, loopback and pod range', () => {
    const state = run(dualStack);
    expect(chainLines(state, 'nat', 'KUBE-SERVICES', 'IPv6').slice(0, 2)).toEqual([
      '-A KUBE-SERVICES -s ::1/128 -j RETURN',
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-6-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER',
    ]);
    expect(chainLines(state, 'nat', 'KUBE-SERVICES', 'IPv6')).toContain(
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-6-CLUSTER-IP dst,dst ! -s fd00:244::/48 -j KUBE-MARK-MASQ',
    );
    expect(chainLines(state, 'filter', 'KUBE-IPVS-OUT-FILTER', 'IPv6')).toEqual([
      '-A KUBE-IPVS-OUT-FILTER -s 2001:db8::10 -m ipvs --vaddr 2001:db8::10 --vproto tcp --vport 80 -j DROP',
    ]);
  });

  it('serve only the configured family of a dual-stack Service on a single-stack node', () => {
    const state = run({ ...dualStack, config: { ipFamilies: ['IPv6'] } });
    expect(state.families.map((f) => f.family)).toEqual(['IPv6']);
    expect(virtualServerLines(state, 'IPv6')).toHaveLength(4);
  });

  it('take a Service without spec.ipFamilies by its cluster IP family', () => {
    const legacy = service('old', { clusterIP: 'fd00:96::30', ports: [port('http', 80)] });
    const state = run({ ...dualStack, services: [legacy] });
    expect(virtualServerLines(state, 'IPv4')).toEqual([]);
    expect(virtualServerLines(state, 'IPv6')).toEqual(['cluster-ip tcp [fd00:96::30]:80 default/old:http ->']);
  });
});
