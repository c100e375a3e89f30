// kube-proxy's defaulting of a v1alpha1 KubeProxyConfiguration
// (pkg/proxy/apis/config/v1alpha1 SetDefaults_KubeProxyConfiguration, and
// component-base's SetRecommendedLoggingConfiguration). As in Go, a plain
// field left at its zero value ("", 0, "0s") takes the default, while a
// pointer field (masqueradeBit, oomScoreAdj, conntrack.maxPerCore, conntrack.min,
// the two conntrack TCP timeouts, iptables.localhostNodePorts) is defaulted only
// when absent, so an explicit 0 there is kept.
import { Duration } from './duration.js';
import { joinHostPort } from '../net/host-port.js';
import { parseIp, splitHostPort } from './net-address.js';
import {
  API_VERSION,
  KIND,
  type KubeProxyConfiguration,
  type KubeProxyConfigurationOverlay,
} from './schema/kube-proxy-configuration.js';

/** pkg/cluster/ports: ProxyHealthzPort and ProxyStatusPort. */
export const HEALTHZ_PORT = 10256;
export const METRICS_PORT = 10249;
/** pkg/kubelet/qos KubeProxyOOMScoreAdj. */
export const KUBE_PROXY_OOM_SCORE_ADJ = -999;
export const DEFAULT_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const orDuration = (value: Duration | undefined, fallback: Duration): Duration =>
  value === undefined || value.isZero() ? fallback : value;
const orString = (value: string | undefined, fallback: string): string =>
  value === undefined || value === '' ? fallback : value;
const orNumber = (value: number | undefined, fallback: number): number =>
  value === undefined || value === 0 ? fallback : value;

/** The complete configuration kube-proxy derives from a file (or from nothing). */
export function applyKubeProxyDefaults(doc: KubeProxyConfigurationOverlay = {}): KubeProxyConfiguration {
  const bindAddress = orString(doc.bindAddress, '0.0.0.0');
  const [healthzHost, metricsHost] = defaultServerHosts(bindAddress);
  const healthz = doc.healthzBindAddress ?? '';
  const metrics = doc.metricsBindAddress ?? '';
  const cc = doc.clientConnection ?? {};
  const ipt = doc.iptables ?? {};
  const ipvs = doc.ipvs ?? {};
  const nft = doc.nftables ?? {};
  const ct = doc.conntrack ?? {};
  const win = doc.winkernel ?? {};
  const log = doc.logging ?? {};
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    featureGates: { ...(doc.featureGates ?? {}) },
    clientConnection: {
      kubeconfig: cc.kubeconfig ?? '',
      acceptContentTypes: cc.acceptContentTypes ?? '',
      contentType: orString(cc.contentType, DEFAULT_CONTENT_TYPE),
      qps: orNumber(cc.qps, 5),
      burst: orNumber(cc.burst, 10),
    },
    logging: {
      format: orString(log.format, 'text'),
      flushFrequency: orDuration(log.flushFrequency, Duration.seconds(5)),
      verbosity: log.verbosity ?? 0,
      vmodule: (log.vmodule ?? []).map((item) => ({
        filePattern: item.filePattern ?? '',
        verbosity: item.verbosity ?? 0,
      })),
      options: {
        text: {
          splitStream: log.options?.text?.splitStream ?? false,
          infoBufferSize: log.options?.text?.infoBufferSize ?? '0',
        },
        json: {
          splitStream: log.options?.json?.splitStream ?? false,
          infoBufferSize: log.options?.json?.infoBufferSize ?? '0',
        },
      },
    },
    hostnameOverride: doc.hostnameOverride ?? '',
    bindAddress,
    healthzBindAddress:
      healthz === '' ? joinHostPort(healthzHost, HEALTHZ_PORT) : appendPortIfNeeded(healthz, HEALTHZ_PORT),
    metricsBindAddress:
      metrics === '' ? joinHostPort(metricsHost, METRICS_PORT) : appendPortIfNeeded(metrics, METRICS_PORT),
    bindAddressHardFail: doc.bindAddressHardFail ?? false,
    enableProfiling: doc.enableProfiling ?? false,
    showHiddenMetricsForVersion: doc.showHiddenMetricsForVersion ?? '',
    mode: doc.mode ?? '',
    iptables: {
      masqueradeBit: ipt.masqueradeBit ?? 14,
      masqueradeAll: ipt.masqueradeAll ?? false,
      localhostNodePorts: ipt.localhostNodePorts ?? true,
      syncPeriod: orDuration(ipt.syncPeriod, Duration.seconds(30)),
      minSyncPeriod: orDuration(ipt.minSyncPeriod, Duration.seconds(1)),
    },
    ipvs: {
      syncPeriod: orDuration(ipvs.syncPeriod, Duration.seconds(30)),
      // No default: 0 means "sync on every change" for IPVS.
      minSyncPeriod: ipvs.minSyncPeriod ?? Duration.ZERO,
      scheduler: ipvs.scheduler ?? '',
      ...(ipvs.schedulerFlags === undefined ? {} : { schedulerFlags: ipvs.schedulerFlags }),
      excludeCIDRs: [...(ipvs.excludeCIDRs ?? [])],
      strictARP: ipvs.strictARP ?? false,
      tcpTimeout: ipvs.tcpTimeout ?? Duration.ZERO,
      tcpFinTimeout: ipvs.tcpFinTimeout ?? Duration.ZERO,
      udpTimeout: ipvs.udpTimeout ?? Duration.ZERO,
    },
    nftables: {
      masqueradeBit: nft.masqueradeBit ?? 14,
      masqueradeAll: nft.masqueradeAll ?? false,
      syncPeriod: orDuration(nft.syncPeriod, Duration.seconds(30)),
      minSyncPeriod: orDuration(nft.minSyncPeriod, Duration.seconds(1)),
    },
    winkernel: {
      networkName: win.networkName ?? '',
      sourceVip: win.sourceVip ?? '',
      enableDSR: win.enableDSR ?? false,
      rootHnsEndpointName: win.rootHnsEndpointName ?? '',
      forwardHealthCheckVip: win.forwardHealthCheckVip ?? false,
    },
    detectLocalMode: doc.detectLocalMode ?? '',
    detectLocal: {
      bridgeInterface: doc.detectLocal?.bridgeInterface ?? '',
      interfaceNamePrefix: doc.detectLocal?.interfaceNamePrefix ?? '',
    },
    clusterCIDR: doc.clusterCIDR ?? '',
    nodePortAddresses: [...(doc.nodePortAddresses ?? [])],
    oomScoreAdj: doc.oomScoreAdj ?? KUBE_PROXY_OOM_SCORE_ADJ,
    conntrack: {
      maxPerCore: ct.maxPerCore ?? 32 * 1024,
      min: ct.min ?? 128 * 1024,
      // A day (a fifth of the kernel's five-day default).
      tcpEstablishedTimeout: ct.tcpEstablishedTimeout ?? Duration.hours(24),
      // An hour, to match typical server timeouts (kubernetes#32551).
      tcpCloseWaitTimeout: ct.tcpCloseWaitTimeout ?? Duration.hours(1),
      tcpBeLiberal: ct.tcpBeLiberal ?? false,
      udpTimeout: ct.udpTimeout ?? Duration.ZERO,
      udpStreamTimeout: ct.udpStreamTimeout ?? Duration.ZERO,
    },
    configSyncPeriod: orDuration(doc.configSyncPeriod, Duration.minutes(15)),
    portRange: doc.portRange ?? '',
    windowsRunAsService: doc.windowsRunAsService ?? false,
  };
}

/**
 * kube-proxy's getDefaultAddresses: IPv4 wildcard/loopback when bindAddress is
 * IPv4, otherwise (IPv6, or not an IP at all) the IPv6 ones.
 */
function defaultServerHosts(bindAddress: string): [healthz: string, metrics: string] {
  return parseIp(bindAddress)?.isIPv4Like ? ['0.0.0.0', '127.0.0.1'] : ['::', '::1'];
}

/**
 * pkg/proxy/util AppendPortIfNeeded: "1.2.3.4" becomes "1.2.3.4:PORT" and "::"
 * becomes "[::]:PORT"; an address with a port, or one that is not an IP, is left
 * for validation to judge.
 */
export function appendPortIfNeeded(address: string, port: number): string {
  if (splitHostPort(address).ok) return address;
  const ip = parseIp(address);
  if (!ip) return address;
  return ip.isIPv4Like && ip.family === 4 ? `${address}:${port}` : joinHostPort(address, port);
}

/**
 * kube-proxy's platformApplyDefaults on Linux, with ipvs as kipvs's only
 * mode: an empty mode is ipvs, an empty detectLocalMode is ClusterCIDR.
 */
export function applyPlatformDefaults(cfg: KubeProxyConfiguration): void {
  cfg.mode = 'ipvs';
  if (cfg.detectLocalMode === '') cfg.detectLocalMode = 'ClusterCIDR';
}

/** What `kipvs proxy --config FILE` runs with when FILE sets nothing. */
export function defaultKubeProxyConfiguration(): KubeProxyConfiguration {
  const cfg = applyKubeProxyDefaults({});
  applyPlatformDefaults(cfg);
  return cfg;
}
