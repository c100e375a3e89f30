import { describe, expect, it } from '@jest/globals';
import {
  endpoint,
  endpointSlice,
  loadBalancerStatus,
  node,
  NODE,
  port,
  service,
} from '../../fixtures/proxy/objects.js';
import { chainLines, familyOf, ruleLine, run, type Scenario } from './summary.js';

const web = service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)] });
const webSlice = endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.2', { node: NODE })]);
const lb = service(
  'lb',
  { type: 'LoadBalancer', clusterIP: '10.96.0.90', ports: [port('https', 443, 'TCP', 31443)] },
  { status: loadBalancerStatus('203.0.113.10') },
);

function rules(scenario: Scenario, table: 'nat' | 'filter'): string[] {
  return familyOf(run(scenario)).iptables[table].rules.map(ruleLine);
}

describe('iptables', () => {
  it('declare kube-proxy chains and jumps from the built-in chains', () => {
    const { iptables } = familyOf(run({}));
    expect(iptables.nat.chains).toEqual([
      'KUBE-SERVICES',
      'KUBE-POSTROUTING',
      'KUBE-NODE-PORT',
      'KUBE-LOAD-BALANCER',
      'KUBE-MARK-MASQ',
    ]);
    expect(iptables.filter.chains).toEqual([
      'KUBE-FORWARD',
      'KUBE-NODE-PORT',
      'KUBE-PROXY-FIREWALL',
      'KUBE-SOURCE-RANGES-FIREWALL',
      'KUBE-IPVS-FILTER',
      'KUBE-IPVS-OUT-FILTER',
    ]);
    expect(iptables.jumps.map((j) => `${j.table} ${j.chain} -> ${j.target} "${j.comment}"`)).toEqual([
      'nat OUTPUT -> KUBE-SERVICES "kubernetes service portals"',
      'nat PREROUTING -> KUBE-SERVICES "kubernetes service portals"',
      'nat POSTROUTING -> KUBE-POSTROUTING "kubernetes postrouting rules"',
      'filter FORWARD -> KUBE-FORWARD "kubernetes forwarding rules"',
      'filter INPUT -> KUBE-NODE-PORT "kubernetes health check rules"',
      'filter INPUT -> KUBE-PROXY-FIREWALL "kube-proxy firewall rules"',
      'filter FORWARD -> KUBE-PROXY-FIREWALL "kube-proxy firewall rules"',
      'filter INPUT -> KUBE-IPVS-FILTER "kubernetes ipvs access filter"',
      'filter OUTPUT -> KUBE-IPVS-OUT-FILTER "kubernetes ipvs access filter"',
    ]);
  });

  it('write the complete nat and filter rules of a node with a ClusterIP and a LoadBalancer service', () => {
    const scenario = { services: [web, lb], slices: [webSlice] };
    expect(rules(scenario, 'nat')).toEqual([
      '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
      '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      '-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    ]);
    expect(rules(scenario, 'filter')).toEqual([
      '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT',
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN',
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN',
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN',
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN',
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN',
      '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT',
    ]);
  });

  it('write only the set-independent rules when there are no services', () => {
    expect(rules({}, 'nat')).toEqual([
      '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    ]);
  });

  it('use the masquerade bit and leave --random-fully out when iptables lacks it', () => {
    const state = run({ config: { masqueradeBit: 5 }, host: { iptablesRandomFully: false } });
    expect(chainLines(state, 'nat', 'KUBE-POSTROUTING')).toEqual([
      '-A KUBE-POSTROUTING -m mark ! --mark 0x20/0x20 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x20',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    ]);
    expect(chainLines(state, 'nat', 'KUBE-MARK-MASQ')).toEqual(['-A KUBE-MARK-MASQ -j MARK --or-mark 0x20']);
  });

  describe('cluster IP masquerading', () => {
    const set =
      '-m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP';
    const masqueradeRule = (scenario: Scenario): string[] =>
      chainLines(run({ services: [web], ...scenario }), 'nat', 'KUBE-SERVICES').filter((l) =>
        l.includes('KUBE-MARK-MASQ'),
      );

    it.each<[string, Scenario, string]>([
      ['masqueradeAll: everything', { config: { masqueradeAll: true } }, `${set} dst,dst -j KUBE-MARK-MASQ`],
      ['ClusterCIDR: what does not come from the pod range', {}, `${set} dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`],
      [
        'ClusterCIDR: the first range of the family only',
        { config: { clusterCIDRs: ['fd00:10::/64', '10.100.0.0/14', '10.200.0.0/16'] } },
        `${set} dst,dst ! -s 10.100.0.0/14 -j KUBE-MARK-MASQ`,
      ],
      [
        'NodeCIDR: what does not come from the node pod range',
        { config: { detectLocalMode: 'NodeCIDR' }, node: node({}, ['10.244.1.0/24']) },
        `${set} dst,dst ! -s 10.244.1.0/24 -j KUBE-MARK-MASQ`,
      ],
      [
        'BridgeInterface: what does not come in on the bridge',
        {
          config: {
            detectLocalMode: 'BridgeInterface',
            detectLocal: { bridgeInterface: 'cbr0', interfaceNamePrefix: '' },
          },
        },
        `${set} dst,dst ! -i cbr0 -j KUBE-MARK-MASQ`,
      ],
      [
        'InterfaceNamePrefix: what does not come in on a pod interface',
        {
          config: {
            detectLocalMode: 'InterfaceNamePrefix',
            detectLocal: { bridgeInterface: '', interfaceNamePrefix: 'veth' },
          },
        },
        `${set} dst,dst ! -i veth+ -j KUBE-MARK-MASQ`,
      ],
      // No way to tell pods apart: masquerade what the node sends from a service address.
      ['no cluster CIDR', { config: { clusterCIDRs: [] } }, `${set} src,dst -j KUBE-MARK-MASQ`],
      ['NodeCIDR without the Node', { config: { detectLocalMode: 'NodeCIDR' } }, `${set} src,dst -j KUBE-MARK-MASQ`],
    ])('%s', (_what, scenario, rule) => {
      expect(masqueradeRule(scenario)).toEqual([`-A KUBE-SERVICES ${rule}`]);
    });
  });
});
