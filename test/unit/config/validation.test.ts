// Every rule kube-proxy (and kipvs) applies to a complete configuration, each
// with a value that breaks it and one that passes.
import { describe, expect, it } from '@jest/globals';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { Duration } from '../../../src/config/duration.js';
import type { KubeProxyConfiguration } from '../../../src/config/schema/kube-proxy-configuration.js';
import { validateKubeProxyConfiguration } from '../../../src/config/validation.js';
import { configurationWarnings } from '../../../src/config/warnings.js';

type Edit = (cfg: KubeProxyConfiguration) => void;
const s = Duration.seconds;

const problemsAfter = (edit: Edit) => {
  const cfg = applyKubeProxyDefaults({});
  edit(cfg);
  return validateKubeProxyConfiguration(cfg).map((p) => `${p.path}: ${p.message}`);
};

describe('validateKubeProxyConfiguration', () => {
  it('accepts the defaults', () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  it.each<[string, Edit, string]>([
    [
      'mode iptables',
      (c) => void (c.mode = 'iptables'),
      'mode: kipvs implements only the ipvs proxy mode, got "iptables"; set "ipvs" or leave it empty',
    ],
    [
      'mode nftables',
      (c) => void (c.mode = 'nftables'),
      'mode: kipvs implements only the ipvs proxy mode, got "nftables"; set "ipvs" or leave it empty',
    ],
    [
      'masqueradeBit 32',
      (c) => void (c.iptables.masqueradeBit = 32),
      'iptables.masqueradeBit: must be within the range [0, 31], got 32',
    ],
    [
      'masqueradeBit -1',
      (c) => void (c.iptables.masqueradeBit = -1),
      'iptables.masqueradeBit: must be within the range [0, 31], got -1',
    ],
    [
      'ipvs.syncPeriod 0',
      (c) => void (c.ipvs.syncPeriod = Duration.ZERO),
      'ipvs.syncPeriod: must be greater than 0, got 0s',
    ],
    [
      'ipvs.syncPeriod negative',
      (c) => void (c.ipvs.syncPeriod = s(-30)),
      'ipvs.syncPeriod: must be greater than 0, got -30s',
    ],
    [
      'ipvs.minSyncPeriod negative',
      (c) => void (c.ipvs.minSyncPeriod = s(-1)),
      'ipvs.minSyncPeriod: must be greater than or equal to 0, got -1s',
    ],
    [
      'ipvs.minSyncPeriod above syncPeriod',
      (c) => void (c.ipvs.minSyncPeriod = s(31)),
      'ipvs.syncPeriod: must be greater than or equal to ipvs.minSyncPeriod (31s)',
    ],
    [
      'ipvs.tcpTimeout negative',
      (c) => void (c.ipvs.tcpTimeout = s(-1)),
      'ipvs.tcpTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'ipvs.tcpFinTimeout negative',
      (c) => void (c.ipvs.tcpFinTimeout = s(-1)),
      'ipvs.tcpFinTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'ipvs.udpTimeout negative',
      (c) => void (c.ipvs.udpTimeout = s(-1)),
      'ipvs.udpTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'ipvs.excludeCIDRs not a CIDR',
      (c) => void (c.ipvs.excludeCIDRs = ['10.0.0.0/8', '10.0.0.1']),
      'ipvs.excludeCIDRs[1]: "10.0.0.1" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/64)',
    ],
    [
      'ipvs.scheduler unknown',
      (c) => void (c.ipvs.scheduler = 'fastest'),
      'ipvs.scheduler: unknown scheduler "fastest"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr)',
    ],
    [
      'ipvs.scheduler wrong case',
      (c) => void (c.ipvs.scheduler = 'RR'),
      'ipvs.scheduler: unknown scheduler "RR"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr)',
    ],
    [
      'ipvs.schedulerFlags unknown',
      (c) => void (c.ipvs.schedulerFlags = 'flag-1, sticky'),
      'ipvs.schedulerFlags: unknown scheduler flag "sticky"; one of flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port',
    ],
    [
      'ipvs.schedulerFlags of another scheduler',
      (c) => {
        c.ipvs.scheduler = 'sh';
        c.ipvs.schedulerFlags = 'mh-port';
      },
      'ipvs.schedulerFlags: scheduler flag "mh-port" is for the mh scheduler, not sh (ipvs.scheduler)',
    ],
    [
      'ipvs.schedulerFlags of mh with the default scheduler',
      (c) => void (c.ipvs.schedulerFlags = 'mh-fallback'),
      'ipvs.schedulerFlags: scheduler flag "mh-fallback" is for the mh scheduler, not rr (ipvs.scheduler)',
    ],
    [
      'conntrack.maxPerCore negative',
      (c) => void (c.conntrack.maxPerCore = -1),
      'conntrack.maxPerCore: must be greater than or equal to 0, got -1',
    ],
    [
      'conntrack.min negative',
      (c) => void (c.conntrack.min = -1),
      'conntrack.min: must be greater than or equal to 0, got -1',
    ],
    [
      'conntrack.tcpEstablishedTimeout negative',
      (c) => void (c.conntrack.tcpEstablishedTimeout = s(-1)),
      'conntrack.tcpEstablishedTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'conntrack.tcpCloseWaitTimeout negative',
      (c) => void (c.conntrack.tcpCloseWaitTimeout = s(-1)),
      'conntrack.tcpCloseWaitTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'conntrack.udpTimeout negative',
      (c) => void (c.conntrack.udpTimeout = s(-1)),
      'conntrack.udpTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'conntrack.udpStreamTimeout negative',
      (c) => void (c.conntrack.udpStreamTimeout = s(-1)),
      'conntrack.udpStreamTimeout: must be greater than or equal to 0, got -1s',
    ],
    [
      'oomScoreAdj too low',
      (c) => void (c.oomScoreAdj = -1001),
      'oomScoreAdj: must be within the range [-1000, 1000], got -1001',
    ],
    [
      'oomScoreAdj too high',
      (c) => void (c.oomScoreAdj = 1001),
      'oomScoreAdj: must be within the range [-1000, 1000], got 1001',
    ],
    [
      'clientConnection.burst negative',
      (c) => void (c.clientConnection.burst = -1),
      'clientConnection.burst: must be greater than or equal to 0, got -1',
    ],
    [
      'configSyncPeriod 0',
      (c) => void (c.configSyncPeriod = Duration.ZERO),
      'configSyncPeriod: must be greater than 0, got 0s',
    ],
    ['bindAddress not an IP', (c) => void (c.bindAddress = 'node1'), 'bindAddress: "node1" is not a valid IP address'],
    ['bindAddress empty', (c) => void (c.bindAddress = ''), 'bindAddress: "" is not a valid IP address'],
    [
      'healthzBindAddress without port',
      (c) => void (c.healthzBindAddress = '0.0.0.0'),
      'healthzBindAddress: "0.0.0.0" must be IP:port (missing port in address)',
    ],
    [
      'healthzBindAddress host name',
      (c) => void (c.healthzBindAddress = 'localhost:10256'),
      'healthzBindAddress: "localhost" is not a valid IP address',
    ],
    [
      'healthzBindAddress port 0',
      (c) => void (c.healthzBindAddress = '0.0.0.0:0'),
      'healthzBindAddress: "0" is not a valid port (1-65535)',
    ],
    [
      'metricsBindAddress port too big',
      (c) => void (c.metricsBindAddress = '[::1]:65536'),
      'metricsBindAddress: "65536" is not a valid port (1-65535)',
    ],
    [
      'metricsBindAddress empty',
      (c) => void (c.metricsBindAddress = ''),
      'metricsBindAddress: "" must be IP:port (missing port in address)',
    ],
    [
      'portRange reversed',
      (c) => void (c.portRange = '2000-300'),
      'portRange: port range "2000-300" ends before it starts; must be a valid port range (e.g. 300-2000)',
    ],
    [
      'portRange junk',
      (c) => void (c.portRange = 'some'),
      'portRange: invalid port range "some" (e.g. 300-2000); must be a valid port range (e.g. 300-2000)',
    ],
    [
      'portRange too high',
      (c) => void (c.portRange = '70000'),
      'portRange: port range "70000" goes beyond 65535; must be a valid port range (e.g. 300-2000)',
    ],
    [
      'nodePortAddresses junk',
      (c) => void (c.nodePortAddresses = ['primary', '10.0.0.0/33']),
      'nodePortAddresses[1]: "10.0.0.0/33" is not a valid CIDR or one of primary, localhost, all',
    ],
    [
      'showHiddenMetricsForVersion junk',
      (c) => void (c.showHiddenMetricsForVersion = 'latest'),
      'showHiddenMetricsForVersion: "latest" is not a version of the form <major>.<minor> (e.g. 1.30)',
    ],
    [
      'detectLocalMode unknown',
      (c) => void (c.detectLocalMode = 'PodCIDR'),
      'detectLocalMode: unsupported value "PodCIDR"; one of ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix (empty means ClusterCIDR)',
    ],
    [
      'BridgeInterface without bridge',
      (c) => void (c.detectLocalMode = 'BridgeInterface'),
      'detectLocal.bridgeInterface: must not be empty when detectLocalMode is BridgeInterface',
    ],
    [
      'InterfaceNamePrefix without prefix',
      (c) => void (c.detectLocalMode = 'InterfaceNamePrefix'),
      'detectLocal.interfaceNamePrefix: must not be empty when detectLocalMode is InterfaceNamePrefix',
    ],
    [
      'clusterCIDR junk',
      (c) => void (c.clusterCIDR = '10.244.0.0'),
      'clusterCIDR: "10.244.0.0" is not a valid CIDR (e.g. 10.244.0.0/16 or fd00:10:244::/56)',
    ],
    [
      'clusterCIDR two IPv4',
      (c) => void (c.clusterCIDR = '10.244.0.0/16,10.245.0.0/16'),
      'clusterCIDR: two CIDRs must be a dual-stack pair, one IPv4 and one IPv6',
    ],
    [
      'clusterCIDR three',
      (c) => void (c.clusterCIDR = '10.0.0.0/8,fd00::/8,10.1.0.0/16'),
      'clusterCIDR: must be a single CIDR or a dual-stack pair (e.g. 10.244.0.0/16,fd00:10:244::/56)',
    ],
    [
      'logging.format unknown',
      (c) => void (c.logging.format = 'xml'),
      'logging.format: unsupported value "xml"; one of text, json',
    ],
    [
      'vmodule with json',
      (c) => {
        c.logging.format = 'json';
        c.logging.vmodule = [{ filePattern: 'x', verbosity: 1 }];
      },
      'logging.vmodule: only supported with the text log format',
    ],
    [
      'vmodule pattern empty',
      (c) => void (c.logging.vmodule = [{ filePattern: '', verbosity: 1 }]),
      'logging.vmodule[0].filePattern: "" must be a non-empty file pattern without "=" or ","',
    ],
    [
      'text split stream without alpha gate',
      (c) => void (c.logging.options.text.splitStream = true),
      'logging.options.text: needs the LoggingAlphaOptions feature gate (featureGates: {LoggingAlphaOptions: true})',
    ],
    [
      'json buffer with beta gate off',
      (c) => {
        c.logging.options.json.infoBufferSize = '1Mi';
        c.featureGates = { LoggingBetaOptions: false };
      },
      'logging.options.json: needs the LoggingBetaOptions feature gate, which featureGates turns off',
    ],
    [
      'an unknown feature gate, as kube-proxy refuses it',
      (c) => void (c.featureGates = { NoSuchGate: true }),
      'featureGates: unrecognized feature gate: NoSuchGate',
    ],
    [
      'a locked feature gate turned off',
      (c) => void (c.featureGates = { NFTablesProxyMode: false }),
      'featureGates: cannot set feature gate NFTablesProxyMode to false, feature is locked to true',
    ],
  ])('refuses %s', (_name, edit, message) => {
    expect(problemsAfter(edit)).toEqual([message]);
  });

  it.each<[string, Edit]>([
    ['mode ipvs', (c) => void (c.mode = 'ipvs')],
    ['every kernel scheduler', (c) => void (c.ipvs.scheduler = 'mh')],
    ['minSyncPeriod equal to syncPeriod', (c) => void (c.ipvs.minSyncPeriod = s(30))],
    ['masqueradeBit 0 and 31', (c) => void (c.iptables.masqueradeBit = 31)],
    ['oomScoreAdj at the bounds', (c) => void (c.oomScoreAdj = -1000)],
    ['healthz disabled', (c) => void (c.healthzBindAddress = '')],
    [
      'IPv6 addresses',
      (c) => {
        c.bindAddress = '::';
        c.healthzBindAddress = '[::]:10256';
        c.metricsBindAddress = '[::1]:10249';
      },
    ],
    ['leading zeros, as ParseIPSloppy', (c) => void (c.bindAddress = '010.000.000.001')],
    [
      'nodePortAddresses keywords and CIDRs together',
      (c) => void (c.nodePortAddresses = ['primary', 'localhost', 'all', '10.0.0.0/8', 'fd00::/64']),
    ],
    ['dual-stack clusterCIDR', (c) => void (c.clusterCIDR = 'fd00:10:244::/56,10.244.0.0/16')],
    ['portRange forms', (c) => void (c.portRange = '30000+2767')],
    ['showHiddenMetricsForVersion', (c) => void (c.showHiddenMetricsForVersion = '1.30')],
    [
      'text options with the alpha gate',
      (c) => {
        c.logging.options.text.splitStream = true;
        c.featureGates = { LoggingAlphaOptions: true };
      },
    ],
    [
      'known feature gates, and a locked one at its value',
      (c) => void (c.featureGates = { WatchList: false, AllAlpha: true, NFTablesProxyMode: true }),
    ],
    ['json options by default', (c) => void (c.logging.options.json.infoBufferSize = '64Ki')],
    [
      'BridgeInterface with a bridge',
      (c) => {
        c.detectLocalMode = 'BridgeInterface';
        c.detectLocal.bridgeInterface = 'cbr0';
      },
    ],
  ])('accepts %s', (_name, edit) => {
    expect(problemsAfter(edit)).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(
      problemsAfter((c) => {
        c.mode = 'userspace';
        c.ipvs.scheduler = 'x';
        c.oomScoreAdj = 5000;
      }),
    ).toHaveLength(3);
  });
});

describe('configurationWarnings', () => {
  const warningsAfter = (edit: Edit): string[] => {
    const cfg = applyKubeProxyDefaults({ clusterCIDR: '10.244.0.0/16', nodePortAddresses: ['primary'] });
    edit(cfg);
    return configurationWarnings(cfg);
  };

  it('has nothing to say about a complete configuration', () => {
    expect(warningsAfter(() => {})).toEqual([]);
  });
  it.each<[string, Edit, RegExp]>([
    ['no clusterCIDR', (c) => void (c.clusterCIDR = ''), /^clusterCIDR is empty/],
    ['no nodePortAddresses', (c) => void (c.nodePortAddresses = []), /^nodePortAddresses is unset/],
    [
      'localhost NodePorts',
      (c) => void (c.nodePortAddresses = ['localhost']),
      /"localhost" has no effect in ipvs mode/,
    ],
    ['portRange', (c) => void (c.portRange = '1-2'), /^portRange has no effect/],
    [
      'feature gates',
      (c) => void (c.featureGates = { WatchList: true, MemoryQoS: true, LoggingAlphaOptions: true }),
      /^feature gates WatchList, MemoryQoS have no effect in kipvs/,
    ],
  ])('warns about %s', (_name, edit, pattern) => {
    expect(warningsAfter(edit)).toEqual([expect.stringMatching(pattern)]);
  });
});
