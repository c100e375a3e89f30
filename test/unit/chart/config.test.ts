// The KubeProxyConfiguration the chart renders is one kipvs's own loader accepts, means what
// the values say, defaults to exactly kube-proxy's defaults, and the container's command line
// and environment lead kipvs to it and to the API server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  applyKubeProxyDefaults,
  applyPlatformDefaults,
  decodeKubeProxyConfiguration,
  defaultKubeProxyConfiguration,
  resolveApiServerConnection,
  resolveProxyConfig,
  validateKubeProxyConfiguration,
} from '../../../src/config/index.js';
import type { KubeProxyConfiguration } from '../../../src/config/index.js';
import { tempDir } from '../config/files.js';
import { BASE_VALUES, configMapData, daemonSet, deepMerge, envOf, helm, render, type Container } from './helm.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Decode, default and validate the rendered file exactly as `kipvs proxy --config` would. */
function loadRendered(text: string): KubeProxyConfiguration {
  const decoded = decodeKubeProxyConfiguration(text, 'config.conf');
  expect(decoded.problems).toEqual([]);
  const cfg = applyKubeProxyDefaults(decoded.document);
  expect(validateKubeProxyConfiguration(cfg)).toEqual([]);
  applyPlatformDefaults(cfg);
  return cfg;
}

/** The rendered args as the flag occurrences `kipvs proxy` parses, with the config file moved to `configPath`. */
function flagsOf(container: Container, configPath: string): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (const arg of container.args ?? []) {
    if (arg === 'proxy') continue;
    const match = /^--([^=]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined) throw new Error(`unexpected argument ${arg}`);
    const value = match[1] === 'config' ? configPath : match[2].replace('$(NODE_NAME)', 'node-a');
    flags.set(match[1], [...(flags.get(match[1]) ?? []), value]);
  }
  return flags;
}

const REALISTIC = {
  config: {
    clusterCIDR: '10.244.0.0/16,fd00:10:244::/56',
    nodePortAddresses: ['192.168.10.0/24', 'primary'],
    ipvs: {
      scheduler: 'lc',
      schedulerFlags: 'flag-1',
      strictARP: true,
      excludeCIDRs: ['10.100.0.0/16'],
      minSyncPeriod: '1s',
      syncPeriod: '1m0s',
      tcpTimeout: '15m0s',
    },
    iptables: { masqueradeAll: true, masqueradeBit: 15 },
    conntrack: { maxPerCore: 0, tcpBeLiberal: true },
    logging: { format: 'json', verbosity: 2 },
    clientConnection: { qps: 20, burst: 40 },
    featureGates: { InOrderInformers: true },
  },
};

describe('the rendered KubeProxyConfiguration', () => {
  it("with the default values is exactly kube-proxy's default configuration in IPVS mode", () => {
    const cfg = loadRendered(configMapData(render())['config.conf'] ?? '');
    expect(cfg).toEqual(defaultKubeProxyConfiguration());
    expect(cfg.mode).toBe('ipvs');
    expect(cfg.metricsBindAddress).toBe('127.0.0.1:10249');
    expect(cfg.healthzBindAddress).toBe('0.0.0.0:10256');
    expect(cfg.clientConnection.kubeconfig).toBe('');
  });

  it('carries realistic values through to the settings the proxier reads', async () => {
    const objects = render(REALISTIC);
    const text = configMapData(objects)['config.conf'] ?? '';
    const cfg = loadRendered(text);
    expect(cfg.clusterCIDR).toBe('10.244.0.0/16,fd00:10:244::/56');
    expect(cfg.featureGates).toEqual({ InOrderInformers: true });
    expect(cfg.logging.format).toBe('json');
    expect(cfg.conntrack.tcpBeLiberal).toBe(true);

    // Now as `kipvs proxy` resolves it from the container's own arguments.
    const file = tmp.file('config.conf', text, 0o444);
    const resolved = await resolveProxyConfig({
      flags: flagsOf(daemonSet(objects).kipvs, file),
      hostname: () => 'unused',
    });
    expect(resolved.nodeName).toBe('node-a');
    expect(resolved.ipvs).toMatchObject({
      scheduler: 'lc',
      schedulerFlags: { sched1: true, sched2: false, sched3: false },
      strictARP: true,
      excludeCIDRs: ['10.100.0.0/16'],
      masqueradeAll: true,
      masqueradeBit: 15,
      clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
    });
    expect(String(resolved.ipvs.syncPeriod)).toBe('1m0s');
    expect(String(resolved.ipvs.minSyncPeriod)).toBe('1s');
  });
});

describe('the API server connection', () => {
  const sa = tempDir();
  beforeAll(() => {
    const key = `${sa.dir}/ca.key`;
    const pem = `${sa.dir}/ca.pem`;
    const run = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-keyout',
      key,
      '-out',
      pem,
      '-subj',
      '/CN=kubernetes-ca',
    ]);
    if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr.toString()}`);
    sa.file('ca.crt', readFileSync(pem, 'utf8'), 0o644);
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    sa.file('token', `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:kube-system:kipvs' })}.sig`, 0o600);
  });
  afterAll(() => sa.remove());

  it('goes to apiServer.host over https with the service account token, not to the kubernetes Service ClusterIP', async () => {
    const env = envOf(daemonSet(render({ apiServer: { host: 'cp.example.internal', port: 6443 } })).kipvs);
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('cp.example.internal');
    const { connection } = await resolveApiServerConnection({
      clientConnection: defaultKubeProxyConfiguration().clientConnection,
      allowInsecureApiserver: false,
      env: {
        KUBERNETES_SERVICE_HOST: env.get('KUBERNETES_SERVICE_HOST'),
        KUBERNETES_SERVICE_PORT: env.get('KUBERNETES_SERVICE_PORT'),
      },
      serviceAccountDir: sa.dir,
    });
    expect(connection.server).toBe('https://cp.example.internal:6443');
    expect(connection.auth.tokenFile).toBe(`${sa.dir}/token`);
    expect(connection.tls.insecureSkipVerify).toBe(false);
  });

  it("must be set unless kube-proxy's own kubeconfig is used", () => {
    const result = helm('template', { apiServer: { host: '' } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set apiServer.host');
  });
});

describe('kubeProxyConfig.existingConfigMap (the drop-in migration)', () => {
  const objects = render({ apiServer: { host: '' }, kubeProxyConfig: { existingConfigMap: 'kube-proxy' } });
  const ds = daemonSet(objects);

  it("runs with kube-proxy's ConfigMap mounted where kube-proxy has it, and renders no configuration of its own", () => {
    expect(ds.kipvs.args).toEqual([
      'proxy',
      '--config=/var/lib/kube-proxy/config.conf',
      '--hostname-override=$(NODE_NAME)',
      '--iptables-backend=auto',
    ]);
    expect(ds.kipvs.volumeMounts?.find((m) => m.mountPath === '/var/lib/kube-proxy')).toEqual({
      name: 'kube-proxy',
      mountPath: '/var/lib/kube-proxy',
      readOnly: true,
    });
    expect(ds.pod.volumes?.find((v) => v.name === 'kube-proxy')?.configMap).toEqual({
      name: 'kube-proxy',
      defaultMode: 0o400,
    });
    expect(Object.keys(configMapData(objects))).toEqual(['node-init.sh']);
    expect(envOf(ds.kipvs).has('KUBERNETES_SERVICE_HOST')).toBe(false);
  });

  it('accepts the configuration kubeadm writes for kube-proxy in IPVS mode', async () => {
    // kubeadm's config.conf (trimmed to what it sets), next to its kubeconfig.conf.
    const dir = tempDir();
    try {
      const kubeconfig = dir.file('kubeconfig.conf', 'apiVersion: v1\nkind: Config\n', 0o644);
      const text = [
        'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
        'kind: KubeProxyConfiguration',
        'bindAddress: 0.0.0.0',
        'clientConnection:',
        '  acceptContentTypes: ""',
        '  burst: 0',
        '  contentType: ""',
        `  kubeconfig: ${kubeconfig}`,
        '  qps: 0',
        'clusterCIDR: 10.244.0.0/16',
        'configSyncPeriod: 0s',
        'conntrack:',
        '  maxPerCore: null',
        '  min: null',
        '  tcpCloseWaitTimeout: null',
        '  tcpEstablishedTimeout: null',
        'ipvs:',
        '  excludeCIDRs: null',
        '  minSyncPeriod: 0s',
        '  scheduler: ""',
        '  strictARP: false',
        '  syncPeriod: 0s',
        'metricsBindAddress: ""',
        'mode: ipvs',
        'nodePortAddresses: null',
        '',
      ].join('\n');
      const file = dir.file('config.conf', text, 0o444);
      const resolved = await resolveProxyConfig({ flags: flagsOf(ds.kipvs, file), hostname: () => 'unused' });
      expect(resolved.configuration.clientConnection.kubeconfig).toBe(kubeconfig);
      expect(resolved.configuration.metricsBindAddress).toBe('127.0.0.1:10249');
      expect(resolved.nodeName).toBe('node-a');
    } finally {
      dir.remove();
    }
  });
});

// Keeps the deep merge honest: BASE_VALUES itself is never changed by a test.
it('leaves the base values alone', () => {
  deepMerge(BASE_VALUES, { apiServer: { host: 'x' } });
  expect(BASE_VALUES).toEqual({ apiServer: { host: '192.0.2.10' } });
});
