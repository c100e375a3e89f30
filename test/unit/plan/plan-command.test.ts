// `kipvs plan` end to end: the built CLI on fixture files. Each expected output
// in test/fixtures/plan was written by working through what kube-proxy's IPVS
// proxier programs for those objects, and iptables-save / ipset save / ipvsadm
// -Sn print for it.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** This file runs as build/test/unit/plan/plan-command.test.js. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixture = (name: string): string => `test/fixtures/plan/${name}`;

function plan(args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(join(repoRoot, 'bin/kipvs'), ['plan', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

/** One section of the text output, from its "# TITLE" line to the blank line after it. */
function section(stdout: string, title: string): string {
  const found = stdout.split('\n\n').find((block) => block.startsWith(`# ${title}`));
  if (found === undefined) throw new Error(`no section "${title}" in:\n${stdout}`);
  return `${found.replace(/\n$/, '')}\n`;
}

/** A node IPv4-only cluster with its pod range and NodePorts on the node network. */
const IPV4_NODE = [
  '--node-name',
  'node-a',
  '--ip-families',
  'IPv4',
  '--cluster-cidr',
  '10.244.0.0/16',
  '--nodeport-addresses',
  '192.168.1.0/24',
];
/** The same, with its address given. */
const IPV4_NODE_IP = [...IPV4_NODE, '--node-ip', '192.168.1.10'];

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
    expect(result).toEqual({
      status: 0,
      stdout: readFileSync(join(repoRoot, fixture(`${name}.expected.txt`)), 'utf8'),
      stderr: '',
    });
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

  it('reports each invalid object with its file:line, plans the rest, and exits 2 (0 with --lenient)', () => {
    const args = ['-f', fixture('invalid.yaml'), ...IPV4_NODE, '--node-ip', '192.168.1.10'];
    const result = plan(args);
    expect(result.status).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^kipvs: test\/fixtures\/plan\/invalid\.yaml:9:1: default\/bad-port: Service spec\.ports\[0\]\.port: .+/,
      ),
      expect.stringMatching(
        /^kipvs: test\/fixtures\/plan\/invalid\.yaml:16:1: default\/bad-ip: Service spec\.clusterIP: "10\.96\.0\.999" .+/,
      ),
      expect.stringMatching(
        /^kipvs: test\/fixtures\/plan\/invalid\.yaml:23:1: default\/good-abcde: EndpointSlice endpoints\[1\]\.addresses\[0\]: "not-an-ip" .+/,
      ),
      'kipvs: test/fixtures/plan/invalid.yaml:37:1: default/web-0: kind Pod is not a Service, EndpointSlice or Node; skipped',
      '',
    ]);
    expect(section(result.stdout, 'IPVS')).toBe(
      '# IPVS (ipvsadm -Sn)\n-A -t 10.96.0.90:80 -s rr\n-a -t 10.96.0.90:80 -r 10.244.1.30:8080 -m -w 1\n',
    );
    expect(plan([...args, '--lenient'])).toEqual({ ...result, status: 0 });
  });

  it('exits 2 for a file of garbage that parses as YAML, 0 for other kinds alone', () => {
    expect(plan(['-f', '-', ...IPV4_NODE], 'just some words\n').status).toBe(2);
    expect(plan(['-f', '-', ...IPV4_NODE], 'kind: Pod\nmetadata: {name: p}\n').status).toBe(0);
  });

  it('reports headless and ExternalName Services and slices of no Service as skipped, with the reason', () => {
    const objects = [
      'kind: Service',
      'metadata: {name: db}',
      'spec: {clusterIP: None, ports: [{port: 5432}]}',
      '---',
      'kind: Service',
      'metadata: {name: ext, namespace: shop}',
      'spec: {type: ExternalName, externalName: example.com}',
      '---',
      'kind: EndpointSlice',
      'metadata: {name: db-1, labels: {kubernetes.io/service-name: db}}',
      'addressType: IPv4',
      'endpoints: [{addresses: [10.244.1.1]}]',
      '---',
      'kind: EndpointSlice',
      'metadata: {name: gone-1, labels: {kubernetes.io/service-name: gone}}',
      'addressType: IPv4',
      'endpoints: [{addresses: [10.244.1.2]}]',
      '',
    ].join('\n');
    expect(plan(['-f', '-', ...IPV4_NODE_IP], objects)).toMatchObject({
      status: 0,
      stderr: [
        'kipvs: <stdin>:1:1: default/db: Service skipped: headless (clusterIP None): no virtual server',
        'kipvs: <stdin>:5:1: shop/ext: Service skipped: type ExternalName: a DNS name, nothing to proxy',
        'kipvs: <stdin>:9:1: default/db-1: EndpointSlice skipped: its Service default/db is skipped',
        'kipvs: <stdin>:14:1: default/gone-1: EndpointSlice skipped: its Service default/gone is not in the input',
        '',
      ].join('\n'),
    });
  });

  it('cuts a long list of problems after 50 lines with a count of the rest', () => {
    const services = Array.from(
      { length: 120 },
      (_, i) => `kind: Service\nmetadata: {name: s${i}}\nspec: {clusterIP: 10.96.0.${i}, ports: [{port: 70000}]}\n`,
    ).join('---\n');
    const lines = plan(['-f', '-', ...IPV4_NODE_IP], services)
      .stderr.trimEnd()
      .split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('kipvs: ... and 70 more');
  });

  it('reads a stream of JSON documents, naming the line of each invalid one', () => {
    const stream = [
      { kind: 'Service', metadata: { name: 'ok' }, spec: { clusterIP: '10.96.0.9', ports: [{ port: 80 }] } },
      { kind: 'Service', metadata: { name: 'bad' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 70000 }] } },
    ]
      .map((d) => JSON.stringify(d))
      .join('\n');
    const result = plan(['-f', '-', ...IPV4_NODE_IP], stream);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^kipvs: <stdin>:2:1: default\/bad: Service spec\.ports\[0\]\.port: /);
    expect(section(result.stdout, 'IPVS')).toBe('# IPVS (ipvsadm -Sn)\n-A -t 10.96.0.9:80 -s rr\n');
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
      stderr: 'kipvs: cannot read /nonexistent/objects.yaml: no such file or directory (ENOENT)\n',
    });
  });
});

describe('kipvs plan, node and flags', () => {
  it('refuses a --node-ip that is not an address', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '--node-ip', '192.168.1.10,10.0.0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /--node-ip <ips>' argument '192\.168\.1\.10,10\.0\.0' is invalid\. "10\.0\.0" is not an IP address\./,
    );
    expect(result.stdout).toBe('');
  });

  it("takes the node name from --hostname-override, else the config's hostnameOverride, else the host name, as kipvs proxy does", () => {
    const header = (args: readonly string[]): string | undefined =>
      plan(['-f', fixture('list.yaml'), '--ip-families', 'IPv4', ...args]).stdout.split('\n')[0];
    expect(header(['--hostname-override', 'Node-A'])).toBe('# kipvs plan for node node-a: IPv4, node IPs 192.168.1.10');
    const dir = mkdtempSync(join(tmpdir(), 'kipvs-plan-'));
    try {
      const config = join(dir, 'config.yaml');
      writeFileSync(
        config,
        'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nhostnameOverride: node-a\n',
        { mode: 0o644 },
      );
      expect(header(['--config', config])).toBe('# kipvs plan for node node-a: IPv4, node IPs 192.168.1.10');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(header([])).toBe(`# kipvs plan for node ${hostname().toLowerCase()}: IPv4, node IPs none`);
    expect(header(['--node-name', 'node-a', '--hostname-override', 'other'])).toBe(
      '# kipvs plan for node node-a: IPv4, node IPs 192.168.1.10',
    );
  });

  it('refuses invalid configuration flags as kipvs proxy does', () => {
    const result = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '--ipvs-scheduler', 'fastest']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^kipvs: invalid configuration .*\n {2}--ipvs-scheduler: /);
  });

  it('serves NodePorts on no address, and says so, when it knows no node IP', () => {
    const result = plan(['-f', fixture('load-balancer-source-ranges.yaml'), ...IPV4_NODE]);
    expect(result.stderr).toBe(
      'kipvs: warning: no node IP (give --node-ip, or a Node "node-a" with status.addresses): NodePorts are served on no address\n',
    );
    expect(section(result.stdout, 'IPVS')).not.toMatch(/:31443/);
    expect(result.stdout.split('\n')[0]).toBe('# kipvs plan for node node-a: IPv4, node IPs none');
  });

  it("lets --bind-address replace the Node's IP as the primary, both still serving NodePorts", () => {
    const result = plan(['-f', fixture('cluster-ip-node-port.yaml'), ...IPV4_NODE, '--bind-address', '192.168.1.99']);
    expect(result.stdout.split('\n')[0]).toBe('# kipvs plan for node node-a: IPv4, node IPs 192.168.1.99');
    expect(section(result.stdout, 'IPVS').match(/^-A .*/gm)).toEqual([
      '-A -t 192.168.1.10:30080 -s rr',
      '-A -t 192.168.1.99:30080 -s rr',
      '-A -t 10.96.0.20:80 -s rr',
    ]);
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
      const result = plan([
        '-f',
        fixture('list.yaml'),
        '--node-name',
        'node-a',
        '--ip-families',
        'IPv4',
        '--config',
        config,
        '--ipvs-scheduler',
        'wrr',
      ]);
      expect(result.stderr).toBe(
        `kipvs: warning: --ipvs-scheduler is ignored because --config is given (kube-proxy ignores it too); set ipvs.scheduler in ${config} instead\n`,
      );
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

describe('kipvs plan -o yaml', () => {
  it('prints the same document as -o json, as YAML', () => {
    const json = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '-o', 'json']);
    const yaml = plan(['-f', fixture('list.yaml'), ...IPV4_NODE, '-o', 'yaml']);
    expect(yaml.status).toBe(0);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
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
