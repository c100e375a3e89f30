// `kipvs doctor` end to end: the built command (node build/cli/main.js) run as a person runs it,
// on a host tree (--host-root), with an empty PATH so that no iptables tool of this machine is
// found; exit status 1 on any FAIL, 0 otherwise.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../cli/run-kipvs.js';
import { configText, hostTree, kubeconfigText, preparedNode, writeCredentials } from './host-tree.js';

const tree = hostTree();
let config = '';
let emptyPath = '';

beforeAll(() => {
  preparedNode(tree);
  const creds = writeCredentials(tree);
  const kubeconfig = tree.write(
    'etc/kipvs/kubeconfig',
    kubeconfigText(
      `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
      `{tokenFile: ${creds.tokenFile}}`,
    ),
    0o600,
  );
  config = tree.write('etc/kipvs/config.conf', configText(kubeconfig));
  emptyPath = join(tree.root, 'bin');
  mkdirSync(emptyPath);
});
afterAll(() => tree.remove());

function doctor(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'build/cli/main.js'), 'doctor', '--host-root', tree.root, ...args],
    { encoding: 'utf8', env: { PATH: emptyPath } },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  check: string;
  status: string;
  message: string;
  fix: string | null;
}

describe('kipvs doctor', () => {
  it('exits 0 on a prepared node (warnings allowed), JSON an array of {check, status, message, fix}', () => {
    const run = doctor('--config', config, '-o', 'json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    for (const f of findings) expect(Object.keys(f)).toEqual(['check', 'status', 'message', 'fix']);
    expect(findings.map((f) => f.check)).toEqual([
      'config-file',
      'configuration',
      'kubeconfig-file',
      'api-server-tls',
      'token-file',
      'healthz-bind-address',
      'metrics-bind-address',
      'kernel-modules',
      'ipvs-schedulers',
      'capabilities',
      'sysctl:net.ipv4.ip_forward',
      'sysctl:net.ipv4.vs.conntrack',
      'sysctl:net.ipv4.vs.expire_nodest_conn',
      'sysctl:net.ipv4.vs.expire_quiescent_template',
      'sysctl:net.ipv4.conf.all.route_localnet',
      'iptables-backend',
      'kube-proxy',
    ]);
    // No iptables tool on the empty PATH: the one warning.
    expect(findings.filter((f) => f.status !== 'PASS').map((f) => [f.check, f.status])).toEqual([
      ['iptables-backend', 'WARN'],
    ]);
    expect(findings.filter((f) => f.status === 'PASS').every((f) => f.fix === null)).toBe(true);
  });

  it('exits 1 on any FAIL: metrics on every interface; 0 with --allow-exposed-metrics', () => {
    const exposed = doctor(
      '--config',
      tree.write('etc/kipvs/exposed.conf', configText('""', 'metricsBindAddress: 0.0.0.0:10249\n')),
      '-o',
      'json',
    );
    expect(exposed.status).toBe(1);
    const metrics = (JSON.parse(exposed.stdout) as JsonFinding[]).find((f) => f.check === 'metrics-bind-address');
    expect(metrics?.status).toBe('FAIL');
    const flagged = doctor(
      '--metrics-bind-address=0.0.0.0:10249',
      '--kubeconfig',
      join(tree.root, 'etc/kipvs/kubeconfig'),
      '--allow-exposed-metrics',
      '-o',
      'json',
    );
    expect((JSON.parse(flagged.stdout) as JsonFinding[]).find((f) => f.check === 'metrics-bind-address')?.status).toBe(
      'WARN',
    );
  });

  it('exits 1 on a kube-proxy running beside it', () => {
    tree.write('proc/5351/comm', 'kube-proxy\n');
    try {
      const run = doctor('--config', config);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^FAIL {2}kube-proxy is running \(pid 5351\)/m);
    } finally {
      tree.write('proc/5351/comm', 'sleep\n');
    }
  });

  it('prints one aligned line per check, the fix under it, and the counts', () => {
    const run = doctor('--config', config);
    const lines = run.stdout.trimEnd().split('\n');
    const summary = lines.pop();
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line).toMatch(/^(PASS|WARN|FAIL) {2}\S|^ {6}fix: \S/);
    expect(lines).toContain(`PASS  configuration file ${config}: mode 0644, owner root`);
    const iptables = lines.findIndex((l) => l.startsWith('WARN  iptables: neither backend could be read'));
    expect(lines[iptables + 1]).toMatch(/^ {6}fix: run doctor where kipvs runs/);
    const count = (status: string): number => lines.filter((l) => l.startsWith(status)).length;
    expect(summary).toBe(`${count('PASS')} passed, ${count('WARN')} warned, ${count('FAIL')} failed`);
  });

  it('is listed by kipvs --help', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'build/cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/^ {2}doctor\b/m);
  });

  it("takes kube-proxy's flag spellings, and refuses flags kipvs proxy would refuse", () => {
    expect(doctor('--config', config, '--v', '4').status).toBe(0);
    const bad = doctor('--ipvs-min-sync-period=soon');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--ipvs-min-sync-period');
    // Proxy's actions are not doctor's flags.
    expect(doctor('--cleanup').status).toBe(1);
  });
});
