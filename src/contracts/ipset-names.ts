// The names of kube-proxy's ipsets: the model creates and fills them, the kernel layer reads
// the ones that exist (also the ones a configuration no longer uses, to clean them up), so
// both agree on them here. Operators grep for these names: they are kube-proxy's, word for word.
import type { AddressFamily } from '../net/ip-address.js';
import type { IpFamily } from '../net/ip-family.js';
import type { DesiredState } from './desired-state.js';

/** The IPv4 names; the IPv6 proxier's sets are named by ipsetName. */
export const SET = {
  loopBack: 'KUBE-LOOP-BACK',
  clusterIP: 'KUBE-CLUSTER-IP',
  externalIP: 'KUBE-EXTERNAL-IP',
  externalIPLocal: 'KUBE-EXTERNAL-IP-LOCAL',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  loadBalancerFW: 'KUBE-LOAD-BALANCER-FW',
  loadBalancerLocal: 'KUBE-LOAD-BALANCER-LOCAL',
  loadBalancerSourceIP: 'KUBE-LOAD-BALANCER-SOURCE-IP',
  loadBalancerSourceCIDR: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
  nodePortTCP: 'KUBE-NODE-PORT-TCP',
  nodePortLocalTCP: 'KUBE-NODE-PORT-LOCAL-TCP',
  nodePortUDP: 'KUBE-NODE-PORT-UDP',
  nodePortLocalUDP: 'KUBE-NODE-PORT-LOCAL-UDP',
  nodePortSCTP: 'KUBE-NODE-PORT-SCTP-HASH',
  nodePortLocalSCTP: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
  healthCheckNodePort: 'KUBE-HEALTH-CHECK-NODE-PORT',
  ipvsIPs: 'KUBE-IPVS-IPS',
} as const;

export type SetName = (typeof SET)[keyof typeof SET];

/** The kernel's limit on set names (IPSET_MAXNAMELEN less the NUL). */
const MAX_SET_NAME = 31;

/**
 * The name of a set in `family`. IPv6 sets are "KUBE-6-..." so both families' sets can
 * coexist; a name that grows past 31 characters is cut, as kube-proxy cuts it
 * (KUBE-6-LOAD-BALANCER-SOURCE-CID).
 */
export function ipsetName(name: SetName, family: IpFamily): string {
  return family === 'IPv4' ? name : name.replace(/^KUBE-/, 'KUBE-6-').slice(0, MAX_SET_NAME);
}

/** Every set name kube-proxy's IPVS proxier of this family uses, in its order. */
export function kubeProxySetNames(family: AddressFamily): string[] {
  return Object.values(SET).map((name) => ipsetName(name, family === 'inet' ? 'IPv4' : 'IPv6'));
}

/** The set names of a desired state's families (every set kube-proxy creates, even empty). */
export function desiredSetNames(desired: DesiredState): (family: AddressFamily) => readonly string[] {
  return (family) =>
    desired.families.find((f) => (f.family === 'IPv4' ? 'inet' : 'inet6') === family)?.ipsets.map((set) => set.name) ??
    [];
}
