import { describe, expect, it } from '@jest/globals';
import {
  endpoint,
  endpointSlice,
  loadBalancerStatus,
  NODE,
  NODE_IP,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';
import { chainLines, familyOf, ipsetMembers, run, virtualServerLines } from './summary.js';

function lb(spec: Json = {}, ingress: string[] = ['203.0.113.10']): Json {
  return service(
    'lb',
    { type: 'LoadBalancer', clusterIP: '10.96.0.90', ports: [port('https', 443, 'TCP', 31443)], ...spec },
    { status: loadBalancerStatus(...ingress) },
  );
}

const slices = [
  endpointSlice(
    'lb',
    [port('https', 8443)],
    [endpoint('10.244.1.6', { node: NODE }), endpoint('10.244.2.6', { node: 'node-b' })],
  ),
];

describe('LoadBalancer services', () => {
  it('serve and bind each ingress IP, and masquerade load balancer traffic', () => {
    const state = run({ services: [lb()], slices });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.90:443 default/lb:https -> 10.244.1.6:8443 10.244.2.6:8443',
      'node-port tcp 192.168.1.10:31443 default/lb:https -> 10.244.1.6:8443 10.244.2.6:8443',
      'load-balancer tcp 203.0.113.10:443 default/lb:https -> 10.244.1.6:8443 10.244.2.6:8443',
    ]);
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.90', '203.0.113.10']);
    expect(ipsetMembers(state)).toEqual({
      'KUBE-LOOP-BACK': ['10.244.1.6,tcp:8443,10.244.1.6'],
      'KUBE-CLUSTER-IP': ['10.96.0.90,tcp:443'],
      'KUBE-LOAD-BALANCER': ['203.0.113.10,tcp:443'],
      'KUBE-NODE-PORT-TCP': ['31443'],
      'KUBE-IPVS-IPS': ['10.96.0.90', '203.0.113.10'],
    });
    expect(chainLines(state, 'nat', 'KUBE-LOAD-BALANCER')).toEqual(['-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ']);
    expect(chainLines(state, 'filter', 'KUBE-PROXY-FIREWALL')).toEqual([]);
    expect(chainLines(state, 'filter', 'KUBE-SOURCE-RANGES-FIREWALL')).toEqual([
      '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    ]);
  });

  it('firewall loadBalancerSourceRanges, letting the node in when a range holds its IP', () => {
    const state = run({ services: [lb({ loadBalancerSourceRanges: ['198.51.100.0/24', '192.168.1.0/24'] })], slices });
    expect(ipsetMembers(state)).toMatchObject({
      'KUBE-LOAD-BALANCER-FW': ['203.0.113.10,tcp:443'],
      'KUBE-LOAD-BALANCER-SOURCE-CIDR': ['203.0.113.10,tcp:443,192.168.1.0/24', '203.0.113.10,tcp:443,198.51.100.0/24'],
      // The node reaches a local VIP from the VIP itself.
      'KUBE-LOAD-BALANCER-SOURCE-IP': ['203.0.113.10,tcp:443,203.0.113.10'],
    });
    expect(chainLines(state, 'filter', 'KUBE-PROXY-FIREWALL')).toEqual([
      '-A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL',
    ]);
    expect(chainLines(state, 'filter', 'KUBE-SOURCE-RANGES-FIREWALL')).toEqual([
      '-A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN',
      '-A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source IP for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-IP dst,dst,src -j RETURN',
      '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    ]);
    expect(chainLines(state, 'filter', 'KUBE-IPVS-OUT-FILTER')).toEqual([]);
  });

  it('block the node from load balancer IPs whose source ranges leave it out', () => {
    const state = run({
      services: [lb({ loadBalancerSourceRanges: ['198.51.100.0/24'] }, ['203.0.113.11', '203.0.113.10'])],
      slices,
    });
    expect(ipsetMembers(state)['KUBE-LOAD-BALANCER-SOURCE-IP']).toBeUndefined();
    expect(chainLines(state, 'filter', 'KUBE-IPVS-OUT-FILTER')).toEqual([
      '-A KUBE-IPVS-OUT-FILTER -s 203.0.113.10 -m ipvs --vaddr 203.0.113.10 --vproto tcp --vport 443 -j DROP',
      '-A KUBE-IPVS-OUT-FILTER -s 203.0.113.11 -m ipvs --vaddr 203.0.113.11 --vproto tcp --vport 443 -j DROP',
    ]);
  });

  it('take the loopback address as the node IP when the node has none of the family, as kube-proxy does', () => {
    const open = run({ services: [lb({ loadBalancerSourceRanges: ['0.0.0.0/0'] })], slices, host: { nodeIPs: [] } });
    expect(ipsetMembers(open)['KUBE-LOAD-BALANCER-SOURCE-IP']).toEqual(['203.0.113.10,tcp:443,203.0.113.10']);
    const closed = run({
      services: [lb({ loadBalancerSourceRanges: ['192.168.1.0/24'] })],
      slices,
      host: { nodeIPs: [] },
    });
    expect(chainLines(closed, 'filter', 'KUBE-IPVS-OUT-FILTER')).toHaveLength(1);
  });

  it('with externalTrafficPolicy Local, keep client addresses, use local endpoints and publish the health check port', () => {
    const state = run({ services: [lb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 })], slices });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.90:443 default/lb:https -> 10.244.1.6:8443 10.244.2.6:8443',
      'node-port tcp 192.168.1.10:31443 default/lb:https -> 10.244.1.6:8443',
      'load-balancer tcp 203.0.113.10:443 default/lb:https -> 10.244.1.6:8443',
    ]);
    expect(ipsetMembers(state)).toMatchObject({
      'KUBE-LOAD-BALANCER-LOCAL': ['203.0.113.10,tcp:443'],
      'KUBE-NODE-PORT-LOCAL-TCP': ['31443'],
      'KUBE-HEALTH-CHECK-NODE-PORT': ['32000'],
    });
    expect(chainLines(state, 'nat', 'KUBE-LOAD-BALANCER')).toEqual([
      '-A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
    ]);
    expect(chainLines(state, 'filter', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT',
    ]);
  });

  it('has no health check port with the Cluster policy, nor when kube-proxy skips the node port', () => {
    expect(
      ipsetMembers(run({ services: [lb({ healthCheckNodePort: 32000 })], slices }))['KUBE-HEALTH-CHECK-NODE-PORT'],
    ).toBeUndefined();
    // kube-proxy leaves the rest of a port out when no address can serve its node port.
    const noNodePortAddress = run({
      services: [lb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 })],
      slices,
      config: { nodePortAddresses: ['172.16.0.0/12'] },
    });
    expect(ipsetMembers(noNodePortAddress)['KUBE-HEALTH-CHECK-NODE-PORT']).toBeUndefined();
    // Without a node port (allocateLoadBalancerNodePorts: false) the health check port stays.
    const withoutNodePort = run({
      services: [lb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [port('https', 443)] })],
      slices,
      config: { nodePortAddresses: ['172.16.0.0/12'] },
    });
    expect(ipsetMembers(withoutNodePort)['KUBE-HEALTH-CHECK-NODE-PORT']).toEqual(['32000']);
  });

  it('serve an ingress IP that is already the node own without binding it', () => {
    const state = run({ services: [lb({}, [NODE_IP])], slices });
    expect(virtualServerLines(state).filter((l) => l.startsWith('load-balancer'))).toEqual([
      'load-balancer tcp 192.168.1.10:443 default/lb:https -> 10.244.1.6:8443 10.244.2.6:8443',
    ]);
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.90']);
  });

  it('ignore ingress IPs of the other family and of proxy-mode load balancers', () => {
    const proxyMode = service(
      'lb',
      { type: 'LoadBalancer', clusterIP: '10.96.0.90', ports: [port('https', 443)] },
      { status: { loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'Proxy' }, { ip: '2001:db8::10' }] } } },
    );
    expect(virtualServerLines(run({ services: [proxyMode] }))).toEqual([
      'cluster-ip tcp 10.96.0.90:443 default/lb:https ->',
    ]);
  });
});

describe('externalIPs', () => {
  const withExternalIPs = (spec: Json = {}) =>
    service('ext', {
      clusterIP: '10.96.0.95',
      ports: [port('http', 80)],
      externalIPs: ['203.0.113.20', '2001:db8::20'],
      ...spec,
    });
  const extSlices = [
    endpointSlice(
      'ext',
      [port('http', 8080)],
      [endpoint('10.244.1.7', { node: NODE }), endpoint('10.244.2.7', { node: 'node-b' })],
    ),
  ];

  it('serve and bind each external IP of the family, masquerading and accepting outside traffic to it', () => {
    const state = run({ services: [withExternalIPs()], slices: extSlices });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.95:80 default/ext:http -> 10.244.1.7:8080 10.244.2.7:8080',
      'external-ip tcp 203.0.113.20:80 default/ext:http -> 10.244.1.7:8080 10.244.2.7:8080',
    ]);
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.95', '203.0.113.20']);
    expect(ipsetMembers(state)['KUBE-EXTERNAL-IP']).toEqual(['203.0.113.20,tcp:80']);
    const set =
      '-m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst';
    expect(chainLines(state, 'nat', 'KUBE-SERVICES').filter((l) => l.includes('KUBE-EXTERNAL-IP'))).toEqual([
      `-A KUBE-SERVICES ${set} -j KUBE-MARK-MASQ`,
      `-A KUBE-SERVICES ${set} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`,
      `-A KUBE-SERVICES ${set} -m addrtype --dst-type LOCAL -j ACCEPT`,
    ]);
  });

  it('with externalTrafficPolicy Local, use local endpoints and accept without masquerading', () => {
    const state = run({ services: [withExternalIPs({ externalTrafficPolicy: 'Local' })], slices: extSlices });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.95:80 default/ext:http -> 10.244.1.7:8080 10.244.2.7:8080',
      'external-ip tcp 203.0.113.20:80 default/ext:http -> 10.244.1.7:8080',
    ]);
    expect(ipsetMembers(state)['KUBE-EXTERNAL-IP']).toBeUndefined();
    expect(ipsetMembers(state)['KUBE-EXTERNAL-IP-LOCAL']).toEqual(['203.0.113.20,tcp:80']);
    const set =
      '-m comment --comment "Kubernetes service external ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst';
    expect(chainLines(state, 'nat', 'KUBE-SERVICES').filter((l) => l.includes('KUBE-EXTERNAL-IP'))).toEqual([
      `-A KUBE-SERVICES ${set} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`,
      `-A KUBE-SERVICES ${set} -m addrtype --dst-type LOCAL -j ACCEPT`,
    ]);
  });
});
