// The kernel test harness proves itself: a kernel with IPVS and every scheduler, Jest in a
// namespace of its own, and fresh namespaces with empty tables for tests that need them.
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readlinkSync } from 'node:fs';
import { freshNetnsPerTest } from '../uml/jest-netns.js';
import { assertKernelHasIpvs, ownNetns, withFreshNetns } from '../uml/netns.js';

/** Every scheduler of the kernel's net/netfilter/ipvs (ip_vs_<name>.ko), as ipvsadm names them. */
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

/** Modules init.sh loads besides IPVS: the rest of what a kube-proxy in IPVS mode programs. */
const OTHER_MODULES = [
  'nf_conntrack',
  'nf_conntrack_netlink',
  'ip_set',
  'ip_set_hash_ip',
  'ip_set_hash_ipport',
  'ip_set_hash_ipportip',
  'ip_set_hash_ipportnet',
  'ip_set_hash_net',
  'xt_set',
  'iptable_nat',
  'iptable_filter',
  'xt_MASQUERADE',
  'xt_mark',
  'xt_comment',
  'xt_addrtype',
  'xt_conntrack',
  'nf_tables',
  'nft_compat',
  'dummy',
  'veth',
];

const inUml = process.env.KIPVS_IN_UML === '1';

function loadedModules(): Set<string> {
  return new Set(
    readFileSync('/proc/modules', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name !== ''),
  );
}

describe('the kernel', () => {
  test('has IPVS', () => {
    expect(() => assertKernelHasIpvs()).not.toThrow();
    expect(readFileSync('/proc/net/ip_vs', 'utf8')).toMatch(/^IP Virtual Server version \d+\.\d+\.\d+/);
  });

  test('runs our Node.js (>= 22.19)', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 19)).toBe(true);
  });

  (inUml ? test : test.skip)('has every IPVS scheduler and the other modules loaded (UML)', () => {
    const modules = loadedModules();
    const missing = [...SCHEDULERS.map((s) => `ip_vs_${s}`), 'ip_vs', ...OTHER_MODULES].filter((m) => !modules.has(m));
    expect(missing).toEqual([]);
  });
});

describe("Jest's own namespace", () => {
  test('is not the init namespace', () => {
    expect(readlinkSync('/proc/self/ns/net')).not.toBe(readlinkSync('/proc/1/ns/net'));
  });

  test('has lo up', async () => {
    const { stdout } = await ownNetns().run('ip', ['-o', 'link', 'show', 'lo']);
    expect(stdout).toMatch(/<[^>]*\bUP\b[^>]*>/);
  });
});

describe('a fresh namespace', () => {
  const netns = freshNetnsPerTest('harness-self');

  test('starts with an empty IPVS table', async () => {
    expect(await netns().ipvsSave()).toBe('');
  });

  test('takes a service from ipvsadm and lists it', async () => {
    await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    expect(await netns().ipvsSave()).toBe('-A -t 10.0.0.1:80 -s rr\n');
  });

  test('takes a real server (lo is up, so IPVS accepts unicast addresses)', async () => {
    await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    await netns().run('ipvsadm', ['-a', '-t', '10.0.0.1:80', '-r', '10.1.0.1:8080', '-m', '-w', '3']);
    expect(await netns().ipvsSave()).toBe('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3\n');
  });

  test('takes a service with every scheduler', async () => {
    const rules = SCHEDULERS.map((scheduler, i) => `-A -t 10.0.1.${i + 1}:80 -s ${scheduler}\n`).join('');
    await netns().run('ipvsadm', ['-R'], { input: rules });
    expect(await netns().ipvsSave()).toBe(rules);
  });

  test('is independent of other namespaces', async () => {
    await netns().run('ipvsadm', ['-A', '-u', '10.0.0.53:53', '-s', 'wrr']);
    await withFreshNetns('harness-other', async (other) => {
      expect(await other.ipvsSave()).toBe('');
      await other.run('ipvsadm', ['-A', '-t', '10.9.9.9:443', '-s', 'sh']);
    });
    expect(await netns().ipvsSave()).toBe('-A -u 10.0.0.53:53 -s wrr\n');
    expect(await ownNetns().ipvsSave()).not.toContain('10.0.0.53');
  });

  test('runs our Node.js code inside it', async () => {
    await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    const { stdout } = await netns().node([
      '-e',
      "process.stdout.write(process.version + '\\n' + require('node:fs').readFileSync('/proc/net/ip_vs', 'utf8'))",
    ]);
    expect(stdout.split('\n')[0]).toBe(process.version);
    expect(stdout).toContain('TCP  0A000001:0050 rr');
  });
});
