// Every field's default, as kube-proxy's v1alpha1 defaulting gives it.
import { describe, expect, it } from '@jest/globals';
import {
  appendPortIfNeeded,
  applyKubeProxyDefaults,
  defaultKubeProxyConfiguration,
} from '../../../src/config/defaults.js';
import { encodeKubeProxyConfiguration } from '../../../src/config/decode.js';
import { Duration } from '../../../src/config/duration.js';

/** The defaulted configuration of an empty v1alpha1 object, in its written form. */
const KUBE_PROXY_DEFAULTS = {
  apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
  kind: 'KubeProxyConfiguration',
  featureGates: {},
  clientConnection: {
    kubeconfig: '',
    acceptContentTypes: '',
    contentType: 'application/vnd.kubernetes.protobuf',
    qps: 5,
    burst: 10,
  },
  logging: {
    format: 'text',
    flushFrequency: '5s',
    verbosity: 0,
    vmodule: [],
    options: { text: { splitStream: false, infoBufferSize: '0' }, json: { splitStream: false, infoBufferSize: '0' } },
  },
  hostnameOverride: '',
  bindAddress: '0.0.0.0',
  healthzBindAddress: '0.0.0.0:10256',
  metricsBindAddress: '127.0.0.1:10249',
  bindAddressHardFail: false,
  enableProfiling: false,
  showHiddenMetricsForVersion: '',
  mode: '',
  iptables: {
    masqueradeBit: 14,
    masqueradeAll: false,
    localhostNodePorts: true,
    syncPeriod: '30s',
    minSyncPeriod: '1s',
  },
  ipvs: {
    syncPeriod: '30s',
    minSyncPeriod: '0s',
    scheduler: '',
    excludeCIDRs: [],
    strictARP: false,
    tcpTimeout: '0s',
    tcpFinTimeout: '0s',
    udpTimeout: '0s',
  },
  nftables: { masqueradeBit: 14, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
  winkernel: {
    networkName: '',
    sourceVip: '',
    enableDSR: false,
    rootHnsEndpointName: '',
    forwardHealthCheckVip: false,
  },
  detectLocalMode: '',
  detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
  clusterCIDR: '',
  nodePortAddresses: [],
  oomScoreAdj: -999,
  conntrack: {
    maxPerCore: 32768,
    min: 131072,
    tcpEstablishedTimeout: '24h0m0s',
    tcpCloseWaitTimeout: '1h0m0s',
    tcpBeLiberal: false,
    udpTimeout: '0s',
    udpStreamTimeout: '0s',
  },
  configSyncPeriod: '15m0s',
  portRange: '',
  windowsRunAsService: false,
};

/** [field path, default] for every leaf, so each default is its own test. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value]];
}

const get = (root: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);

describe('applyKubeProxyDefaults', () => {
  const encoded = encodeKubeProxyConfiguration(applyKubeProxyDefaults({}));

  it.each(leaves(KUBE_PROXY_DEFAULTS))('%s defaults to %p', (path, expected) => {
    expect(get(encoded, path)).toEqual(expected);
  });

  it('fills exactly the fields kube-proxy has', () => {
    expect(encoded).toEqual(KUBE_PROXY_DEFAULTS);
  });

  it('treats a zero in a plain field as unset, like Go', () => {
    const cfg = applyKubeProxyDefaults({
      bindAddress: '',
      clientConnection: { qps: 0, burst: 0, contentType: '' },
      ipvs: { syncPeriod: Duration.ZERO },
      iptables: { syncPeriod: Duration.ZERO, minSyncPeriod: Duration.ZERO },
      configSyncPeriod: Duration.ZERO,
      logging: { format: '', flushFrequency: Duration.ZERO },
    });
    expect(cfg.bindAddress).toBe('0.0.0.0');
    expect(cfg.clientConnection).toMatchObject({
      qps: 5,
      burst: 10,
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(cfg.ipvs.syncPeriod.toString()).toBe('30s');
    expect(cfg.iptables.minSyncPeriod.toString()).toBe('1s');
    expect(cfg.configSyncPeriod.toString()).toBe('15m0s');
    expect(cfg.logging.format).toBe('text');
    expect(cfg.logging.flushFrequency.toString()).toBe('5s');
  });

  it('keeps an explicit zero in a pointer field, like Go', () => {
    const cfg = applyKubeProxyDefaults({
      oomScoreAdj: 0,
      iptables: { masqueradeBit: 0, localhostNodePorts: false },
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: Duration.ZERO, tcpCloseWaitTimeout: Duration.ZERO },
    });
    expect(cfg.oomScoreAdj).toBe(0);
    expect(cfg.iptables.masqueradeBit).toBe(0);
    expect(cfg.iptables.localhostNodePorts).toBe(false);
    expect(cfg.conntrack.maxPerCore).toBe(0);
    expect(cfg.conntrack.min).toBe(0);
    expect(cfg.conntrack.tcpEstablishedTimeout.isZero()).toBe(true);
    expect(cfg.conntrack.tcpCloseWaitTimeout.isZero()).toBe(true);
  });

  it('keeps a negative period for validation to refuse, as Go does', () => {
    const cfg = applyKubeProxyDefaults({ ipvs: { syncPeriod: Duration.seconds(-1) } });
    expect(cfg.ipvs.syncPeriod.toString()).toBe('-1s');
  });

  it('derives the server addresses from an IPv6 bindAddress', () => {
    const cfg = applyKubeProxyDefaults({ bindAddress: 'fd00::10' });
    expect(cfg.healthzBindAddress).toBe('[::]:10256');
    expect(cfg.metricsBindAddress).toBe('[::1]:10249');
  });

  it('derives IPv6 server addresses from a bindAddress that is not an IP, as kube-proxy does', () => {
    const cfg = applyKubeProxyDefaults({ bindAddress: 'not-an-ip' });
    expect(cfg.healthzBindAddress).toBe('[::]:10256');
  });

  it('appends the default port to a server address without one', () => {
    const cfg = applyKubeProxyDefaults({ healthzBindAddress: '10.0.0.1', metricsBindAddress: '::' });
    expect(cfg.healthzBindAddress).toBe('10.0.0.1:10256');
    expect(cfg.metricsBindAddress).toBe('[::]:10249');
  });

  it('copies lists rather than sharing them', () => {
    const excludeCIDRs = ['10.0.0.0/8'];
    const cfg = applyKubeProxyDefaults({ ipvs: { excludeCIDRs } });
    cfg.ipvs.excludeCIDRs.push('x');
    expect(excludeCIDRs).toEqual(['10.0.0.0/8']);
  });
});

describe('appendPortIfNeeded', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4:99'],
    ['1.2.3.4:80', '1.2.3.4:80'],
    ['::1', '[::1]:99'],
    ['[::1]:80', '[::1]:80'],
    ['nonsense', 'nonsense'],
    ['', ''],
  ])('%p becomes %p', (address, expected) => {
    expect(appendPortIfNeeded(address, 99)).toBe(expected);
  });
});

describe('defaultKubeProxyConfiguration', () => {
  it('is the file defaults with kube-proxy platform defaulting for ipvs', () => {
    const cfg = defaultKubeProxyConfiguration();
    expect(cfg.mode).toBe('ipvs');
    expect(cfg.detectLocalMode).toBe('ClusterCIDR');
    expect(cfg.ipvs.minSyncPeriod.toString()).toBe('0s');
  });
});
