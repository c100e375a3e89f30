// Telling traffic from this node's pods apart from the rest (detect-local-mode),
// as iptables matches. kube-proxy's IPVS rules need only the "not local" side:
// traffic to a cluster IP that does not come from a pod is masqueraded.
import type { IpFamily } from '../net/ip-family.js';
import type { DetectLocalMode } from './config.js';
import type { Cidr } from './ip.js';
import type { RuleMatch } from '../contracts/desired-state.js';

export interface LocalDetectorInput {
  readonly mode: DetectLocalMode;
  /** Parsed clusterCIDRs (ClusterCIDR mode). */
  readonly clusterCIDRs: readonly Cidr[];
  /** The Node's spec.podCIDRs (NodeCIDR mode). */
  readonly podCIDRs: readonly Cidr[];
  readonly bridgeInterface: string;
  readonly interfaceNamePrefix: string;
}

/**
 * The match for "not from a local pod" in `family`, or undefined when the mode cannot
 * tell (no CIDR of the family, no interface name): kube-proxy's no-op detector. Only
 * the first CIDR of a family counts, as kube-proxy uses only that one.
 */
export function notLocalMatch(input: LocalDetectorInput, family: IpFamily): RuleMatch | undefined {
  const firstOfFamily = (cidrs: readonly Cidr[]): Cidr | undefined => cidrs.find((c) => c.family === family);
  switch (input.mode) {
    case 'ClusterCIDR':
    case 'NodeCIDR': {
      const cidr = firstOfFamily(input.mode === 'ClusterCIDR' ? input.clusterCIDRs : input.podCIDRs);
      return cidr ? { match: 'source', cidr: cidr.text, negate: true } : undefined;
    }
    case 'BridgeInterface':
      return input.bridgeInterface === ''
        ? undefined
        : { match: 'in-interface', name: input.bridgeInterface, negate: true };
    case 'InterfaceNamePrefix':
      // iptables' interface wildcard: a trailing "+" matches any name with this prefix.
      return input.interfaceNamePrefix === ''
        ? undefined
        : { match: 'in-interface', name: `${input.interfaceNamePrefix}+`, negate: true };
  }
}
