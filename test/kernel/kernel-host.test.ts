// The kernel layer's host checks against the running kernel: the sysctls (written in
// this process's namespace and restored; then through a read-only /proc, as the chart
// mounts it), the modules test/uml/init.sh loaded, the iptables backend chosen for
// rules set up in a fresh namespace (in each boot's kernel: test/uml/iptables-backend.ts) and the
// write that decides it, and KernelClients with and without CAP_NET_ADMIN.
import { describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KernelAccessError,
  KernelClients,
  applySysctls,
  checkKernelModules,
  detectIptablesBackend,
  probeWrite,
  runCommand,
  type BackendChoice,
  type CommandRunner,
  type IptablesBackend,
} from '../../src/kernel/index.js';
import { TEST_IPTABLES, TEST_IPTABLES_BACKEND } from '../uml/iptables-backend.js';
import { assertKernelHasIpvs, ownNetns, runUnprivileged, withFreshNetns, type FreshNetns } from '../uml/netns.js';

const CONNTRACK = '/proc/sys/net/ipv4/vs/conntrack';
const sysctlValue = async (): Promise<string> =>
  (await ownNetns().run('sysctl', ['-n', 'net.ipv4.vs.conntrack'])).stdout.trim();

describe('applySysctls on /proc/sys', () => {
  test('writes a value that differs, as sysctl then reads it, and leaves an equal one alone', async () => {
    assertKernelHasIpvs();
    const original = Number((await readFile(CONNTRACK, 'utf8')).trim());
    const wanted = original === 1 ? 0 : 1;
    try {
      const first = await applySysctls([{ name: 'net/ipv4/vs/conntrack', value: wanted }]);
      expect(first).toEqual({
        changed: [{ sysctl: { name: 'net/ipv4/vs/conntrack', value: wanted }, previous: original }],
        unchanged: [],
        problems: [],
      });
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
    expect((await checkKernelModules({ scheduler: 'nosuch', kernelRelease: release() })).map((m) => m.module)).toEqual([
      'ip_vs_nosuch',
    ]);
  });
});

describe('detectIptablesBackend', () => {
  /** Runs the tools inside a namespace, where the test set up each backend's rules. */
  const inNetns =
    (ns: FreshNetns): CommandRunner =>
    (argv, options) =>
      runCommand(['ip', 'netns', 'exec', ns.name, ...argv], options);
  // Debian's UML kernel (the legacy boot) has no nf_tables for IPv4: iptables-nft-save lists an
  // empty ruleset there, but every write fails, so legacy is chosen whatever the rules say. The
  // kernel of the nft boot writes both, and the rules decide.
  const nftCannotWrite = {
    backend: 'legacy',
    reason: expect.stringMatching(/^iptables-nft does not work here \(.*TABLE_ADD failed \(Operation not supported\)/),
  };

  const rows: [string, [IptablesBackend, string][], BackendChoice][] = [
    ['nothing anywhere: nft', [], { backend: 'nft', reason: 'nft by default (Kubernetes rules: nft 0, legacy 0)' }],
    [
      'Kubernetes rules in legacy only: legacy',
      [['legacy', '*nat\n:KUBE-SERVICES - [0:0]\n-A OUTPUT -j KUBE-SERVICES\nCOMMIT\n']],
      { backend: 'legacy', reason: 'only legacy has Kubernetes rules (1)' },
    ],
    [
      "the kubelet's canary in legacy: legacy",
      [['legacy', '*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n']],
      { backend: 'legacy', reason: "the kubelet's chain is in the legacy mangle table" },
    ],
    [
      "the kubelet's hint in nft, rules in legacy: nft",
      [
        ['legacy', '*nat\n:KUBE-SERVICES - [0:0]\n-A OUTPUT -j KUBE-SERVICES\nCOMMIT\n'],
        ['nft', '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n'],
      ],
      { backend: 'nft', reason: "the kubelet's chain is in the nf_tables mangle table" },
    ],
  ];
  test.each(rows)('%s', async (_, rules, choice) => {
    await withFreshNetns('kernel-iptables-detect', async (ns) => {
      for (const [backend, input] of rules)
        if (backend === 'legacy' || TEST_IPTABLES_BACKEND === 'nft')
          await ns.run(`iptables-${backend}-restore`, ['--noflush'], { input });
      expect(await detectIptablesBackend(inNetns(ns))).toEqual(
        TEST_IPTABLES_BACKEND === 'nft' ? choice : nftCannotWrite,
      );
    });
  });

  test('the write that tells leaves no trace in a table that exists', async () => {
    const withoutComments = (save: string): string => save.replace(/^#.*\n/gm, '');
    await withFreshNetns('kernel-iptables-probe', async (ns) => {
      await ns.run(TEST_IPTABLES.inet.restore, [], { input: '*filter\n:KUBE-FIREWALL - [0:0]\nCOMMIT\n' });
      const before = withoutComments((await ns.run(TEST_IPTABLES.inet.save, ['-t', 'filter'])).stdout);
      expect(await probeWrite(inNetns(ns), TEST_IPTABLES.inet)).toBeUndefined();
      expect(withoutComments((await ns.run(TEST_IPTABLES.inet.save, ['-t', 'filter'])).stdout)).toBe(before);
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
    expect(stdout).toBe(
      `${KernelAccessError.name} no-net-admin: ${new KernelAccessError('no-net-admin').userMessage}\n`,
    );
  });
});
