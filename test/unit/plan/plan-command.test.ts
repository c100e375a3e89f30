// `kipvs plan` end to end: the built CLI on fixture files. Each expected output
// in test/fixtures/plan was written by working through what kube-proxy's IPVS
// proxier programs for those objects, and iptables-save / ipset save / ipvsadm
// -Sn print for it.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs as build/test/unit/plan/plan-command.test.js. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixture = (name: string): string => `test/fixtures/plan/${name}`;

function plan(args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(join(repoRoot, 'bin/kipvs'), ['plan', ...args], { cwd: repoRoot, input, encoding: 'utf8' });
  return { status, stdout, stderr };
}

/** One section of the text output, from its "# TITLE" line to the blank line after it. */
function section(stdout: string, title: string): string {
  const found = stdout.split('\n\n').find((block) => block.startsWith(`# ${title}`));
  if (found === undefined) throw new Error(`no section "${title}" in:\n${stdout}`);
  return `${found.replace(/\n$/, '')}\n`;
}

/** A node IPv4-only cluster with its pod range and NodePorts on the node network. */
const IPV4_NODE = ['--node-name', 'node-a', '--ip-families', 'IPv4', '--cluster-cidr', '10.244.0.0/16', '--nodeport-addresses', '192.168.1.0/24'];

describe('kipvs plan, whole output', () => {
  it.each([
    ['cluster-ip-node-port', IPV4_NODE],
    ['load-balancer-source-ranges', [...IPV4_NODE, '--node-ip', '192.168.1.10']],
    ['external-traffic-policy-local', [...IPV4_NODE, '--node-ip=192.168.1.10']],
    [
      'dual-stack',
      [
        '--node-name=node-a',
        '--node-ip',
        '192.168.1.10',
        '--node-ip',
        'fd00:1::10',
        '--cluster-cidr=10.244.0.0/16,fd00:10:244::/56',
        '--nodeport-addresses',
        '192.168.1.0/24,fd00:1::/64',
      ],
    ],
  ])('%s', (name, args) => {
    const result = plan(['-f', fixture(`${name}.yaml`), ...args]);
    expect(result).toEqual({ status: 0, stdout: readFileSync(join(repoRoot, fixture(`${name}.expected.txt`)), 'utf8'), stderr: '' });
  });
});

describe('kipvs plan, input', () => {
  const redis = [
    '# IPVS (ipvsadm -Sn)',
    '-A -t 10.96.0.80:6379 -s wrr -p 600',
    '-a -t 10.96.0.80:6379 -r 10.244.1.20:6379 -m -w 1',
    '-a -t 10.96.0.80:6379 -r 10.244.3.20:6379 -m -w 1',
    '',
  ].join('\n');

  it('reads a List, and takes the node IP from the Node in it', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '--ipvs-scheduler', 'wrr']);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe('# kipvs plan for node node-a: IPv4, node IPs 192.168.1.10');
    expect(section(result.stdout, 'IPVS')).toBe(redis);
  });

  it('reads standard input for -f -', () => {
    const fromFile = plan(['-f', fixture('list.yaml'), ...IPV4_NODE]);
    const fromStdin = plan(['-f', '-', ...IPV4_NODE], readFileSync(join(repoRoot, fixture('list.yaml')), 'utf8'));
    expect(fromStdin).toEqual({ ...fromFile, status: 0 });
  });

  it('reports each object it skips on stderr, one line each, and plans the rest', () => {
    const result = plan(['-f', fixture('invalid.yaml'), ...IPV4_NODE, '--node-ip', '192.168.1.10']);
    expect(result.status).toBe(0);
    const lines = result.stderr.split('\n');
    expect(lines).toEqual([
      'test/fixtures/plan/invalid.yaml:37:1: default/web-0: kind Pod is not a Service, EndpointSlice or Node; skipped',
      expect.stringMatching(/^default\/bad-port: Service spec\.ports\[0\]\.port: .+/),
      expect.stringMatching(/^default\/bad-ip: Service spec\.clusterIP: "10\.96\.0\.999" .+/),
      expect.stringMatching(/^default\/good-abcde: EndpointSlice endpoints\[1\]\.addresses\[0\]: "not-an-ip" .+/),
      '',
    ]);
    expect(section(result.stdout, 'IPVS')).toBe('# IPVS (ipvsadm -Sn)\n-A -t 10.96.0.90:80 -s rr\n-a -t 10.96.0.90:80 -r 10.244.1.30:8080 -m -w 1\n');
  });

  it('refuses a file that does not parse, naming the line and column, and prints nothing', () => {
    expect(plan(['-f', '-', ...IPV4_NODE], 'kind: Service\nmetadata: name: a\n')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'kipvs: <stdin>:2:11: YAML syntax error: Nested mappings are not allowed in compact mappings\n',
    });
  });

  it('refuses a file it cannot read', () => {
    expect(plan(['-f', '/nonexistent/objects.yaml', ...IPV4_NODE])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'kipvs: /nonexistent/objects.yaml: cannot be read: no such file or directory\n',
    });
  });
});

describe('kipvs plan, node and flags', () => {
  it('refuses a --node-ip that is not an address', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '--node-ip', '192.168.1.10,10.0.0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--node-ip <ips>' argument '192\.168\.1\.10,10\.0\.0' is invalid\. "10\.0\.0" is not an IP address\./);
    expect(result.stdout).toBe('');
  });

  it('needs --node-name', () => {
    const result = plan(['-f', fixture('list.yaml')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/required option '--node-name <name>' not specified/);
  });

  it('refuses invalid configuration flags as kipvs proxy does', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '--ipvs-scheduler', 'fastest']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^kipvs: invalid configuration .*\n {2}--ipvs-scheduler: /);
  });

  it('serves NodePorts on no address, and says so, when it knows no node IP', () => {
    const result = plan(['-f', fixture('load-balancer-source-ranges.yaml'), ...IPV4_NODE]);
    expect(result.stderr).toBe('kipvs: warning: no node IP (give --node-ip, or a Node "node-a" with status.addresses): NodePorts are served on no address\n');
    expect(section(result.stdout, 'IPVS')).not.toMatch(/:31443/);
    expect(result.stdout.split('\n')[0]).toBe('# kipvs plan for node node-a: IPv4, node IPs none');
  });

  it("lets --bind-address replace the Node's IP as the primary, both still serving NodePorts", () => {
    const result = plan(['-f', fixture('cluster-ip-node-port.yaml'), ...IPV4_NODE, '--bind-address', '192.168.1.99']);
    expect(result.stdout.split('\n')[0]).toBe('# kipvs plan for node node-a: IPv4, node IPs 192.168.1.99');
    expect(section(result.stdout, 'IPVS').match(/^-A .*/gm)).toEqual(['-A -t 192.168.1.10:30080 -s rr', '-A -t 192.168.1.99:30080 -s rr', '-A -t 10.96.0.20:80 -s rr']);
  });

  it('takes --config as kipvs proxy does: the file wins over model flags, with a warning for each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kipvs-plan-'));
    try {
      const config = join(dir, 'config.yaml');
      writeFileSync(
        config,
        [
          'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
          'kind: KubeProxyConfiguration',
          'mode: ipvs',
          'clusterCIDR: 10.244.0.0/16',
          'nodePortAddresses: [192.168.1.0/24]',
          'iptables: {masqueradeAll: true}',
          'ipvs: {scheduler: lc, strictARP: true, tcpTimeout: 900s, excludeCIDRs: [10.200.0.0/16]}',
          '',
        ].join('\n'),
        { mode: 0o644 },
      );
      const result = plan(['-f', fixture('list.yaml'), '--node-name', 'node-a', '--ip-families', 'IPv4', '--config', config, '--ipvs-scheduler', 'wrr']);
      expect(result.stderr).toBe(`kipvs: warning: --ipvs-scheduler is ignored because --config is given (kube-proxy ignores it too); set ipvs.scheduler in ${config} instead\n`);
      expect(section(result.stdout, 'IPVS')).toBe(
        [
          '# IPVS (ipvsadm -Sn)',
          '# timeouts: ipvsadm --set 900 0 0',
          '# virtual servers in 10.200.0.0/16 are left alone (ipvs.excludeCIDRs)',
          '-A -t 10.96.0.80:6379 -s lc -p 600',
          '-a -t 10.96.0.80:6379 -r 10.244.1.20:6379 -m -w 1',
          '-a -t 10.96.0.80:6379 -r 10.244.3.20:6379 -m -w 1',
          '',
        ].join('\n'),
      );
      // masqueradeAll: every packet to a cluster IP is marked, pod or not.
      expect(section(result.stdout, 'iptables')).toContain(
        '\n-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n',
      );
      expect(section(result.stdout, 'sysctls')).toBe(
        [
          '# sysctls (sysctl -p)',
          'net.ipv4.conf.all.arp_announce = 2',
          'net.ipv4.conf.all.arp_ignore = 1',
          'net.ipv4.ip_forward = 1',
          'net.ipv4.vs.conntrack = 1',
          'net.ipv4.vs.expire_nodest_conn = 1',
          'net.ipv4.vs.expire_quiescent_template = 1',
          '',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kipvs plan -o json', () => {
  it('prints the node and the whole desired state as one JSON document', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '-o', 'json']);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['nodeName', 'nodeIPs', 'linkName', 'families', 'sysctls', 'problems']);
    expect(json).toMatchObject({ nodeName: 'node-a', nodeIPs: ['192.168.1.10'], linkName: 'kube-ipvs0', problems: [] });
    expect(json['families']).toEqual([
      expect.objectContaining({
        family: 'IPv4',
        virtualServers: [
          {
            virtualServer: {
              key: { family: 'inet', protocol: 'tcp', address: '10.96.0.80', port: 6379 },
              scheduler: 'rr',
              flags: { persistent: true, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false },
              timeout: 600,
              netmask: 0xffffffff,
            },
            realServers: ['10.244.1.20', '10.244.3.20'].map((address) => ({
              family: 'inet',
              address,
              port: 6379,
              forwarding: 'masquerade',
              weight: 1,
              upperThreshold: 0,
              lowerThreshold: 0,
            })),
            service: { namespace: 'cache', name: 'redis', port: 'redis', protocol: 'tcp' },
            role: 'cluster-ip',
          },
        ],
        linkAddresses: ['10.96.0.80'],
        excludeCIDRs: [],
      }),
    ]);
  });
});
