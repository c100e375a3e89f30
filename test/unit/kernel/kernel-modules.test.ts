// checkKernelModules against real files laid out like /proc/modules, /sys/module
// and /lib/modules/RELEASE/modules.builtin.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKernelModules, requiredModules } from '../../../src/kernel/index.js';

const RELEASE = '6.1.0-test';
let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kipvs-modules-'));
  await mkdir(join(dir, 'sys'));
  await mkdir(join(dir, 'lib', RELEASE), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (scheduler: string, kernelRelease = RELEASE) =>
  checkKernelModules({
    scheduler,
    kernelRelease,
    procModules: join(dir, 'modules'),
    sysModuleDir: join(dir, 'sys'),
    modulesDir: join(dir, 'lib'),
  });

describe('requiredModules', () => {
  it("is kube-proxy's list plus the scheduler's module", () => {
    expect(requiredModules('lc', '6.1.0')).toEqual([
      'ip_vs',
      'ip_vs_rr',
      'ip_vs_wrr',
      'ip_vs_sh',
      'nf_conntrack',
      'ip_vs_lc',
    ]);
    expect(requiredModules('rr', '6.1.0')).toEqual(['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack']);
  });

  it('asks for nf_conntrack_ipv4 before Linux 4.19', () => {
    expect(requiredModules('rr', '4.18.0-80.el8.x86_64')).toContain('nf_conntrack_ipv4');
    expect(requiredModules('rr', '4.19.0')).toContain('nf_conntrack');
  });
});

describe('checkKernelModules', () => {
  it('finds modules loaded, built in, or with a /sys/module directory; names the rest with modprobe', async () => {
    await writeFile(
      join(dir, 'modules'),
      'ip_vs_rr 16384 0 - Live 0x0000000000000000\nip_vs 180224 6 ip_vs_rr, Live 0x0000000000000000\n',
    );
    await writeFile(
      join(dir, 'lib', RELEASE, 'modules.builtin'),
      'kernel/net/netfilter/nf_conntrack.ko\nkernel/net/netfilter/ipvs/ip_vs_wrr.ko\n',
    );
    await mkdir(join(dir, 'sys', 'ip_vs_sh'));
    expect(await check('lc')).toEqual([
      {
        module: 'ip_vs_lc',
        userMessage:
          "the kernel module ip_vs_lc is not loaded: modprobe ip_vs_lc (or enable the chart's node-init container)",
      },
    ]);
  });

  it('names every module when nothing can be read', async () => {
    const missing = await check('rr', '6.9.0-other');
    expect(missing.map((m) => m.module)).toEqual(['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack']);
  });
});
