// The kernel layer's host checks against the running kernel: the sysctls (written in
// this process's namespace and restored; then through a read-only /proc, as the chart
// mounts it), the modules test/uml/init.sh loaded, the iptables backend chosen for
// rules set up in a fresh namespace, and KernelClients with and without CAP_NET_ADMIN.
import { describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelAccessError, KernelClients, applySysctls, checkKernelModules, detectIptablesBackend, runCommand, type CommandRunner } from '../../src/kernel/index.js';
import { assertKernelHasIpvs, ownNetns, runUnprivileged, withFreshNetns, type FreshNetns } from '../uml/netns.js';

const CONNTRACK = '/proc/sys/net/ipv4/vs/conntrack';
const sysctlValue = async (): Promise<string> => (await ownNetns().run('sysctl', ['-n', 'net.ipv4.vs.conntrack'])).stdout.trim();

describe('applySysctls on /proc/sys', () => {
  test('writes a value that differs, as sysctl then reads it, and leaves an equal one alone', async () => {
    assertKernelHasIpvs();
    const original = Number((await readFile(CONNTRACK, 'utf8')).trim());
    const wanted = original === 1 ? 0 : 1;
    try {
      const first = await applySysctls([{ name: 'net/ipv4/vs/conntrack', value: wanted }]);
      expect(first).toEqual({ changed: [{ sysctl: { name: 'net/ipv4/vs/conntrack', value: wanted }, previous: original }], unchanged: [], problems: [] });
      expect(await sysctlValue()).toBe(String(wanted));
      const second = await applySysctls([{ name: 'net/ipv4/vs/conntrack', value: wanted }]);
      expect(second.unchanged).toEqual([{ name: 'net/ipv4/vs/conntrack', value: wanted }]);
    } finally {
      await ownNetns().run('sysctl', ['-w', `net.ipv4.vs.conntrack=${original}`]);
    }
  });

  test('through a read-only /proc: a read-only problem with the fix, nothing written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kipvs-proc-'));
    await ownNetns().run('mount', ['-t', 'proc', '-o', 'ro', 'proc', dir]);
    try {
      const current = Number((await readFile(CONNTRACK, 'utf8')).trim());
      const wanted = current === 1 ? 0 : 1;
      const report = await applySysctls([{ name: 'net/ipv4/vs/conntrack', value: wanted }], join(dir, 'sys'));
      expect(report.problems).toEqual([
        expect.objectContaining({
          kind: 'read-only',
          detail: 'EROFS',
          current,
          userMessage: `net.ipv4.vs.conntrack should be ${wanted} (it is ${current}): /proc/sys is read-only here; run \`sysctl -w net.ipv4.vs.conntrack=${wanted}\` on the node, or enable the chart's node-init container (nodeInit.enabled: true)`,
        }),
      ]);
      expect(await sysctlValue()).toBe(String(current));
    } finally {
      await ownNetns().run('umount', [dir]);
      await rm(dir, { recursive: true });
    }
  });
});

describe('checkKernelModules on the running kernel', () => {
  test('finds every module kube-proxy requires (init.sh loaded them), and names a scheduler that is not there', async () => {
    expect(await checkKernelModules({ scheduler: 'mh', kernelRelease: release() })).toEqual([]);
    expect((await checkKernelModules({ scheduler: 'nosuch', kernelRelease: release() })).map((m) => m.module)).toEqual(['ip_vs_nosuch']);
  });
});

describe('detectIptablesBackend', () => {
  /** Runs the tools inside a namespace, where the test set up each backend's rules. */
  const inNetns = (ns: FreshNetns): CommandRunner => (argv, options) => runCommand(['ip', 'netns', 'exec', ns.name, ...argv], options);

  // iptables-nft-save works in this kernel (it lists nothing); only rules need nf_tables for IPv4.
  test.each([
    ['nothing anywhere: nft', '', { backend: 'nft', reason: 'nft by default (Kubernetes rules: nft 0, legacy 0)' }],
    ['Kubernetes rules in legacy only: legacy', '*nat\n:KUBE-SERVICES - [0:0]\n-A OUTPUT -j KUBE-SERVICES\nCOMMIT\n', { backend: 'legacy', reason: 'only legacy has Kubernetes rules (1)' }],
    ["the kubelet's canary in legacy: legacy", '*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n', { backend: 'legacy', reason: "the kubelet's chain is in the legacy mangle table" }],
  ])('%s', async (_, legacyRules, choice) => {
    await withFreshNetns('kernel-iptables-detect', async (ns) => {
      if (legacyRules !== '') await ns.run('iptables-legacy-restore', ['--noflush'], { input: legacyRules });
      expect(await detectIptablesBackend(inNetns(ns))).toEqual(choice);
    });
  });
});

describe('KernelClients', () => {
  test('opens the three clients; their traffic is counted', async () => {
    const clients = await KernelClients.open();
    try {
      const before = clients.traffic;
      await clients.route.getLink('lo');
      await clients.ipset.listSetNames();
      expect(clients.traffic.messagesSent - before.messagesSent).toBe(2);
      expect(clients.traffic.sendCalls - before.sendCalls).toBe(2);
    } finally {
      clients.close();
    }
  });

  test('without CAP_NET_ADMIN: one access error naming the capability', async () => {
    const { stdout } = await runUnprivileged('build/test/kernel/kernel-clients-unprivileged.js');
    expect(stdout).toBe(`${KernelAccessError.name} no-net-admin: ${new KernelAccessError('no-net-admin').userMessage}\n`);
  });
});
