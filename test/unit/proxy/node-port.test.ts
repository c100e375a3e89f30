import { describe, expect, it } from '@jest/globals';
import { endpoint, endpointSlice, NODE, NODE_IP, port, service, type Json } from '../../fixtures/proxy/objects.js';
import { chainLines, familyOf, ipsetMembers, run, virtualServerLines, type Scenario } from './summary.js';

const LOCAL_ADDRESSES = [NODE_IP, '10.0.5.1', '127.0.0.1', '2001:db8::5', 'fe80::1'];

function nodePortService(name: string, protocol: string, nodePort: number, spec: Json = {}): Json {
  return service(name, {
    type: 'NodePort',
    clusterIP: '10.96.0.80',
    ports: [port('p', 80, protocol, nodePort)],
    ...spec,
  });
}

const slice = (protocol = 'TCP') =>
  endpointSlice(
    'np',
    [port('p', 8080, protocol)],
    [endpoint('10.244.1.4', { node: NODE }), endpoint('10.244.2.4', { node: 'node-b' })],
  );

function scenario(extra: Partial<Scenario> & { service?: Json; protocol?: string } = {}): Scenario {
  return {
    services: [extra.service ?? nodePortService('np', extra.protocol ?? 'TCP', 30080)],
    slices: [slice(extra.protocol)],
    host: { localAddresses: LOCAL_ADDRESSES, ...extra.host },
    ...(extra.config ? { config: extra.config } : {}),
  };
}

describe('NodePort services', () => {
  it('listen on every non-loopback node address by default, and mark NodePort traffic for masquerading', () => {
    const state = run(scenario());
    expect(virtualServerLines(state)).toEqual([
      'node-port tcp 10.0.5.1:30080 default/np:p -> 10.244.1.4:8080 10.244.2.4:8080',
      'cluster-ip tcp 10.96.0.80:80 default/np:p -> 10.244.1.4:8080 10.244.2.4:8080',
      'node-port tcp 192.168.1.10:30080 default/np:p -> 10.244.1.4:8080 10.244.2.4:8080',
    ]);
    // Node addresses are the node's already: never bound to kube-ipvs0.
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.80']);
    expect(ipsetMembers(state)).toMatchObject({ 'KUBE-NODE-PORT-TCP': ['30080'] });
    expect(chainLines(state, 'nat', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    ]);
  });

  it.each([
    [['192.168.1.0/24'], ['192.168.1.10']],
    [
      ['10.0.0.0/8', '192.168.0.0/16'],
      ['10.0.5.1', '192.168.1.10'],
    ],
    // The zero CIDR means all addresses, whatever else is listed.
    [
      ['10.0.0.0/8', '0.0.0.0/0'],
      ['10.0.5.1', '192.168.1.10'],
    ],
    // Only CIDRs of the other family: all addresses of this one.
    [['2001:db8::/64'], ['10.0.5.1', '192.168.1.10']],
    // "primary": the node IP only.
    [['primary'], ['192.168.1.10']],
    // Loopback never serves NodePorts in IPVS mode.
    [['127.0.0.0/8'], []],
  ])('with nodePortAddresses %j listen on %j', (nodePortAddresses, addresses) => {
    const state = run(scenario({ config: { nodePortAddresses } }));
    const nodePorts = virtualServerLines(state).filter((l) => l.startsWith('node-port'));
    expect(nodePorts.map((l) => l.split(' ')[2]?.split(':')[0])).toEqual(addresses);
  });

  it('take "primary" to mean all addresses when the node has no primary IP', () => {
    const state = run(scenario({ config: { nodePortAddresses: ['primary'] }, host: { nodeIPs: [] } }));
    expect(virtualServerLines(state).filter((l) => l.startsWith('node-port'))).toHaveLength(2);
  });

  it('leave out IPv6 link-local addresses unless a CIDR selects them', () => {
    const v6 = (nodePortAddresses: string[]) =>
      virtualServerLines(
        run({
          services: [
            nodePortService('np', 'TCP', 30080, {
              clusterIP: 'fd00::80',
              clusterIPs: ['fd00::80'],
              ipFamilies: ['IPv6'],
            }),
          ],
          host: { localAddresses: LOCAL_ADDRESSES, nodeIPs: ['2001:db8::5'] },
          config: { ipFamilies: ['IPv6'], nodePortAddresses },
        }),
        'IPv6',
      ).filter((l) => l.startsWith('node-port'));
    expect(v6([])).toEqual(['node-port tcp [2001:db8::5]:30080 default/np:p ->']);
    expect(v6(['fe80::/10'])).toEqual(['node-port tcp [fe80::1]:30080 default/np:p ->']);
  });

  it('keep UDP node ports in their own set', () => {
    const state = run(scenario({ protocol: 'UDP' }));
    expect(ipsetMembers(state)).toMatchObject({ 'KUBE-NODE-PORT-UDP': ['30080'] });
    expect(ipsetMembers(state)['KUBE-NODE-PORT-TCP']).toBeUndefined();
    expect(chainLines(state, 'nat', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -p udp -m comment --comment "Kubernetes nodeport UDP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-UDP dst -j KUBE-MARK-MASQ',
    ]);
  });

  it('keep SCTP node ports per node address, in a hash:ip,port set', () => {
    const state = run(scenario({ protocol: 'SCTP' }));
    expect(ipsetMembers(state)).toMatchObject({
      'KUBE-NODE-PORT-SCTP-HASH': ['10.0.5.1,sctp:30080', '192.168.1.10,sctp:30080'],
    });
    expect(chainLines(state, 'nat', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -p sctp -m comment --comment "Kubernetes nodeport SCTP port for masquerade purpose with type \'hash ip:port\'" -m set --match-set KUBE-NODE-PORT-SCTP-HASH dst,dst -j KUBE-MARK-MASQ',
    ]);
  });

  it('with externalTrafficPolicy Local, send node port traffic to local endpoints only and keep the client address', () => {
    const state = run(scenario({ service: nodePortService('np', 'TCP', 30080, { externalTrafficPolicy: 'Local' }) }));
    expect(virtualServerLines(state)).toEqual([
      'node-port tcp 10.0.5.1:30080 default/np:p -> 10.244.1.4:8080',
      // The cluster IP follows the internal policy: all endpoints.
      'cluster-ip tcp 10.96.0.80:80 default/np:p -> 10.244.1.4:8080 10.244.2.4:8080',
      'node-port tcp 192.168.1.10:30080 default/np:p -> 10.244.1.4:8080',
    ]);
    expect(ipsetMembers(state)).toMatchObject({
      'KUBE-NODE-PORT-TCP': ['30080'],
      'KUBE-NODE-PORT-LOCAL-TCP': ['30080'],
    });
    // Local node ports RETURN before the general rule could mark them.
    expect(chainLines(state, 'nat', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    ]);
  });

  it('with externalTrafficPolicy Local and no local endpoint, fall back to all endpoints as kube-proxy IPVS does', () => {
    const state = run({
      services: [nodePortService('np', 'TCP', 30080, { externalTrafficPolicy: 'Local' })],
      slices: [endpointSlice('np', [port('p', 8080)], [endpoint('10.244.2.4', { node: 'node-b' })])],
      host: { localAddresses: [NODE_IP] },
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.80:80 default/np:p -> 10.244.2.4:8080',
      'node-port tcp 192.168.1.10:30080 default/np:p -> 10.244.2.4:8080',
    ]);
  });

  it('skip node port state when no node address qualifies', () => {
    const state = run(scenario({ config: { nodePortAddresses: ['172.16.0.0/12'] } }));
    expect(virtualServerLines(state).filter((l) => l.startsWith('node-port'))).toEqual([]);
    expect(ipsetMembers(state)['KUBE-NODE-PORT-TCP']).toBeUndefined();
    expect(chainLines(state, 'nat', 'KUBE-NODE-PORT')).toEqual([]);
  });

  it('report nodePortAddresses that are not CIDRs and use the rest', () => {
    const state = run(scenario({ config: { nodePortAddresses: ['192.168.1.0/24', '10.0.5.1'] } }));
    expect(virtualServerLines(state).filter((l) => l.startsWith('node-port'))).toHaveLength(1);
    expect(state.problems).toEqual([
      {
        subject: 'config',
        namespace: '',
        name: '',
        path: 'nodePortAddresses[1]',
        message: '"10.0.5.1" is not a CIDR; ignored',
      },
    ]);
  });
});
