// The pod the chart renders: least privilege for kipvs's own container (docs/least-privilege.md),
// the privileged part confined to a short init container that can be turned off, the host
// paths kube-proxy uses and no others, and kube-proxy's scheduling (every node, critical).
import { describe, expect, it } from '@jest/globals';
import { BASE_VALUES, daemonSet, deepMerge, helm, render, type Container, type K8sObject } from './helm.js';

const RECOMMENDED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
];

describe('the kipvs container', () => {
  const { kipvs, pod } = daemonSet(render());

  it('is not privileged, cannot gain privileges, and has a read-only root filesystem', () => {
    const sc = kipvs.securityContext ?? {};
    expect(sc.privileged).toBe(false);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('drops every capability and adds back only NET_ADMIN and NET_RAW', () => {
    expect(kipvs.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
  });

  it('runs as uid 0 explicitly (capabilities reach no other uid; see docs/least-privilege.md)', () => {
    expect(kipvs.securityContext).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
  });

  it('mounts the host only where kube-proxy does: /lib/modules read-only and the xtables lock', () => {
    const hostPaths = (pod.volumes ?? [])
      .filter((v) => v.hostPath)
      .map((v) => [v.name, v.hostPath?.path, v.hostPath?.type]);
    expect(hostPaths).toEqual([
      ['xtables-lock', '/run/xtables.lock', 'FileOrCreate'],
      ['lib-modules', '/lib/modules', 'Directory'],
    ]);
    const mounts = new Map((kipvs.volumeMounts ?? []).map((m) => [m.name, m]));
    expect(mounts.get('lib-modules')).toEqual({ name: 'lib-modules', mountPath: '/lib/modules', readOnly: true });
    expect(mounts.get('xtables-lock')?.mountPath).toBe('/run/xtables.lock');
    expect(mounts.get('kipvs')).toEqual({ name: 'kipvs', mountPath: '/etc/kipvs', readOnly: true });
    // Everything else it can write is a small memory-backed /tmp.
    expect(
      [...mounts.values()]
        .filter((m) => !m.readOnly)
        .map((m) => m.mountPath)
        .sort(),
    ).toEqual(['/run/xtables.lock', '/tmp']);
  });

  it('gets the service account token readable by root only, and no other container gets it', () => {
    expect(pod['automountServiceAccountToken']).toBe(false);
    const volume = (pod.volumes ?? []).find((v) => v.name === 'kube-api-access') as
      | { projected?: { defaultMode: number; sources: Record<string, unknown>[] } }
      | undefined;
    expect(volume?.projected?.defaultMode).toBe(0o400);
    expect(volume?.projected?.sources).toEqual([
      { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ]);
    expect(kipvs.volumeMounts).toContainEqual({
      name: 'kube-api-access',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    });
    expect(JSON.stringify(pod.initContainers)).not.toContain('kube-api-access');
    for (const v of pod.volumes ?? [])
      if (v.configMap) expect([v.name, v.configMap.defaultMode]).toEqual([v.name, 0o400]);
  });

  it('probes /livez and /healthz on the health port', () => {
    expect(kipvs.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 10256 });
    expect(kipvs.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 10256 });
    expect(kipvs.ports).toEqual([{ name: 'healthz', containerPort: 10256, protocol: 'TCP' }]);
  });

  it('has resource requests and a memory limit', () => {
    expect(kipvs.resources).toEqual({ requests: { cpu: '100m', memory: '320Mi' }, limits: { memory: '512Mi' } });
  });
});

describe('iptables.mode', () => {
  const capabilities = (mode: string): unknown =>
    daemonSet(render({ iptables: { mode } })).kipvs.securityContext?.capabilities;
  const modeEnv = (mode: string): string | undefined =>
    daemonSet(render({ iptables: { mode } })).kipvs.env?.find((e) => e.name === 'KIPVS_IPTABLES_MODE')?.value;

  it('nft needs no CAP_NET_RAW (only iptables-legacy opens a raw socket)', () => {
    expect(capabilities('nft')).toEqual({ drop: ['ALL'], add: ['NET_ADMIN'] });
    expect(capabilities('legacy')).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
    expect(capabilities('auto')).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
  });

  it('is handed to the image entry point', () => {
    expect(modeEnv('nft')).toBe('nft');
    expect(modeEnv('auto')).toBe('auto');
  });

  it("is handed to kipvs, which runs that backend's tools (auto: it detects the node's)", () => {
    const args = (mode: string): string[] | undefined => daemonSet(render({ iptables: { mode } })).kipvs.args;
    expect(args('legacy')).toContain('--iptables-backend=legacy');
    expect(args('auto')).toContain('--iptables-backend=auto');
  });
});

describe('the node-init container', () => {
  const { init, pod } = daemonSet(render());

  it('is the only privileged part, runs the chart script, and mounts only what it needs, read-only', () => {
    expect(init).toBeDefined();
    const container = init as Container;
    expect(container.securityContext).toEqual({
      privileged: true,
      runAsUser: 0,
      runAsGroup: 0,
      readOnlyRootFilesystem: true,
    });
    expect(container.command).toEqual(['/bin/sh', '/etc/kipvs/node-init.sh']);
    expect(container.volumeMounts).toEqual([
      { name: 'kipvs', mountPath: '/etc/kipvs', readOnly: true },
      { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
    ]);
    expect(pod.containers.every((c) => c.securityContext?.privileged === false)).toBe(true);
  });

  it('can be turned off, leaving nothing privileged in the pod', () => {
    const { pod: without } = daemonSet(render({ nodeInit: { enabled: false } }));
    expect(without.initContainers).toBeUndefined();
    expect(JSON.stringify(without)).not.toContain('"privileged":true');
  });

  it("loads the configured scheduler module as required, and every other scheduler's (kube-proxy's three with allSchedulers off) as optional", () => {
    const env = (values: object): Record<string, string | undefined> =>
      Object.fromEntries((daemonSet(render(values)).init?.env ?? []).map((e) => [e.name, e.value]));
    expect(env({})).toMatchObject({
      KIPVS_MODULES: 'ip_vs ip_vs_rr nf_conntrack',
      KIPVS_OPTIONAL_MODULES:
        'ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs_twos',
    });
    expect(
      env({ config: { ipvs: { scheduler: 'mh' } }, nodeInit: { allSchedulers: false, extraModules: ['ip_vs_lc'] } }),
    ).toMatchObject({
      KIPVS_MODULES: 'ip_vs ip_vs_mh nf_conntrack ip_vs_lc',
      KIPVS_OPTIONAL_MODULES: 'ip_vs_rr ip_vs_wrr ip_vs_sh',
    });
  });
});

describe('the DaemonSet', () => {
  const objects = render();
  const ds = daemonSet(objects);

  it('runs on every Linux node, tolerating every taint, with the node-critical priority, in the host network', () => {
    expect(ds.pod.hostNetwork).toBe(true);
    expect(ds.pod.dnsPolicy).toBe('Default');
    expect(ds.pod.priorityClassName).toBe('system-node-critical');
    expect(ds.pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(ds.pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('keeps the Linux node selector when more labels are required', () => {
    expect(daemonSet(render({ nodeSelector: { 'node-role.example/proxy': 'kipvs' } })).pod.nodeSelector).toEqual({
      'kubernetes.io/os': 'linux',
      'node-role.example/proxy': 'kipvs',
    });
  });

  it('puts the recommended app.kubernetes.io labels on every object, and selects with a stable subset', () => {
    for (const object of objects) {
      for (const label of RECOMMENDED_LABELS)
        expect([object.kind, label, object.metadata.labels?.[label] !== undefined]).toEqual([object.kind, label, true]);
    }
    expect(Object.keys(ds.spec.selector.matchLabels).sort()).toEqual([
      'app.kubernetes.io/instance',
      'app.kubernetes.io/name',
    ]);
    for (const [key, value] of Object.entries(ds.spec.selector.matchLabels)) expect(ds.podLabels[key]).toBe(value);
  });

  it('rolls the pods when the configuration changes', () => {
    const checksum = (o: readonly K8sObject[]): string | undefined =>
      (daemonSet(o).object['spec'] as { template: { metadata: { annotations: Record<string, string> } } }).template
        .metadata.annotations['checksum/config'];
    expect(checksum(objects)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(render({ config: { ipvs: { scheduler: 'wrr' } } }))).not.toBe(checksum(objects));
  });

  it('pins the image by digest when one is given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(daemonSet(render({ image: { repository: 'registry.example/kipvs', digest } })).kipvs.image).toBe(
      `registry.example/kipvs@${digest}`,
    );
    expect(ds.kipvs.image).toBe('kipvs:0.1.0');
  });
});

describe('the health and metrics servers', () => {
  it('keeps metrics on loopback unless exposing them is acknowledged', () => {
    const refused = helm('template', deepMerge(BASE_VALUES, { config: { metricsBindAddress: '0.0.0.0:10249' } }));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('is not a loopback address');
    const allowed = daemonSet(
      render({ config: { metricsBindAddress: '0.0.0.0:10249' }, metrics: { allowNonLoopback: true } }),
    );
    expect(allowed.kipvs.ports?.map((p) => p.name)).toEqual(['healthz', 'metrics']);
    expect(
      daemonSet(render({ config: { metricsBindAddress: '[::1]:10249' } })).kipvs.ports?.map((p) => p.name),
    ).toEqual(['healthz']);
  });

  it('probes a specific health address on its own host and port', () => {
    const { kipvs } = daemonSet(render({ config: { healthzBindAddress: '10.0.0.5:10300' } }));
    expect(kipvs.livenessProbe?.httpGet).toEqual({ host: '10.0.0.5', path: '/livez', port: 10300 });
    expect(kipvs.readinessProbe?.httpGet).toEqual({ host: '10.0.0.5', path: '/healthz', port: 10300 });
  });
});
