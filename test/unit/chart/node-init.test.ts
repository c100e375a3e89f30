// The init container's script (charts/kipvs/files/node-init.sh, shipped in the ConfigMap) run
// against a fake /proc and /sys: it sets exactly the IPVS sysctls kipvs's model wants
// (src/proxy/sysctls.ts) on every kernel version, kube-proxy's conntrack settings, loads the
// modules, and fails the pod's start when something required is missing.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { desiredSysctls } from '../../../src/proxy/sysctls.js';
import { configMapData, daemonSet, envOf, render } from './helm.js';

/** Every sysctl the script may touch, with a value none of them is set to. */
const NODE_SYSCTLS: Record<string, string> = {
  'net/ipv4/vs/conntrack': '0',
  'net/ipv4/vs/conn_reuse_mode': '1',
  'net/ipv4/vs/expire_nodest_conn': '0',
  'net/ipv4/vs/expire_quiescent_template': '0',
  'net/ipv4/ip_forward': '0',
  'net/ipv4/conf/all/arp_ignore': '0',
  'net/ipv4/conf/all/arp_announce': '0',
  'net/netfilter/nf_conntrack_max': '65536',
  'net/netfilter/nf_conntrack_tcp_timeout_established': '432000',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait': '60',
  'net/netfilter/nf_conntrack_tcp_be_liberal': '0',
  'net/netfilter/nf_conntrack_udp_timeout': '30',
  'net/netfilter/nf_conntrack_udp_timeout_stream': '120',
};
const IPVS_SYSCTLS = Object.keys(NODE_SYSCTLS).filter((name) => !name.startsWith('net/netfilter/'));

let root = '';
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kipvs-node-init-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Node {
  readonly sysctls?: Record<string, string>;
  readonly hashsize?: number;
  /** Modules modprobe refuses. */
  readonly missingModules?: readonly string[];
}

/** A fake node: /proc/sys and /sys files, and a modprobe that records its arguments. */
function makeNode(node: Node = {}): void {
  for (const [name, value] of Object.entries(node.sysctls ?? NODE_SYSCTLS)) {
    const file = join(root, 'proc/sys', name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${value}\n`);
  }
  const hashsize = join(root, 'sys/module/nf_conntrack/parameters/hashsize');
  mkdirSync(dirname(hashsize), { recursive: true });
  writeFileSync(hashsize, `${node.hashsize ?? 16384}\n`);
  mkdirSync(join(root, 'bin'));
  const missing = (node.missingModules ?? []).join(' ');
  writeFileSync(
    join(root, 'bin/modprobe'),
    `#!/bin/sh\necho "$*" >> "${root}/modprobe.log"\nfor m in ${missing}; do [ "$2" = "$m" ] && exit 1; done\nexit 0\n`,
  );
  chmodSync(join(root, 'bin/modprobe'), 0o755);
}

const sysctl = (name: string): string | undefined => {
  const file = join(root, 'proc/sys', name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
};

/** Run the script the chart renders with the init container's environment for `values`. */
function runInit(
  values: object,
  release: string,
  cpus = 4,
  override: Record<string, string> = {},
): { status: number; stdout: string; stderr: string } {
  const objects = render(values);
  const script = join(root, 'node-init.sh');
  writeFileSync(script, configMapData(objects)['node-init.sh'] ?? '');
  const init = daemonSet(objects).init;
  if (!init) throw new Error('no init container');
  const env = {
    ...Object.fromEntries(envOf(init)),
    PATH: `${join(root, 'bin')}:/usr/bin:/bin`,
    KIPVS_NODE_ROOT: root,
    KIPVS_KERNEL_RELEASE: release,
    KIPVS_NPROC: String(cpus),
    ...override,
  };
  const run = spawnSync('/bin/sh', [script], { encoding: 'utf8', env });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe('node-init.sh', () => {
  const kernels = [
    '3.10.0-1160.el7.x86_64',
    '4.19.0-26-amd64',
    '5.4.0-150-generic',
    '5.8.18',
    '5.9.0',
    '6.1.0-13-amd64',
  ];
  for (const release of kernels) {
    for (const strictARP of [false, true]) {
      it(`sets exactly src/proxy/sysctls.ts's sysctls on ${release}${strictARP ? ' with strictARP' : ''}`, () => {
        makeNode();
        const result = runInit({ config: { ipvs: { strictARP } } }, release);
        expect([result.status, result.stderr]).toEqual([0, '']);
        const want = new Map(desiredSysctls(strictARP, release).map((s) => [s.name, String(s.value)]));
        for (const name of IPVS_SYSCTLS)
          expect([name, sysctl(name)]).toEqual([name, want.get(name) ?? NODE_SYSCTLS[name]]);
      });
    }
  }

  it("applies kube-proxy's conntrack settings: the table scaled by CPUs, a hash a quarter of it, timeouts in seconds", () => {
    makeNode({ hashsize: 16384 });
    const result = runInit(
      { config: { conntrack: { maxPerCore: 32768, min: 131072, udpTimeout: '1m30s', tcpBeLiberal: true } } },
      '6.1.0',
      8,
    );
    expect(result.status).toBe(0);
    expect(sysctl('net/netfilter/nf_conntrack_max')).toBe(String(32768 * 8));
    expect(readFileSync(join(root, 'sys/module/nf_conntrack/parameters/hashsize'), 'utf8').trim()).toBe(
      String((32768 * 8) / 4),
    );
    expect(sysctl('net/netfilter/nf_conntrack_tcp_timeout_established')).toBe('86400');
    expect(sysctl('net/netfilter/nf_conntrack_tcp_timeout_close_wait')).toBe('3600');
    expect(sysctl('net/netfilter/nf_conntrack_tcp_be_liberal')).toBe('1');
    expect(sysctl('net/netfilter/nf_conntrack_udp_timeout')).toBe('90');
    // 0s leaves the kernel's value.
    expect(sysctl('net/netfilter/nf_conntrack_udp_timeout_stream')).toBe('120');
  });

  it('uses the minimum on small nodes, never shrinks the hash, and leaves everything alone with maxPerCore 0', () => {
    makeNode({ hashsize: 1 << 20 });
    expect(runInit({}, '6.1.0', 2).status).toBe(0);
    expect(sysctl('net/netfilter/nf_conntrack_max')).toBe('131072');
    expect(readFileSync(join(root, 'sys/module/nf_conntrack/parameters/hashsize'), 'utf8').trim()).toBe(
      String(1 << 20),
    );
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root);
    makeNode();
    expect(
      runInit(
        { config: { conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' } } },
        '6.1.0',
      ).status,
    ).toBe(0);
    for (const name of Object.keys(NODE_SYSCTLS).filter((n) => n.startsWith('net/netfilter/')))
      expect([name, sysctl(name)]).toEqual([name, NODE_SYSCTLS[name]]);
  });

  it("loads ip_vs, the scheduler's module and nf_conntrack, then the optional ones", () => {
    makeNode();
    expect(runInit({ config: { ipvs: { scheduler: 'sh' } }, nodeInit: { allSchedulers: false } }, '6.1.0').status).toBe(
      0,
    );
    expect(readFileSync(join(root, 'modprobe.log'), 'utf8').trim().split('\n')).toEqual([
      '-- ip_vs',
      '-- ip_vs_sh',
      '-- nf_conntrack',
      '-- ip_vs_rr',
      '-- ip_vs_wrr',
    ]);
  });

  it('falls back to nf_conntrack_ipv4 on old kernels, and only warns about a missing optional module', () => {
    makeNode({ missingModules: ['nf_conntrack', 'ip_vs_wrr'] });
    const result = runInit({}, '4.14.0');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('module nf_conntrack_ipv4 loaded');
    expect(result.stdout).toContain('warning: kernel module ip_vs_wrr is not available');
  });

  it('fails, naming the module, when a required one does not load', () => {
    makeNode({ missingModules: ['ip_vs'] });
    const result = runInit({}, '6.1.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot load kernel module ip_vs');
  });

  it('fails when an IPVS sysctl does not exist (ip_vs not really there)', () => {
    const { ['net/ipv4/vs/conntrack']: _, ...rest } = NODE_SYSCTLS;
    makeNode({ sysctls: rest });
    const result = runInit({}, '6.1.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sysctl net/ipv4/vs/conntrack does not exist');
  });

  it('is idempotent: a second run changes nothing and says so', () => {
    makeNode();
    expect(runInit({}, '6.1.0').status).toBe(0);
    const second = runInit({}, '6.1.0');
    expect(second.status).toBe(0);
    expect(second.stdout).not.toContain('->');
  });

  it('refuses a duration it cannot read', () => {
    // The schema refuses such a value before it gets here; the script must not skip it either.
    makeNode();
    const result = runInit({}, '6.1.0', 1, { KIPVS_CONNTRACK_UDP_TIMEOUT: '90 seconds' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('90 seconds is not a duration');
  });
});
