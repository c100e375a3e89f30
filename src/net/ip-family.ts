// The two ways an IP family is named here. Kubernetes names it 'IPv4' / 'IPv6' (a Service's
// spec.ipFamilies, a configuration's families): that is what the model speaks. The kernel
// names it by its address family, AF_INET / AF_INET6 (AddressFamily, ip-address.ts): that is
// what the netlink families speak. One conversion joins them.
import type { AddressFamily } from './ip-address.js';

/** Kubernetes' name of an IP family. */
export type IpFamily = 'IPv4' | 'IPv6';

export const IP_FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];

/** The kernel's address family of a Kubernetes IP family. */
export function addressFamilyOf(family: IpFamily): AddressFamily {
  return family === 'IPv4' ? 'inet' : 'inet6';
}
