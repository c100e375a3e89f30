// The rules kube-proxy applies to a complete configuration before it starts
// (pkg/proxy/apis/config/validation Validate, plus component-base's logging
// validation), for the ipvs proxy mode, and the few kipvs adds: the mode must
// be ipvs, and the scheduler must be one the kernel ships. Field paths are the
// v1alpha1 names a person wrote in the file ("ipvs.excludeCIDRs[1]").
import { SCHEDULER_FLAG_NAMES, schedulerFlagsFrom } from '../ipvs/scheduler-flags.js';
import { SCHEDULERS } from '../ipvs/types.js';
import type { Duration } from './duration.js';
import { featureGateProblems } from './feature-gates.js';
import { isCidr, isIp, isValidPort, parseCidr, splitHostPort } from './net-address.js';
import { parsePortRange } from './port-range.js';
import type { ConfigProblem } from './problems.js';
import type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';

export const DETECT_LOCAL_MODES = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'] as const;
export type DetectLocalMode = (typeof DETECT_LOCAL_MODES)[number];
/** Keywords kube-proxy accepts in nodePortAddresses besides CIDRs. */
export const NODE_PORT_ADDRESS_KEYWORDS = ['primary', 'localhost', 'all'] as const;
/** Log formats kube-proxy registers (text, and json from component-base/logs/json). */
export const LOG_FORMATS = ['text', 'json'] as const;

/** ipvs.schedulerFlags as names: comma-separated, blanks around each and empty entries dropped. */
export function schedulerFlagList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

export function validateKubeProxyConfiguration(cfg: KubeProxyConfiguration): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  const quote = JSON.stringify;

  if (cfg.mode !== '' && cfg.mode !== 'ipvs') {
    fail('mode', `kipvs implements only the ipvs proxy mode, got ${quote(cfg.mode)}; set "ipvs" or leave it empty`);
  }

  // The IPVS proxier marks packets for SNAT with the iptables masquerade bit.
  if (cfg.iptables.masqueradeBit < 0 || cfg.iptables.masqueradeBit > 31) {
    fail('iptables.masqueradeBit', `must be within the range [0, 31], got ${cfg.iptables.masqueradeBit}`);
  }

  // In ipvs mode kube-proxy's sync periods are the ipvs ones.
  positive(cfg.ipvs.syncPeriod, 'ipvs.syncPeriod', fail);
  nonNegative(cfg.ipvs.minSyncPeriod, 'ipvs.minSyncPeriod', fail);
  // (kube-proxy would also report this when syncPeriod is not positive; once is enough.)
  if (cfg.ipvs.syncPeriod.nanoseconds > 0n && cfg.ipvs.minSyncPeriod.compare(cfg.ipvs.syncPeriod) > 0) {
    fail('ipvs.syncPeriod', `must be greater than or equal to ipvs.minSyncPeriod (${cfg.ipvs.minSyncPeriod})`);
  }
  nonNegative(cfg.ipvs.tcpTimeout, 'ipvs.tcpTimeout', fail);
  nonNegative(cfg.ipvs.tcpFinTimeout, 'ipvs.tcpFinTimeout', fail);
  nonNegative(cfg.ipvs.udpTimeout, 'ipvs.udpTimeout', fail);
  cfg.ipvs.excludeCIDRs.forEach((cidr, i) => {
    if (!isCidr(cidr))
      fail(`ipvs.excludeCIDRs[${i}]`, `${quote(cidr)} is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/64)`);
  });
  const scheduler = cfg.ipvs.scheduler;
  if (scheduler !== '' && !(SCHEDULERS as readonly string[]).includes(scheduler)) {
    fail('ipvs.scheduler', `unknown scheduler ${quote(scheduler)}; one of ${SCHEDULERS.join(', ')} (empty means rr)`);
  }
  const flags =
    cfg.ipvs.schedulerFlags === undefined
      ? undefined
      : schedulerFlagsFrom(schedulerFlagList(cfg.ipvs.schedulerFlags), scheduler === '' ? 'rr' : scheduler);
  if (flags !== undefined && 'kind' in flags) {
    fail(
      'ipvs.schedulerFlags',
      flags.kind === 'unknown'
        ? `unknown scheduler flag ${quote(flags.name)}; one of ${SCHEDULER_FLAG_NAMES.join(', ')}`
        : `scheduler flag ${quote(flags.name)} is for the ${flags.belongsTo} scheduler, not ${flags.scheduler} (ipvs.scheduler)`,
    );
  }

  const ct = cfg.conntrack;
  if (ct.maxPerCore < 0) fail('conntrack.maxPerCore', `must be greater than or equal to 0, got ${ct.maxPerCore}`);
  if (ct.min < 0) fail('conntrack.min', `must be greater than or equal to 0, got ${ct.min}`);
  nonNegative(ct.tcpEstablishedTimeout, 'conntrack.tcpEstablishedTimeout', fail);
  nonNegative(ct.tcpCloseWaitTimeout, 'conntrack.tcpCloseWaitTimeout', fail);
  nonNegative(ct.udpTimeout, 'conntrack.udpTimeout', fail);
  nonNegative(ct.udpStreamTimeout, 'conntrack.udpStreamTimeout', fail);

  if (cfg.oomScoreAdj < -1000 || cfg.oomScoreAdj > 1000) {
    fail('oomScoreAdj', `must be within the range [-1000, 1000], got ${cfg.oomScoreAdj}`);
  }
  if (cfg.clientConnection.burst < 0)
    fail('clientConnection.burst', `must be greater than or equal to 0, got ${cfg.clientConnection.burst}`);
  positive(cfg.configSyncPeriod, 'configSyncPeriod', fail);

  if (!isIp(cfg.bindAddress)) fail('bindAddress', `${quote(cfg.bindAddress)} is not a valid IP address`);
  // An empty healthz address disables the health server; the metrics address
  // has no such exception in kube-proxy's validation.
  if (cfg.healthzBindAddress !== '') hostPort(cfg.healthzBindAddress, 'healthzBindAddress', fail);
  hostPort(cfg.metricsBindAddress, 'metricsBindAddress', fail);

  const range = parsePortRange(cfg.portRange);
  if (!range.ok) fail('portRange', `${range.message}; must be a valid port range (e.g. 300-2000)`);

  cfg.nodePortAddresses.forEach((entry, i) => {
    if ((NODE_PORT_ADDRESS_KEYWORDS as readonly string[]).includes(entry)) return;
    if (!isCidr(entry)) {
      fail(
        `nodePortAddresses[${i}]`,
        `${quote(entry)} is not a valid CIDR or one of ${NODE_PORT_ADDRESS_KEYWORDS.join(', ')}`,
      );
    }
  });

  const hidden = cfg.showHiddenMetricsForVersion;
  if (hidden !== '' && !/^v?[0-9]+\.[0-9]+$/.test(hidden)) {
    fail('showHiddenMetricsForVersion', `${quote(hidden)} is not a version of the form <major>.<minor> (e.g. 1.30)`);
  }

  validateDetectLocal(cfg, fail);
  for (const message of featureGateProblems(cfg.featureGates)) fail('featureGates', message);
  validateLogging(cfg, fail);
  return problems;
}

type Fail = (path: string, message: string) => void;

function positive(d: Duration, path: string, fail: Fail): void {
  if (d.isZero() || d.isNegative()) fail(path, `must be greater than 0, got ${d}`);
}

function nonNegative(d: Duration, path: string, fail: Fail): void {
  if (d.isNegative()) fail(path, `must be greater than or equal to 0, got ${d}`);
}

/** kube-proxy's validateHostPort: an IP literal and a port 1..65535. */
function hostPort(address: string, path: string, fail: Fail): void {
  const split = splitHostPort(address);
  if (!split.ok) {
    fail(path, `${JSON.stringify(address)} must be IP:port (${split.message})`);
    return;
  }
  if (!isIp(split.host)) fail(path, `${JSON.stringify(split.host)} is not a valid IP address`);
  if (!isValidPort(split.port)) fail(path, `${JSON.stringify(split.port)} is not a valid port (1-65535)`);
}

function validateDetectLocal(cfg: KubeProxyConfiguration, fail: Fail): void {
  const mode = cfg.detectLocalMode;
  if (mode !== '' && !(DETECT_LOCAL_MODES as readonly string[]).includes(mode)) {
    fail(
      'detectLocalMode',
      `unsupported value ${JSON.stringify(mode)}; one of ${DETECT_LOCAL_MODES.join(', ')} (empty means ClusterCIDR)`,
    );
  }
  if (mode === 'BridgeInterface' && cfg.detectLocal.bridgeInterface === '') {
    fail('detectLocal.bridgeInterface', 'must not be empty when detectLocalMode is BridgeInterface');
  }
  if (mode === 'InterfaceNamePrefix' && cfg.detectLocal.interfaceNamePrefix === '') {
    fail('detectLocal.interfaceNamePrefix', 'must not be empty when detectLocalMode is InterfaceNamePrefix');
  }
  // kube-proxy checks clusterCIDR only in ClusterCIDR mode; kipvs checks it
  // whenever it is set, since a malformed CIDR is a mistake in any mode.
  if (cfg.clusterCIDR === '') return;
  const cidrs = cfg.clusterCIDR.split(',');
  if (cidrs.length > 2) {
    fail('clusterCIDR', 'must be a single CIDR or a dual-stack pair (e.g. 10.244.0.0/16,fd00:10:244::/56)');
    return;
  }
  const parsed = cidrs.map((c) => parseCidr(c));
  parsed.forEach((p, i) => {
    if (!p)
      fail('clusterCIDR', `${JSON.stringify(cidrs[i])} is not a valid CIDR (e.g. 10.244.0.0/16 or fd00:10:244::/56)`);
  });
  const [a, b] = parsed;
  if (a && b && a.family === b.family) {
    fail('clusterCIDR', 'two CIDRs must be a dual-stack pair, one IPv4 and one IPv6');
  }
}

/** component-base logs/api/v1 validation, for the formats kube-proxy registers. */
function validateLogging(cfg: KubeProxyConfiguration, fail: Fail): void {
  const log = cfg.logging;
  if (!(LOG_FORMATS as readonly string[]).includes(log.format)) {
    fail('logging.format', `unsupported value ${JSON.stringify(log.format)}; one of ${LOG_FORMATS.join(', ')}`);
  }
  if (log.vmodule.length > 0 && log.format !== 'text') {
    fail('logging.vmodule', 'only supported with the text log format');
  }
  log.vmodule.forEach((item, i) => {
    if (item.filePattern === '' || /[=,]/.test(item.filePattern)) {
      fail(
        `logging.vmodule[${i}].filePattern`,
        `${JSON.stringify(item.filePattern)} must be a non-empty file pattern without "=" or ","`,
      );
    }
  });
  // Text output routing is an alpha feature, JSON's a beta one (on by default).
  const gates = cfg.featureGates;
  const text = log.options.text;
  if ((text.splitStream || !isZeroQuantity(text.infoBufferSize)) && gates['LoggingAlphaOptions'] !== true) {
    fail(
      'logging.options.text',
      'needs the LoggingAlphaOptions feature gate (featureGates: {LoggingAlphaOptions: true})',
    );
  }
  const json = log.options.json;
  if ((json.splitStream || !isZeroQuantity(json.infoBufferSize)) && gates['LoggingBetaOptions'] === false) {
    fail('logging.options.json', 'needs the LoggingBetaOptions feature gate, which featureGates turns off');
  }
}

function isZeroQuantity(q: string): boolean {
  return /^[+-]?(0+(\.0*)?|\.0+)([eE][+-]?[0-9]+|[a-zA-Z]+)?$/.test(q);
}
