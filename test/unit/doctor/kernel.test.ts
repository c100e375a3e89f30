// Kernel modules and sysctls, read from a host tree laid out as /proc, /sys and /lib/modules are.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostTree, preparedNode, RELEASE, type HostTree } from './host-tree.js';
import { finding, findingsFor } from './run-doctor.js';

let tree: HostTree;
beforeEach(() => {
  tree = hostTree();
  preparedNode(tree);
});
afterEach(() => tree.remove());

const modules = async (flags: Record<string, string> = {}) =>
  finding(await findingsFor(tree.root, flags), 'kernel-modules');

describe("kernel modules (the daemon's list and lookup, under the host root)", () => {
  it('PASS: loaded (/proc/modules) or built in (modules.builtin)', async () => {
    expect(await modules()).toEqual({
      check: 'kernel-modules',
      status: 'PASS',
      message: 'kernel modules: ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack loaded or built in',
      fix: null,
    });
  });

  it("FAIL: the configured scheduler's module missing, with the modprobe line", async () => {
    const result = await modules({ 'ipvs-scheduler': 'lc' });
    expect(result).toMatchObject({
      status: 'FAIL',
      message:
        'kernel modules: ip_vs_lc neither loaded nor built in; IPVS mode requires ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh, nf_conntrack, ip_vs_lc',
    });
    expect(result.fix).toMatch(/^modprobe ip_vs_lc, and list them in \/etc\/modules-load.d\//);
  });

  it('PASS: a built-in module known only from /sys/module', async () => {
    tree.write('sys/module/ip_vs_lc/version', '1\n');
    expect((await modules({ 'ipvs-scheduler': 'lc' })).status).toBe('PASS');
  });

  it('FAIL: ip_vs and nf_conntrack missing; nf_conntrack_ipv4 wanted instead before Linux 4.19', async () => {
    tree.write(
      'proc/modules',
      'ip_vs_rr 16384 0 - Live 0x0\nip_vs_wrr 16384 0 - Live 0x0\nip_vs_sh 16384 0 - Live 0x0\n',
    );
    rmSync(join(tree.root, 'sys/module/nf_conntrack'), { recursive: true });
    tree.write(`lib/modules/${RELEASE}/modules.builtin`, '');
    expect(await modules()).toMatchObject({
      status: 'FAIL',
      message: expect.stringMatching(/^kernel modules: ip_vs, nf_conntrack neither loaded nor built in/),
    });
    tree.write('proc/sys/kernel/osrelease', '4.14.0\n');
    tree.write(
      'proc/modules',
      'ip_vs 1 0 - Live 0x0\nnf_conntrack_ipv4 1 0 - Live 0x0\nip_vs_rr 1 0 - Live 0x0\nip_vs_wrr 1 0 - Live 0x0\nip_vs_sh 1 0 - Live 0x0\n',
    );
    expect(await modules()).toMatchObject({ status: 'PASS', message: expect.stringContaining('nf_conntrack_ipv4') });
  });
});

describe('IPVS schedulers Services may pick', () => {
  const schedulers = async () => finding(await findingsFor(tree.root, {}), 'ipvs-schedulers');

  it('PASS: every one installed (twos, new in Linux 6.2, may be absent)', async () => {
    expect(await schedulers()).toMatchObject({
      status: 'PASS',
      message: 'IPVS schedulers Services may pick: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh',
    });
  });

  it('WARN: one neither installed, loaded nor built in', async () => {
    tree.write(
      `lib/modules/${RELEASE}/modules.dep`,
      'kernel/net/netfilter/ipvs/ip_vs_lc.ko:\nkernel/net/netfilter/ipvs/ip_vs_mh.ko.xz:\n',
    );
    const found = await schedulers();
    expect(found).toMatchObject({
      status: 'WARN',
      message:
        "IPVS schedulers: wlc, lblc, lblcr, dh, sed, nq, fo, ovf not installed; a Service picking one by annotation keeps the node's scheduler",
    });
    expect(found.fix).toMatch(/^install the kernel's IPVS modules \(ip_vs_wlc, /);
  });

  it('WARN: unknown without modules.dep', async () => {
    rmSync(join(tree.root, `lib/modules/${RELEASE}/modules.dep`));
    expect(await schedulers()).toMatchObject({ status: 'WARN', message: expect.stringContaining('unknown') });
  });
});

describe('sysctls', () => {
  const sysctls = async (flags: Record<string, string> = {}) =>
    [...(await findingsFor(tree.root, flags)).values()].filter((f) => f.check.startsWith('sysctl:'));

  it('PASS: the values IPVS mode sets, for this kernel (no conn_reuse_mode on 6.1)', async () => {
    expect((await sysctls()).map((f) => [f.status, f.message])).toEqual([
      ['PASS', 'sysctl net.ipv4.ip_forward = 1'],
      ['PASS', 'sysctl net.ipv4.vs.conntrack = 1'],
      ['PASS', 'sysctl net.ipv4.vs.expire_nodest_conn = 1'],
      ['PASS', 'sysctl net.ipv4.vs.expire_quiescent_template = 1'],
      ['PASS', 'sysctl net.ipv4.conf.all.route_localnet = 0'],
    ]);
  });

  it('conn_reuse_mode on a 5.4 kernel, where kube-proxy sets it to 0', async () => {
    tree.write('proc/sys/kernel/osrelease', '5.4.0-150-generic\n');
    expect(finding(await findingsFor(tree.root, {}), 'sysctl:net.ipv4.vs.conn_reuse_mode')).toMatchObject({
      status: 'WARN',
      message: 'sysctl net.ipv4.vs.conn_reuse_mode = 1; IPVS mode wants 0',
    });
  });

  it('FAIL: vs/conntrack or ip_forward off; WARN: expire_nodest_conn off', async () => {
    tree.write('proc/sys/net/ipv4/vs/conntrack', '0\n');
    tree.write('proc/sys/net/ipv4/ip_forward', '0\n');
    tree.write('proc/sys/net/ipv4/vs/expire_nodest_conn', '0\n');
    const findings = await findingsFor(tree.root, {});
    expect(finding(findings, 'sysctl:net.ipv4.vs.conntrack')).toEqual({
      check: 'sysctl:net.ipv4.vs.conntrack',
      status: 'FAIL',
      message: 'sysctl net.ipv4.vs.conntrack = 0; IPVS mode wants 1',
      fix: "sysctl -w net.ipv4.vs.conntrack=1, and persist it in /etc/sysctl.d/ (or keep the chart's nodeInit.enabled)",
    });
    expect(finding(findings, 'sysctl:net.ipv4.ip_forward').status).toBe('FAIL');
    expect(finding(findings, 'sysctl:net.ipv4.vs.expire_nodest_conn').status).toBe('WARN');
  });

  it('FAIL: the IPVS sysctls absent (ip_vs not loaded)', async () => {
    rmSync(join(tree.root, 'proc/sys/net/ipv4/vs'), { recursive: true });
    expect(finding(await findingsFor(tree.root, {}), 'sysctl:net.ipv4.vs.conntrack')).toMatchObject({
      status: 'FAIL',
      message:
        'sysctl net.ipv4.vs.conntrack: does not exist on this kernel (it appears when ip_vs is loaded); IPVS mode wants 1',
    });
  });

  it('strict ARP: arp_ignore=1 and arp_announce=2 checked only when configured', async () => {
    expect((await sysctls()).some((f) => f.message.includes('arp_'))).toBe(false);
    const strict = await findingsFor(tree.root, { 'ipvs-strict-arp': 'true' });
    expect(finding(strict, 'sysctl:net.ipv4.conf.all.arp_ignore')).toMatchObject({
      status: 'WARN',
      message: 'sysctl net.ipv4.conf.all.arp_ignore = 0; IPVS mode wants 1',
    });
    tree.write('proc/sys/net/ipv4/conf/all/arp_ignore', '1\n');
    tree.write('proc/sys/net/ipv4/conf/all/arp_announce', '2\n');
    const fixed = await findingsFor(tree.root, { 'ipvs-strict-arp': 'true' });
    expect(finding(fixed, 'sysctl:net.ipv4.conf.all.arp_ignore').status).toBe('PASS');
    expect(finding(fixed, 'sysctl:net.ipv4.conf.all.arp_announce').status).toBe('PASS');
  });

  it('WARN: route_localnet=1 left by another proxy (CVE-2020-8558)', async () => {
    tree.write('proc/sys/net/ipv4/conf/all/route_localnet', '1\n');
    expect(finding(await findingsFor(tree.root, {}), 'sysctl:net.ipv4.conf.all.route_localnet')).toMatchObject({
      status: 'WARN',
      message: expect.stringContaining('CVE-2020-8558'),
    });
  });
});

describe('kube-proxy on the node', () => {
  it('PASS when no process is kube-proxy, counting those seen', async () => {
    expect(finding(await findingsFor(tree.root, {}), 'kube-proxy')).toMatchObject({
      status: 'PASS',
      message: expect.stringMatching(/^kube-proxy: not running \(2 processes seen;/),
    });
  });

  it('FAIL on a kube-proxy by its command name', async () => {
    tree.write('proc/5351/comm', 'kube-proxy\n');
    tree.write('proc/5351/cmdline', '/usr/local/bin/kube-proxy\0--config=/var/lib/kube-proxy/config.conf\0');
    expect(finding(await findingsFor(tree.root, {}), 'kube-proxy')).toMatchObject({
      status: 'FAIL',
      message: expect.stringMatching(/^kube-proxy is running \(pid 5351\)/),
    });
  });

  it('FAIL on a kube-proxy by its first argument (a renamed thread, comm changed)', async () => {
    tree.write('proc/77/comm', 'worker\n');
    tree.write('proc/77/cmdline', '/usr/local/bin/kube-proxy\0--v=2\0');
    expect(finding(await findingsFor(tree.root, {}), 'kube-proxy').status).toBe('FAIL');
  });

  it('WARN when /proc cannot be listed', async () => {
    rmSync(join(tree.root, 'proc'), { recursive: true });
    expect(finding(await findingsFor(tree.root, {}), 'kube-proxy').status).toBe('WARN');
  });

  it('against the real /proc: this test runner is seen, and is not kube-proxy', async () => {
    const findings = await findingsFor('/', {});
    expect(finding(findings, 'kube-proxy').message).toMatch(/^kube-proxy: (not running|is running)/);
  });
});
