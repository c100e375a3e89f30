// The ipvs-mode reading of a validated configuration, so that the proxier
// does not repeat kube-proxy's mode-dependent rules: an empty scheduler means
// rr, the sync periods are the ipvs ones, SNAT uses the iptables masquerade
// settings, and clusterCIDR may be a comma-separated dual-stack pair.
import { schedulerFlagsFrom, type SchedulerFlags } from '../ipvs/scheduler-flags.js';
import type { SchedulerName } from '../ipvs/types.js';
import type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';
import { schedulerFlagList, type DetectLocalMode } from './validation.js';

/** ipvs.schedulerFlags as bits (validation has refused bad names); undefined when not set. */
function schedulerFlagsOf(cfg: KubeProxyConfiguration, scheduler: string): SchedulerFlags | undefined {
  if (cfg.ipvs.schedulerFlags === undefined) return undefined;
  const flags = schedulerFlagsFrom(schedulerFlagList(cfg.ipvs.schedulerFlags), scheduler);
  return 'kind' in flags ? undefined : flags;
}

export function ipvsSettings(cfg: KubeProxyConfiguration) {
  const scheduler = cfg.ipvs.scheduler === '' ? 'rr' : cfg.ipvs.scheduler;
  return {
    syncPeriod: cfg.ipvs.syncPeriod,
    minSyncPeriod: cfg.ipvs.minSyncPeriod,
    /** pkg/proxy/ipvs: an empty scheduler is round robin. */
    scheduler: scheduler as SchedulerName,
    /** kipvs's ipvs.schedulerFlags; undefined leaves kube-proxy's (mh-port for mh). */
    schedulerFlags: schedulerFlagsOf(cfg, scheduler),
    strictARP: cfg.ipvs.strictARP,
    excludeCIDRs: [...cfg.ipvs.excludeCIDRs],
    tcpTimeout: cfg.ipvs.tcpTimeout,
    tcpFinTimeout: cfg.ipvs.tcpFinTimeout,
    udpTimeout: cfg.ipvs.udpTimeout,
    masqueradeAll: cfg.iptables.masqueradeAll,
    masqueradeBit: cfg.iptables.masqueradeBit,
    detectLocalMode: (cfg.detectLocalMode === '' ? 'ClusterCIDR' : cfg.detectLocalMode) as DetectLocalMode,
    clusterCIDRs: cfg.clusterCIDR === '' ? [] : cfg.clusterCIDR.split(','),
    bridgeInterface: cfg.detectLocal.bridgeInterface,
    interfaceNamePrefix: cfg.detectLocal.interfaceNamePrefix,
    /** Empty: NodePorts on every local address. */
    nodePortAddresses: [...cfg.nodePortAddresses],
    conntrack: { ...cfg.conntrack },
  };
}

export type IpvsSettings = ReturnType<typeof ipvsSettings>;
