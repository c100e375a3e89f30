// applySysctls against a real directory laid out like /proc/sys. The read-only
// (EROFS) case needs a read-only mount: it runs in UML (test/kernel/kernel-host.test.ts).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applySysctls } from '../../../src/kernel/index.js';
import { sysctlProblem } from '../../../src/kernel/sysctls.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kipvs-sysctl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('applySysctls', () => {
  it('writes the values that differ and leaves the others untouched', async () => {
    const conntrack = await put('net/ipv4/vs/conntrack', '0\n');
    const forward = await put('net/ipv4/ip_forward', '1\n');
    const forwardWritten = (await stat(forward)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));

    const report = await applySysctls(
      [
        { name: 'net/ipv4/ip_forward', value: 1 },
        { name: 'net/ipv4/vs/conntrack', value: 1 },
      ],
      dir,
    );
    expect(report).toEqual({
      changed: [{ sysctl: { name: 'net/ipv4/vs/conntrack', value: 1 }, previous: 0 }],
      unchanged: [{ name: 'net/ipv4/ip_forward', value: 1 }],
      problems: [],
    });
    expect(await readFile(conntrack, 'utf8')).toBe('1\n');
    expect((await stat(forward)).mtimeMs).toBe(forwardWritten);
  });

  it('reports a missing IPVS sysctl with modprobe ip_vs as the fix', async () => {
    const report = await applySysctls([{ name: 'net/ipv4/vs/expire_nodest_conn', value: 1 }], dir);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'missing',
        detail: 'ENOENT',
        userMessage:
          'net.ipv4.vs.expire_nodest_conn should be 1: the kernel has no such sysctl until IPVS is loaded: modprobe ip_vs',
      }),
    ]);
  });

  it('reports a value that is not a number without writing it', async () => {
    const path = await put('net/ipv4/vs/conntrack', 'x\n');
    const report = await applySysctls([{ name: 'net/ipv4/vs/conntrack', value: 1 }], dir);
    expect(report.problems[0]).toMatchObject({ kind: 'failed', detail: 'it reads "x", not a number' });
    expect(await readFile(path, 'utf8')).toBe('x\n');
  });
});

describe('sysctlProblem', () => {
  it('names the sysctl command and the chart setting for a read-only /proc/sys', () => {
    expect(sysctlProblem({ name: 'net/ipv4/vs/conntrack', value: 1 }, 'read-only', 'EROFS', 0).userMessage).toBe(
      "net.ipv4.vs.conntrack should be 1 (it is 0): /proc/sys is read-only here; run `sysctl -w net.ipv4.vs.conntrack=1` on the node, or enable the chart's node-init container (nodeInit.enabled: true)",
    );
  });

  it('names them too when writing is not allowed', () => {
    expect(
      sysctlProblem({ name: 'net/ipv4/conf/all/arp_ignore', value: 1 }, 'permission-denied', 'EACCES').userMessage,
    ).toBe(
      "net.ipv4.conf.all.arp_ignore should be 1: kipvs may not write it; run `sysctl -w net.ipv4.conf.all.arp_ignore=1` as root on the node, or enable the chart's node-init container (nodeInit.enabled: true)",
    );
  });
});
