// From the validated kube-proxy configuration to the few settings the model
// reads. src/config has already applied kube-proxy's defaults and its
// ipvs-mode reading (ipvsSettings: empty scheduler = rr, clusterCIDR split by
// family, ...); what is left here is the shape change and the two things the
// model leaves to its caller: which IP families are served, and the
// nodePortAddresses keywords kipvs accepts besides kube-proxy's "primary".
import type { IpFamily } from '../net/ip-family.js';
import type { Duration, ValidatedProxyConfig } from '../config/index.js';
import type { ProxyModelConfig } from './config.js';
import type { ConntrackSettings } from './conntrack-sysctls.js';

/**
 * nodePortAddresses keywords as CIDRs the model understands. "all" is every address of
 * both families; "localhost" names only loopback addresses, which the model (like
 * kube-proxy's IPVS mode) never serves NodePorts on. "primary" is passed on: the model
 * expands it from the node IPs, and only when it is the sole entry, as kube-proxy does.
 */
const NODE_PORT_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  all: ['0.0.0.0/0', '::/0'],
  localhost: ['127.0.0.0/8', '::1/128'],
};

function expandNodePortKeywords(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => NODE_PORT_KEYWORDS[entry] ?? [entry]);
}

/** Whole seconds: the IPVS timeouts are set in seconds and a fraction is dropped, as moby/ipvs does. */
function wholeSeconds(duration: Duration): number {
  return Math.trunc(duration.seconds);
}

/**
 * The model's configuration for `config`. `ipFamilies` are the families served: kube-proxy
 * runs a proxier for IPv4 and for IPv6 whenever iptables and ip6tables both work on the host
 * (cmd/kube-proxy platformCheckSupported), whatever the node's own addresses.
 * `kernelSchedulers`: the schedulers the node's kernel can run, when the caller looked.
 */
export function modelConfigFrom(
  config: ValidatedProxyConfig,
  ipFamilies: readonly IpFamily[],
  kernelSchedulers?: readonly string[],
): ProxyModelConfig {
  const s = config.ipvs;
  return {
    nodeName: config.nodeName,
    ipFamilies: [...ipFamilies],
    scheduler: s.scheduler,
    ...(s.schedulerFlags ? { schedulerFlags: s.schedulerFlags } : {}),
    ...(kernelSchedulers ? { kernelSchedulers: [...kernelSchedulers] } : {}),
    strictARP: s.strictARP,
    excludeCIDRs: [...s.excludeCIDRs],
    ipvsTimeouts: {
      tcp: wholeSeconds(s.tcpTimeout),
      tcpFin: wholeSeconds(s.tcpFinTimeout),
      udp: wholeSeconds(s.udpTimeout),
    },
    masqueradeAll: s.masqueradeAll,
    masqueradeBit: s.masqueradeBit,
    detectLocalMode: s.detectLocalMode,
    clusterCIDRs: [...s.clusterCIDRs],
    detectLocal: { bridgeInterface: s.bridgeInterface, interfaceNamePrefix: s.interfaceNamePrefix },
    nodePortAddresses: expandNodePortKeywords(s.nodePortAddresses),
  };
}

/** The `conntrack` settings as kube-proxy applies them at start (seconds, whole). */
export function conntrackSettingsFrom(config: ValidatedProxyConfig): ConntrackSettings {
  const c = config.ipvs.conntrack;
  return {
    maxPerCore: c.maxPerCore,
    min: c.min,
    tcpEstablishedTimeout: wholeSeconds(c.tcpEstablishedTimeout),
    tcpCloseWaitTimeout: wholeSeconds(c.tcpCloseWaitTimeout),
    tcpBeLiberal: c.tcpBeLiberal,
    udpTimeout: wholeSeconds(c.udpTimeout),
    udpStreamTimeout: wholeSeconds(c.udpStreamTimeout),
  };
}
