// Flag values as pflag and the Kubernetes flag types parse them.
import { describe, expect, it } from '@jest/globals';
import { parseProxyFlags } from '../../../src/config/flags/parse.js';
import { PROXY_FLAGS, findFlag, flagForConfigPath } from '../../../src/config/flags/table.js';
import { parseCsvRecord, parseFlagValue, parseGoBool, parseGoInt } from '../../../src/config/flags/values.js';

describe('parseGoBool (strconv.ParseBool)', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (t) => expect(parseGoBool(t)).toBe(true));
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (t) => expect(parseGoBool(t)).toBe(false));
  it.each(['yes', 'on', 'tRUE', '', ' true'])('%p is neither', (t) => expect(parseGoBool(t)).toBeUndefined());
});

describe('parseGoInt (strconv.ParseInt base 0, 32 bits)', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['-999', -999],
    ['+14', 14],
    ['0x1f', 31],
    ['0X1F', 31],
    ['017', 15],
    ['0o17', 15],
    ['0b101', 5],
    ['1_000', 1000],
    ['0x_ff', 255],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
  ])('%s is %d', (text, value) => expect(parseGoInt(text)).toBe(value));
  it.each(['', '1.0', '08', '2147483648', '-2147483649', '1__0', '10_', '_1', '0x', 'ten', ' 1'])(
    'refuses %p',
    (text) => expect(parseGoInt(text)).toBeUndefined(),
  );
});

describe('parseCsvRecord (pflag string slices)', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['a,', ['a', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi"""', ['say "hi"']],
  ])('%p is %p', (text, fields) => expect(parseCsvRecord(text)).toEqual({ ok: true, value: fields }));
  it.each(['"open', 'a"b', '"a"b'])('refuses %p', (text) => expect(parseCsvRecord(text).ok).toBe(false));
});

describe('parseFlagValue', () => {
  it.each<[string, string, unknown]>([
    ['string', '', ''],
    ['float32', '7.5', 7.5],
    ['float32', '1e2', 100],
    ['duration', '1m30s', '1m30s'],
    ['ip', '', ''],
    ['ip', 'fd00::1', 'fd00::1'],
    ['ipPort', '10.0.0.1', '10.0.0.1'],
    ['ipPort', '[::1]:10249', '[::1]:10249'],
    ['ipPort', '', ''],
    ['portRange', '30000-32767', '30000-32767'],
    ['level', '4', 4],
    ['quantity', '64Ki', '64Ki'],
    ['mapStringBool', 'A=true, B=f,,', { A: true, B: false }],
    [
      'vmodule',
      'proxier*=5,sync=2',
      [
        { filePattern: 'proxier*', verbosity: 5 },
        { filePattern: 'sync', verbosity: 2 },
      ],
    ],
  ])('%s %p', (type, text, value) => expect(parseFlagValue(type, text)).toEqual({ ok: true, value }));

  it.each<[string, string, string]>([
    ['bool', 'maybe', '"maybe" is not a boolean (true or false)'],
    ['int32', '1.5', '"1.5" is not a 32-bit integer'],
    ['float32', 'fast', '"fast" is not a number'],
    ['float32', '', '"" is not a number'],
    ['duration', '30', 'missing unit in duration "30" (e.g. 30s, 1m30s, 250ms)'],
    ['ip', 'node1', '"node1" is not a valid IP address'],
    ['ipPort', 'node1:80', '"node1" is not a valid IP address'],
    ['ipPort', '1.2.3.4:http', '"http" is not a valid port'],
    ['ipPort', '1.2.3.4:', '"" is not a valid port'],
    ['portRange', '5-1', 'port range "5-1" ends before it starts'],
    ['level', '-1', '"-1" is not a verbosity level (0, 1, 2, ...)'],
    ['quantity', 'big', '"big" is not a quantity (e.g. 0, 512Ki, 1Mi)'],
    ['mapStringBool', 'A', 'malformed pair "A", expected name=true|false'],
    ['mapStringBool', 'A=yes', 'invalid value for A: "yes" is not true or false'],
    ['vmodule', 'x=', '"x=" is not pattern=N'],
  ])('%s refuses %p', (type, text, message) => expect(parseFlagValue(type, text)).toEqual({ ok: false, message }));
});

describe('parseProxyFlags', () => {
  const parse = (entries: [string, string[]][]) => parseProxyFlags(new Map(entries));

  it('keeps the last value of a repeated scalar flag, as pflag does', () => {
    const parsed = parse([
      ['ipvs-scheduler', ['rr', 'sh']],
      ['masquerade-all', ['true', 'false']],
    ]);
    expect(parsed.fields.map((f) => [f.spec.name, f.value])).toEqual([
      ['ipvs-scheduler', 'sh'],
      ['masquerade-all', false],
    ]);
  });

  it('accumulates repeated list and map flags', () => {
    const parsed = parse([
      ['ipvs-exclude-cidrs', ['10.0.0.0/8', '192.168.0.0/16,fd00::/8']],
      ['feature-gates', ['A=true', 'B=false,A=false']],
      ['vmodule', ['a=1', 'b=2']],
    ]);
    expect(parsed.fields.map((f) => f.value)).toEqual([
      ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'],
      { A: false, B: false },
      [
        { filePattern: 'a', verbosity: 1 },
        { filePattern: 'b', verbosity: 2 },
      ],
    ]);
  });

  it('separates options from configuration fields', () => {
    const parsed = parse([
      ['config', ['/c']],
      ['master', ['https://a']],
      ['cleanup', ['true']],
      ['hostname-override', ['N1']],
      ['healthz-port', ['0']],
      ['allow-insecure-apiserver', ['true']],
      ['audit-log-path', ['/var/log/kipvs-audit.log']],
    ]);
    expect(parsed.options).toEqual({
      configFile: '/c',
      master: 'https://a',
      cleanup: true,
      initOnly: false,
      version: false,
      hostnameOverride: 'N1',
      healthzPort: 0,
      allowInsecureApiserver: true,
      auditLogPath: '/var/log/kipvs-audit.log',
      iptablesBackend: 'auto',
    });
    expect(parsed.fields).toEqual([]);
  });

  it('treats an empty --config, --master or --hostname-override as not given, as kube-proxy does', () => {
    expect(
      parse([
        ['config', ['']],
        ['master', ['']],
        ['hostname-override', ['']],
      ]).options,
    ).toEqual({
      cleanup: false,
      initOnly: false,
      version: false,
      allowInsecureApiserver: false,
      auditLogPath: '-',
      iptablesBackend: 'auto',
    });
  });

  it('takes --iptables-backend auto, nft or legacy, and names the choices otherwise', () => {
    expect(parse([['iptables-backend', ['legacy']]]).options.iptablesBackend).toBe('legacy');
    expect(parse([['iptables-backend', ['xtables']]]).problems).toEqual([
      { path: '--iptables-backend', message: 'must be one of auto, nft, legacy' },
    ]);
  });

  it('collects every bad value, named by flag', () => {
    const parsed = parse([
      ['masquerade-all', ['maybe']],
      ['kube-api-burst', ['lots']],
      ['nope', ['1']],
    ]);
    expect(parsed.problems).toEqual([
      { path: '--masquerade-all', message: '"maybe" is not a boolean (true or false)' },
      { path: '--kube-api-burst', message: '"lots" is not a 32-bit integer' },
      { path: '--nope', message: 'unknown flag' },
    ]);
  });
});

describe('the flag table', () => {
  it('has every flag the issue and kube-proxy name', () => {
    const names = PROXY_FLAGS.map((f) => f.name);
    for (const name of [
      'config',
      'kubeconfig',
      'master',
      'hostname-override',
      'proxy-mode',
      'cluster-cidr',
      'ipvs-scheduler',
      'ipvs-sync-period',
      'ipvs-min-sync-period',
      'ipvs-strict-arp',
      'ipvs-exclude-cidrs',
      'ipvs-tcp-timeout',
      'ipvs-tcpfin-timeout',
      'ipvs-udp-timeout',
      'masquerade-all',
      'nodeport-addresses',
      'healthz-bind-address',
      'metrics-bind-address',
      'bind-address',
      'cleanup',
      'write-config-to',
      'v',
      'init-only',
      'feature-gates',
      'detect-local-mode',
      'pod-bridge-interface',
      'pod-interface-name-prefix',
      'iptables-masquerade-bit',
      'conntrack-max-per-core',
      'conntrack-min',
      'conntrack-tcp-be-liberal',
      'conntrack-udp-timeout',
      'conntrack-udp-timeout-stream',
      'config-sync-period',
      'kube-api-qps',
      'kube-api-burst',
      'kube-api-content-type',
      'oom-score-adj',
      'profiling',
      'bind-address-hard-fail',
      'show-hidden-metrics-for-version',
      'healthz-port',
      'metrics-port',
      'proxy-port-range',
      'vmodule',
      'logging-format',
      'log-flush-frequency',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('maps each configuration flag to a real field path', () => {
    expect(flagForConfigPath('ipvs.scheduler')?.name).toBe('ipvs-scheduler');
    expect(findFlag('masquerade-all')?.target).toEqual({ config: ['iptables', 'masqueradeAll'] });
  });

  it('lets only the flags kube-proxy honours with --config apply', () => {
    expect(PROXY_FLAGS.filter((f) => f.withConfig === 'applies').map((f) => f.name)).toEqual([
      'config',
      'write-config-to',
      'cleanup',
      'init-only',
      'version',
      'allow-insecure-apiserver',
      'audit-log-path',
      'iptables-backend',
      'master',
      'hostname-override',
      'v',
      'vmodule',
      'logging-format',
      'log-flush-frequency',
      'log-text-split-stream',
      'log-text-info-buffer-size',
      'log-json-split-stream',
      'log-json-info-buffer-size',
    ]);
  });
});
