// Which set names readLiveState looks for: kube-proxy's, or a desired state's.
import { desiredSetNames, kubeProxySetNames } from '../../../src/contracts/ipset-names.js';
import { describe, expect, it } from '@jest/globals';
import { hostFacts, modelConfig, NODE_IP, NODE_IP6 } from '../../fixtures/proxy/objects.js';
import { computeDesiredState } from '../../../src/proxy/index.js';

describe('kubeProxySetNames', () => {
  it("names kube-proxy's 17 sets, KUBE-6- ones cut at 31 characters for IPv6", () => {
    const inet = kubeProxySetNames('inet');
    const inet6 = kubeProxySetNames('inet6');
    expect(inet).toHaveLength(17);
    expect(inet).toContain('KUBE-CLUSTER-IP');
    expect(inet6).toContain('KUBE-6-CLUSTER-IP');
    expect(inet6).toContain('KUBE-6-LOAD-BALANCER-SOURCE-CID');
    expect(inet6.every((name) => name.startsWith('KUBE-6-') && name.length <= 31)).toBe(true);
  });
});

describe('desiredSetNames', () => {
  it('gives each family the names of its desired sets, and none to a family it lacks', () => {
    const desired = computeDesiredState({
      services: [],
      endpointSlices: [],
      config: modelConfig({ ipFamilies: ['IPv4', 'IPv6'] }),
      host: hostFacts({ nodeIPs: [NODE_IP, NODE_IP6] }),
    });
    const names = desiredSetNames(desired);
    expect(names('inet')).toEqual(desired.families[0]?.ipsets.map((set) => set.name));
    expect([...names('inet6')].sort()).toEqual([...kubeProxySetNames('inet6')].sort());
    expect(desiredSetNames({ ...desired, families: desired.families.slice(0, 1) })('inet6')).toEqual([]);
  });
});
