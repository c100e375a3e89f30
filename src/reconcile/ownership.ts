// Which live virtual servers kipvs may change or delete. kube-proxy deletes
// every IPVS service of its family outside ipvs.excludeCIDRs that it did not
// program this sync (pkg/proxy/ipvs proxier.go cleanLegacyService), which
// wipes out anything another tool put in the table. kipvs is stricter: an
// address-keyed virtual server is its own only when its address is one kipvs
// serves (bound to kube-ipvs0, wanted there, a NodePort address, or the
// address of a wanted virtual server), and still not inside excludeCIDRs.
// Fwmark virtual servers are never kube-proxy's, so never touched.
import type { LiveFamilyState } from '../contracts/live-state.js';
import type { ServiceKey } from '../ipvs/types.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../proxy/ip.js';
import type { FamilyState } from '../contracts/desired-state.js';

export type OwnershipTest = (key: ServiceKey) => boolean;

export function ownershipTest(desired: FamilyState, live: LiveFamilyState | undefined): OwnershipTest {
  const addresses = new Set<string>([
    ...desired.linkAddresses,
    ...desired.nodePortAddresses,
    ...(live?.linkAddresses.map((a) => a.address) ?? []),
  ]);
  for (const d of desired.virtualServers)
    if ('address' in d.virtualServer.key) addresses.add(d.virtualServer.key.address);
  // The model validated these CIDRs; one that does not parse excludes nothing.
  const excluded = desired.excludeCIDRs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  return (key) => {
    if ('fwmark' in key || !addresses.has(key.address)) return false;
    const ip = parseIp(key.address);
    return ip !== undefined && !excluded.some((cidr) => cidrContains(cidr, ip));
  };
}
