// Reading a --config file: YAML (1.1 scalars, line and column on errors),
// strict fields, Go types.
import { describe, expect, it } from '@jest/globals';
import { decodeKubeProxyConfiguration, parsePath } from '../../../src/config/decode.js';
import { GUIDE_CONFIG_AS_PRINTED, guideConfig } from './seed.js';

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';
const decode = (body: string, file = 'config.yaml') => decodeKubeProxyConfiguration(HEAD + body, file);
const messages = (body: string): string[] => decode(body).problems.map((p) => `${p.path}: ${p.message}`);

describe('the hardening guide example', () => {
  it('loads when indented as intended', () => {
    const result = decodeKubeProxyConfiguration(guideConfig(), 'config.conf');
    expect(result.problems).toEqual([]);
    expect(result.document).toMatchObject({
      bindAddress: '0.0.0.0',
      bindAddressHardFail: false,
      clientConnection: {
        acceptContentTypes: '',
        burst: 0,
        contentType: '',
        kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf',
        qps: 0,
      },
      clusterCIDR: '172.17.0.0/16',
    });
  });

  it('as printed, is refused field by field, pointing at clientConnection, with lines', () => {
    // kube-proxy's strict decoder also rejects these fields; its lenient retry
    // would then run without the kubeconfig path. kipvs stops instead.
    const result = decodeKubeProxyConfiguration(GUIDE_CONFIG_AS_PRINTED, 'config.conf');
    expect(result.problems.map((p) => [p.path, p.position?.line])).toEqual([
      ['kind', undefined],
      ['acceptContentTypes', 5],
      ['burst', 6],
      ['contentType', 7],
      ['kubeconfig', 8],
      ['qps', 9],
    ]);
    expect(result.problems[4]?.message).toBe(
      'unknown field "kubeconfig" here; did you mean clientConnection.kubeconfig? (check the indentation)',
    );
    expect(result.problems[0]?.message).toMatch(/required: kind must be "KubeProxyConfiguration"/);
  });
});

describe('YAML syntax', () => {
  it.each([
    [
      'ipvs:\n  scheduler: [rr\nmode: ipvs\n',
      5,
      1,
      'Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['mode: "ipvs\n', 4, 1, 'Missing closing "quote'],
    ['ipvs:\n\tscheduler: rr\n', 4, 1, 'Tabs are not allowed as indentation'],
    ['ipvs: scheduler: rr\n', 3, 7, 'Nested mappings are not allowed in compact mappings'],
  ])('gives line and column: %p', (body, line, column, message) => {
    const result = decodeKubeProxyConfiguration(`${HEAD}${body}`, 'bad.yaml');
    expect(result.document).toBeUndefined();
    expect(result.problems[0]).toEqual({
      path: 'bad.yaml',
      message: `YAML syntax error: ${message}`,
      position: { file: 'bad.yaml', line, column },
    });
  });

  it('refuses duplicate keys, as strict decoding does', () => {
    const result = decode('mode: ipvs\nmode: ""\n');
    expect(result.problems).toEqual([
      {
        path: 'config.yaml',
        message: 'YAML syntax error: Map keys must be unique',
        position: { file: 'config.yaml', line: 4, column: 1 },
      },
    ]);
  });

  it('refuses a second document', () => {
    expect(decode('---\nkind: KubeProxyConfiguration\n').problems[0]?.message).toMatch(/more than one YAML document/);
  });

  it('refuses a file that is not a mapping', () => {
    expect(decodeKubeProxyConfiguration('- a\n- b\n', 'x').problems[0]?.message).toBe(
      'must hold a KubeProxyConfiguration mapping, got a list',
    );
    expect(decodeKubeProxyConfiguration('just text', 'x').problems[0]?.message).toBe(
      'must hold a KubeProxyConfiguration mapping, got "just text"',
    );
  });

  it('treats an empty file as one with neither apiVersion nor kind', () => {
    expect(decodeKubeProxyConfiguration('', 'x').problems.map((p) => p.path)).toEqual(['apiVersion', 'kind']);
  });

  it('reads YAML 1.1 booleans and octals as go-yaml does, but keeps dates and h:m:s as strings', () => {
    const result = decode(
      'ipvs:\n  strictARP: yes\n  scheduler: "rr"\niptables:\n  masqueradeAll: on\noomScoreAdj: -0777\nhostnameOverride: 2024-01-02\nportRange: 1:30\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.document).toMatchObject({
      ipvs: { strictARP: true },
      iptables: { masqueradeAll: true },
      oomScoreAdj: -511,
      hostnameOverride: '2024-01-02',
      portRange: '1:30',
    });
  });

  it('accepts JSON, which is YAML', () => {
    const result = decodeKubeProxyConfiguration(
      '{"apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration", "mode": "ipvs"}',
      'c.json',
    );
    expect(result.document?.mode).toBe('ipvs');
  });
});

describe('apiVersion and kind', () => {
  it('must both be present and right', () => {
    expect(decodeKubeProxyConfiguration('kind: KubeProxyConfiguration\n', 'x').problems.map((p) => p.path)).toEqual([
      'apiVersion',
    ]);
    const wrong = decodeKubeProxyConfiguration(
      'apiVersion: kubeproxy.config.k8s.io/v1alpha2\nkind: KubeletConfiguration\n',
      'x',
    );
    expect(wrong.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'apiVersion: must be "kubeproxy.config.k8s.io/v1alpha1", got "kubeproxy.config.k8s.io/v1alpha2"',
      'kind: must be "KubeProxyConfiguration", got "KubeletConfiguration"',
    ]);
  });
});

describe('fields', () => {
  it('rejects unknown fields by name at every level, in reading order', () => {
    expect(messages('ipvs:\n  schedular: rr\nlogging:\n  options:\n    text:\n      colour: true\nfoo: 1\n')).toEqual([
      'ipvs.schedular: unknown field "schedular"',
      'logging.options.text.colour: unknown field "colour"',
      'foo: unknown field "foo"',
    ]);
  });

  it('names fields kube-proxy removed', () => {
    expect(messages('udpIdleTimeout: 250ms\nconntrack:\n  max: 0\n')).toEqual([
      'udpIdleTimeout: unknown field "udpIdleTimeout": it was used only by the userspace proxy, removed in Kubernetes 1.26',
      'conntrack.max: unknown field "max": it was removed from kube-proxy; use conntrack.maxPerCore and conntrack.min',
    ]);
  });

  it('points out wrong letter case (strict decoding is case-sensitive)', () => {
    expect(messages('ipvs:\n  strictArp: true\n')).toEqual([
      'ipvs.strictArp: unknown field "strictArp"; field names are case-sensitive, did you mean ipvs.strictARP?',
    ]);
  });

  it('checks Go types, with the value and a hint', () => {
    expect(
      messages(
        'hostnameOverride: 1234\nipvs:\n  strictARP: "true"\n  syncPeriod: 30\noomScoreAdj: 1.5\nclientConnection:\n  burst: 3000000000\nnodePortAddresses: 10.0.0.0/8\nconntrack: []\n',
      ).sort(),
    ).toEqual(
      [
        'hostnameOverride: expected a string, got 1234 (quote it to make it a string: "1234")',
        'ipvs.syncPeriod: expected a string, got 30 (quote it to make it a string: "30")',
        'ipvs.strictARP: expected true or false, got "true"',
        'nodePortAddresses: expected a list, got "10.0.0.0/8"',
        'oomScoreAdj: expected a whole number, got 1.5',
        'conntrack: expected a mapping, got a list',
        'clientConnection.burst: must fit in a 32-bit signed integer (-2147483648..2147483647)',
      ].sort(),
    );
  });

  it('parses durations the Go way and says how to write them', () => {
    expect(messages('ipvs:\n  tcpTimeout: 5 minutes\n')).toEqual([
      'ipvs.tcpTimeout: unknown unit " minutes" in duration "5 minutes" (use Go duration syntax such as 30s, 1m30s, 250ms)',
    ]);
    expect(decode('ipvs:\n  tcpTimeout: 1h2m3.5s\n').document?.ipvs?.tcpTimeout?.toString()).toBe('1h2m3.5s');
  });

  it('reads null as unset, as Go does', () => {
    const result = decode('ipvs: null\nnodePortAddresses: ~\nconntrack:\n  maxPerCore: null\n');
    expect(result.problems).toEqual([]);
    expect(result.document).toEqual({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      conntrack: {},
    });
  });

  it('accepts every field kube-proxy has', () => {
    const all = `featureGates: {LoggingAlphaOptions: true}
clientConnection: {kubeconfig: /k, acceptContentTypes: application/json, contentType: application/json, qps: 7.5, burst: 20}
logging: {format: json, flushFrequency: 1000000000, verbosity: 4, vmodule: [{filePattern: "proxier*", verbosity: 5}], options: {text: {splitStream: true, infoBufferSize: 1Mi}, json: {splitStream: true, infoBufferSize: "64Ki"}}}
hostnameOverride: n1
bindAddress: 10.0.0.1
healthzBindAddress: 10.0.0.1:10256
metricsBindAddress: 10.0.0.1:10249
bindAddressHardFail: true
enableProfiling: true
showHiddenMetricsForVersion: "1.30"
mode: ipvs
iptables: {masqueradeBit: 13, masqueradeAll: true, localhostNodePorts: false, syncPeriod: 1m, minSyncPeriod: 2s}
ipvs: {syncPeriod: 1m, minSyncPeriod: 2s, scheduler: wrr, excludeCIDRs: [10.0.0.0/8], strictARP: true, tcpTimeout: 900s, tcpFinTimeout: 120s, udpTimeout: 300s}
nftables: {masqueradeBit: 13, masqueradeAll: true, syncPeriod: 1m, minSyncPeriod: 2s}
winkernel: {networkName: net, sourceVip: 1.1.1.1, enableDSR: true, rootHnsEndpointName: r, forwardHealthCheckVip: true}
detectLocalMode: InterfaceNamePrefix
detectLocal: {bridgeInterface: cbr0, interfaceNamePrefix: veth}
clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
nodePortAddresses: [primary]
oomScoreAdj: -998
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, tcpBeLiberal: true, udpTimeout: 30s, udpStreamTimeout: 300s}
configSyncPeriod: 1m
portRange: 30000-32767
windowsRunAsService: false
`;
    const result = decode(all);
    expect(result.problems).toEqual([]);
    expect(result.document?.logging?.flushFrequency?.toString()).toBe('1s');
    expect(result.document?.logging?.options?.text?.infoBufferSize).toBe('1Mi');
  });

  it('refuses a malformed quantity', () => {
    expect(messages('logging:\n  options:\n    json:\n      infoBufferSize: lots\n')).toEqual([
      'logging.options.json.infoBufferSize: "lots" is not a quantity (e.g. 0, 512Ki, 1Mi)',
    ]);
  });

  it('still returns the readable fields when some are bad, for validation to go on', () => {
    const result = decode(
      'ipvs:\n  scheduler: rr\n  syncPeriod: soon\n  excludeCIDRs: [10.0.0.0/8, 7]\nmode: ipvs\nbogus: 1\n',
    );
    expect(result.problems.map((p) => p.path)).toEqual(['ipvs.syncPeriod', 'ipvs.excludeCIDRs[1]', 'bogus']);
    expect(result.document).toEqual({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      ipvs: { scheduler: 'rr' },
      mode: 'ipvs',
    });
  });

  it('locates fields for later messages', () => {
    const result = decode('ipvs:\n  excludeCIDRs:\n  - 10.0.0.0/8\n  - nonsense\n');
    expect(result.locate('ipvs.excludeCIDRs[1]')).toEqual({ file: 'config.yaml', line: 6, column: 5 });
    expect(result.locate('mode')).toBeUndefined();
  });
});

describe('parsePath', () => {
  it('splits field paths', () => {
    expect(parsePath('ipvs.excludeCIDRs[1]')).toEqual(['ipvs', 'excludeCIDRs', 1]);
    expect(parsePath('logging.vmodule[0].filePattern')).toEqual(['logging', 'vmodule', 0, 'filePattern']);
  });
});
