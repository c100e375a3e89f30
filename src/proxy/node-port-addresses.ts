// The node addresses NodePort virtual servers listen on, selected by the
// nodePortAddresses setting as kube-proxy's IPVS proxier selects them.
import type { IpFamily } from '../net/ip-family.js';
import { NODE_PORT_ADDRESSES_PRIMARY } from './config.js';
import {
  cidrContains,
  compareIps,
  isLinkLocalUnicast,
  isLoopback,
  isZeroCidr,
  type Cidr,
  type IpAddress,
} from './ip.js';

/**
 * nodePortAddresses with the single value "primary" replaced by the node's primary IPs of
 * both families as /32 and /128 (loopback ones left out), as kube-proxy expands it at
 * start-up. If that leaves nothing, every address qualifies, as for an empty setting.
 */
export function expandNodePortAddresses(
  values: readonly string[],
  primaryNodeIPs: readonly IpAddress[],
): readonly string[] {
  if (values.length !== 1 || values[0] !== NODE_PORT_ADDRESSES_PRIMARY) return values;
  return primaryNodeIPs.filter((ip) => !isLoopback(ip)).map((ip) => `${ip.text}/${ip.family === 'IPv4' ? 32 : 128}`);
}

/**
 * The addresses of `family` NodePorts are served on, sorted. With no CIDR of the family
 * (or a zero CIDR) every local address counts, except loopback and IPv6 link-local ones;
 * otherwise the local addresses inside the CIDRs, except loopback ones: IPVS cannot
 * serve a NodePort on 127.0.0.1.
 *
 * `localAddresses` excludes kube-ipvs0, which kube-proxy's CIDR branch does not: there a
 * CIDR covering the service range would also turn every bound service address into a
 * NodePort address, a feedback loop of kube-proxy's own making that kipvs leaves out.
 */
export function nodePortIPs(
  cidrs: readonly Cidr[],
  family: IpFamily,
  localAddresses: readonly IpAddress[],
): IpAddress[] {
  const ofFamily = cidrs.filter((c) => c.family === family);
  const candidates = localAddresses.filter((ip) => ip.family === family && !isLoopback(ip));
  const matchAll = ofFamily.length === 0 || ofFamily.some(isZeroCidr);
  const selected = matchAll
    ? candidates.filter((ip) => !(family === 'IPv6' && isLinkLocalUnicast(ip)))
    : candidates.filter((ip) => ofFamily.some((c) => cidrContains(c, ip)));
  return unique(selected);
}

function unique(ips: readonly IpAddress[]): IpAddress[] {
  const byText = new Map(ips.map((ip) => [ip.text, ip]));
  return [...byText.values()].sort(compareIps);
}
