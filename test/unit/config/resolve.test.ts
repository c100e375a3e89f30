// Flag and file precedence, as kube-proxy's Options.Complete applies it.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../../src/config/problems.js';
import { resolveProxyConfig, type ValidatedProxyConfig } from '../../../src/config/resolve.js';
import { tempDir } from './files.js';
import { guideConfig } from './seed.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';
let n = 0;
const configFile = (body: string, mode = 0o644): string => tmp.file(`config-${n++}.yaml`, HEAD + body, mode);

const resolve = (args: Record<string, string | string[]>): Promise<ValidatedProxyConfig> =>
  resolveProxyConfig({
    flags: new Map(Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    hostname: () => ' Worker-1.Example ',
  });

async function problemsOf(args: Record<string, string | string[]>): Promise<string[]> {
  try {
    await resolve(args);
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map(
        (p) => `${p.path}: ${p.message}${p.position ? ` @${p.position.line}:${p.position.column}` : ''}`,
      );
    throw err;
  }
  throw new Error('resolved without problems');
}

describe('without --config', () => {
  it('runs with kube-proxy defaults, in ipvs mode', async () => {
    const r = await resolve({});
    expect(r.configuration.mode).toBe('ipvs');
    expect(r.configuration.detectLocalMode).toBe('ClusterCIDR');
    expect(r.ipvs.scheduler).toBe('rr');
    expect(r.nodeName).toBe('worker-1.example');
    expect(r.configuration.healthzBindAddress).toBe('0.0.0.0:10256');
    expect(r.configuration.metricsBindAddress).toBe('127.0.0.1:10249');
  });

  it("takes the 1s minimum sync period of kube-proxy's internal defaults", async () => {
    // `kube-proxy --proxy-mode=ipvs` converts its defaults with the iptables
    // section's minSyncPeriod; --write-config-to then writes ipvs.minSyncPeriod: 1s.
    expect((await resolve({})).configuration.ipvs.minSyncPeriod.toString()).toBe('1s');
    expect((await resolve({ 'ipvs-min-sync-period': '0s' })).configuration.ipvs.minSyncPeriod.toString()).toBe('0s');
  });

  it('applies every configuration flag', async () => {
    const r = await resolve({
      'proxy-mode': 'ipvs',
      'ipvs-scheduler': 'wrr',
      'ipvs-sync-period': '1m',
      'ipvs-min-sync-period': '5s',
      'ipvs-strict-arp': 'true',
      'ipvs-exclude-cidrs': '10.0.0.0/8,fd00::/8',
      'ipvs-tcp-timeout': '900s',
      'ipvs-tcpfin-timeout': '2m',
      'ipvs-udp-timeout': '5m',
      'masquerade-all': 'true',
      'iptables-masquerade-bit': '13',
      'cluster-cidr': '10.244.0.0/16,fd00:10:244::/56',
      'nodeport-addresses': 'primary',
      kubeconfig: '/etc/kp/kubeconfig',
      'kube-api-qps': '20',
      'kube-api-burst': '40',
      'bind-address': '10.0.0.5',
      'oom-score-adj': '-500',
      'conntrack-max-per-core': '0',
      'conntrack-tcp-be-liberal': 'true',
      'config-sync-period': '5m',
      'feature-gates': 'WatchList=true',
      'detect-local-mode': 'ClusterCIDR',
      v: '4',
    });
    const c = r.configuration;
    expect(r.ipvs).toMatchObject({
      scheduler: 'wrr',
      strictARP: true,
      excludeCIDRs: ['10.0.0.0/8', 'fd00::/8'],
      masqueradeAll: true,
      masqueradeBit: 13,
      clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
      nodePortAddresses: ['primary'],
    });
    expect(
      [
        c.ipvs.syncPeriod,
        c.ipvs.minSyncPeriod,
        c.ipvs.tcpTimeout,
        c.ipvs.tcpFinTimeout,
        c.ipvs.udpTimeout,
        c.configSyncPeriod,
      ].map(String),
    ).toEqual(['1m0s', '5s', '15m0s', '2m0s', '5m0s', '5m0s']);
    expect(c.clientConnection).toMatchObject({ kubeconfig: '/etc/kp/kubeconfig', qps: 20, burst: 40 });
    expect(c).toMatchObject({
      bindAddress: '10.0.0.5',
      oomScoreAdj: -500,
      featureGates: { WatchList: true },
      logging: { verbosity: 4 },
    });
    expect(c.conntrack).toMatchObject({ maxPerCore: 0, tcpBeLiberal: true });
  });

  it('does not default flag values again (an explicit empty or zero stays)', async () => {
    const r = await resolve({ 'healthz-bind-address': '', 'kube-api-qps': '0', 'kube-api-content-type': '' });
    expect(r.configuration.healthzBindAddress).toBe('');
    expect(r.configuration.clientConnection).toMatchObject({ qps: 0, contentType: '' });
  });

  it('folds the deprecated --healthz-port and --metrics-port into the addresses', async () => {
    expect((await resolve({ 'healthz-bind-address': '10.0.0.1' })).configuration.healthzBindAddress).toBe(
      '10.0.0.1:10256',
    );
    expect(
      (await resolve({ 'healthz-bind-address': '10.0.0.1', 'healthz-port': '1234' })).configuration.healthzBindAddress,
    ).toBe('10.0.0.1:1234');
    expect((await resolve({ 'healthz-port': '0' })).configuration.healthzBindAddress).toBe('');
    expect(
      (await resolve({ 'metrics-bind-address': '::', 'metrics-port': '9100' })).configuration.metricsBindAddress,
    ).toBe('[::]:9100');
    expect((await resolve({ 'metrics-port': '9100' })).warnings).toContain(
      '--metrics-port is deprecated: use --metrics-bind-address',
    );
  });

  it('refuses --metrics-port=0, as kube-proxy validation does (the metrics address cannot be empty)', async () => {
    expect(await problemsOf({ 'metrics-port': '0' })).toEqual([
      'metricsBindAddress: "" must be IP:port (missing port in address)',
    ]);
  });

  it('names the flag when a flag value is invalid', async () => {
    expect(
      await problemsOf({
        'ipvs-scheduler': 'fastest',
        'proxy-mode': 'iptables',
        'ipvs-exclude-cidrs': '10.0.0.0/8,bad',
        'cluster-cidr': 'x',
      }),
    ).toEqual([
      '--proxy-mode: kipvs implements only the ipvs proxy mode, got "iptables"; set "ipvs" or leave it empty',
      '--ipvs-exclude-cidrs: "bad" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/64)',
      '--ipvs-scheduler: unknown scheduler "fastest"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr)',
      '--cluster-cidr: "x" is not a valid CIDR (e.g. 10.244.0.0/16 or fd00:10:244::/56)',
    ]);
  });

  it('stops at syntax errors in flag values, naming each flag', async () => {
    await expect(resolve({ 'masquerade-all': 'maybe', 'ipvs-sync-period': 'soon' })).rejects.toMatchObject({
      kind: 'flags',
      problems: [
        { path: '--masquerade-all', message: '"maybe" is not a boolean (true or false)' },
        { path: '--ipvs-sync-period', message: 'invalid duration "soon" (e.g. 30s, 1m30s, 250ms)' },
      ],
    });
  });
});

describe('with --config', () => {
  it('loads the hardening guide example (indented as intended)', async () => {
    const r = await resolve({ config: tmp.file('guide.conf', guideConfig(), 0o644) });
    expect(r.configuration.clientConnection).toEqual({
      kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf',
      acceptContentTypes: '',
      contentType: 'application/vnd.kubernetes.protobuf',
      qps: 5,
      burst: 10,
    });
    expect(r.ipvs.clusterCIDRs).toEqual(['172.17.0.0/16']);
    expect(r.configuration.mode).toBe('ipvs');
  });

  it('uses the file and its defaults; ipvs.minSyncPeriod defaults to 0s there', async () => {
    const r = await resolve({ config: configFile('mode: ipvs\nipvs:\n  scheduler: sh\n') });
    expect(r.ipvs.scheduler).toBe('sh');
    expect(r.configuration.ipvs.minSyncPeriod.toString()).toBe('0s');
  });

  it('ignores configuration flags, as kube-proxy does, and says so', async () => {
    const path = configFile('ipvs:\n  scheduler: sh\n');
    const r = await resolve({
      config: path,
      'ipvs-scheduler': 'wrr',
      'masquerade-all': 'true',
      kubeconfig: '/other',
      'healthz-port': '1',
    });
    expect(r.ipvs.scheduler).toBe('sh');
    expect(r.ipvs.masqueradeAll).toBe(false);
    expect(r.configuration.clientConnection.kubeconfig).toBe('');
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        `--ipvs-scheduler is ignored because --config is given (kube-proxy ignores it too); set ipvs.scheduler in ${path} instead`,
        `--masquerade-all is ignored because --config is given (kube-proxy ignores it too); set iptables.masqueradeAll in ${path} instead`,
        `--kubeconfig is ignored because --config is given (kube-proxy ignores it too); set clientConnection.kubeconfig in ${path} instead`,
        '--healthz-port is ignored because --config is given (kube-proxy ignores it too)',
      ]),
    );
  });

  it('does not validate ignored flags either', async () => {
    await expect(resolve({ config: configFile(''), 'ipvs-scheduler': 'fastest' })).resolves.toBeDefined();
  });

  it('lets --hostname-override win over the file, trimmed and lower-cased', async () => {
    const path = configFile('hostnameOverride: from-file\n');
    expect((await resolve({ config: path })).nodeName).toBe('from-file');
    const r = await resolve({ config: path, 'hostname-override': '  Node-7 ' });
    expect(r.nodeName).toBe('node-7');
    expect(r.configuration.hostnameOverride).toBe('node-7');
  });

  it('refuses a blank --hostname-override', async () => {
    expect(await problemsOf({ config: configFile(''), 'hostname-override': '   ' })).toEqual([
      '--hostname-override: must not be blank',
    ]);
  });

  it('takes the node name from the hostname when nothing overrides it', async () => {
    expect((await resolve({ config: configFile('') })).nodeName).toBe('worker-1.example');
  });

  it('lets logging flags override the file, with flag vmodule entries first', async () => {
    const path = configFile(
      'logging:\n  verbosity: 2\n  format: text\n  vmodule:\n  - {filePattern: file, verbosity: 3}\n',
    );
    const r = await resolve({ config: path, v: '5', vmodule: 'flag=4', 'log-flush-frequency': '2s' });
    expect(r.configuration.logging).toMatchObject({
      verbosity: 5,
      vmodule: [
        { filePattern: 'flag', verbosity: 4 },
        { filePattern: 'file', verbosity: 3 },
      ],
    });
    expect(r.configuration.logging.flushFrequency.toString()).toBe('2s');
    expect((await resolve({ config: path })).configuration.logging.verbosity).toBe(2);
  });

  it('passes --master, --cleanup, --init-only and --write-config-to through', async () => {
    const r = await resolve({
      config: configFile(''),
      master: 'https://10.0.0.1:6443',
      cleanup: 'true',
      'init-only': 'true',
      'write-config-to': '/tmp/out',
    });
    expect(r.options).toMatchObject({
      master: 'https://10.0.0.1:6443',
      cleanup: true,
      initOnly: true,
      writeConfigTo: '/tmp/out',
    });
  });

  it('reports every bad field of a file in one error, in reading order, with positions', async () => {
    const path = configFile(
      'mode: iptables\nipvs:\n  scheduler: fastest\n  syncPeriod: soon\n  excludeCIDRs: [10.0.0.0/8, nonsense]\nconntrack:\n  min: -1\nbogus: true\n',
    );
    expect(await problemsOf({ config: path })).toEqual([
      'mode: kipvs implements only the ipvs proxy mode, got "iptables"; set "ipvs" or leave it empty @3:7',
      'ipvs.scheduler: unknown scheduler "fastest"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr) @5:14',
      'ipvs.syncPeriod: invalid duration "soon" (use Go duration syntax such as 30s, 1m30s, 250ms) @6:15',
      'ipvs.excludeCIDRs[1]: "nonsense" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/64) @7:30',
      'conntrack.min: must be greater than or equal to 0, got -1 @9:8',
      'bogus: unknown field "bogus" @10:1',
    ]);
  });

  it('renders a ConfigError one line per problem', async () => {
    const path = configFile('ipvs:\n  scheduler: fastest\n');
    await expect(resolve({ config: path })).rejects.toThrow(
      `invalid configuration (${path}), 1 problem:\n  ipvs.scheduler: unknown scheduler "fastest"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr) (${path}:4:14)`,
    );
  });

  it('refuses a configuration file others can write, or a missing one', async () => {
    const loose = configFile('', 0o666);
    expect(await problemsOf({ config: loose })).toEqual([
      `${loose}: configuration file is writable by group and others (mode 0666); run chmod go-w on it (0600 or 0644)`,
    ]);
    expect(await problemsOf({ config: `${tmp.dir}/nope.yaml` })).toEqual([
      `${tmp.dir}/nope.yaml: cannot read configuration file: no such file`,
    ]);
  });

  it('refuses a YAML syntax error with its line', async () => {
    const path = configFile('ipvs:\n\tscheduler: rr\n');
    expect(await problemsOf({ config: path })).toEqual([
      `${path}: YAML syntax error: Tabs are not allowed as indentation @4:1`,
    ]);
  });

  it('reads an empty mode as ipvs and refuses any other', async () => {
    expect((await resolve({ config: configFile('mode: ""\n') })).configuration.mode).toBe('ipvs');
    expect(await problemsOf({ config: configFile('mode: nftables\n') })).toEqual([
      'mode: kipvs implements only the ipvs proxy mode, got "nftables"; set "ipvs" or leave it empty @3:7',
    ]);
  });
});
