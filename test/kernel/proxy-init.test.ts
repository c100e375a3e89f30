// `kipvs proxy --init-only` in a fresh network namespace, checked with sysctl(8):
// the IPVS sysctls kube-proxy's IPVS mode needs are set, each change is an
// audit line, a second run changes nothing, and a conntrack sysctl the namespace
// may not write (nf_conntrack_max belongs to the first namespace) is reported
// without stopping it. Without --iptables-backend it takes the backend this boot's kernel can
// write (Debian's UML kernel cannot write nf_tables for IPv4), and a backend that cannot write
// stops it with the tool's own words.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_IPTABLES_BACKEND } from '../uml/iptables-backend.js';
import { createFreshNetns, type FreshNetns } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

let ns: FreshNetns;
let dir: string;

beforeAll(async () => {
  ns = await createFreshNetns('proxy-init');
  dir = await mkdtemp(join(tmpdir(), 'kipvs-init-'));
});
afterAll(async () => {
  await ns.delete();
  await rm(dir, { recursive: true, force: true });
});

const sysctl = async (name: string): Promise<string> => (await ns.run('sysctl', ['-n', name])).stdout.trim();
const auditLines = async (path: string): Promise<{ kind: string; op: string; target: string; result: string }[]> =>
  (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { kind: string; op: string; target: string; result: string });

describe('kipvs proxy --init-only', () => {
  test('sets the IPVS sysctls, audits each change, and exits 0; a second run changes nothing', async () => {
    await ns.run('sysctl', ['-w', 'net.ipv4.vs.conntrack=0', 'net.ipv4.vs.expire_nodest_conn=0']);
    const audit = join(dir, 'first.log');
    const first = await kipvs(ns, [
      'proxy',
      '--init-only',
      `--iptables-backend=${TEST_IPTABLES_BACKEND}`,
      `--audit-log-path=${audit}`,
    ]);
    expect(first.stdout).toBe('');
    expect(first.status).toBe(0);
    expect(await sysctl('net.ipv4.vs.conntrack')).toBe('1');
    expect(await sysctl('net.ipv4.vs.expire_nodest_conn')).toBe('1');
    const set = (await auditLines(audit)).filter((l) => l.kind === 'sysctl');
    expect(set.map((l) => l.target)).toEqual(
      expect.arrayContaining(['net.ipv4.vs.conntrack=1 (was 0)', 'net.ipv4.vs.expire_nodest_conn=1 (was 0)']),
    );
    expect(set.every((l) => l.op === 'set' && l.result === 'ok')).toBe(true);

    const again = join(dir, 'second.log');
    const second = await kipvs(ns, [
      'proxy',
      '--init-only',
      `--iptables-backend=${TEST_IPTABLES_BACKEND}`,
      `--audit-log-path=${again}`,
    ]);
    expect(second.status).toBe(0);
    expect(await auditLines(again)).toEqual([]);
  });

  test('a conntrack sysctl this namespace cannot write is said, and does not stop it', async () => {
    const result = await kipvs(ns, [
      'proxy',
      '--init-only',
      `--iptables-backend=${TEST_IPTABLES_BACKEND}`,
      '--conntrack-max-per-core=1000000',
      '--audit-log-path=-',
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/Cannot set a conntrack sysctl.*nf_conntrack_max/);
    expect(result.stderr).not.toContain('internal error');
  });
});

describe('kipvs proxy --init-only: the iptables backend', () => {
  // Debian's UML kernel (the legacy boot) has no nf_tables for IPv4/IPv6; the nft boot's has.
  const nftWorks = TEST_IPTABLES_BACKEND === 'nft';
  const TABLE_ADD = 'TABLE_ADD failed (Operation not supported)';

  test('chosen automatically: one this kernel can write, and the log says why', async () => {
    const result = await kipvs(ns, ['proxy', '--init-only', '--audit-log-path=-']);
    expect(result.status).toBe(0);
    const chosen = result.stderr.split('\n').find((line) => line.includes('"Using iptables backend"'));
    if (nftWorks) expect(chosen).toContain('backend="nft" reason="nft by default (Kubernetes rules: nft 0, legacy 0)"');
    else
      expect(chosen).toMatch(
        new RegExp(
          `backend="legacy" reason="iptables-nft does not work here \\(.*${TABLE_ADD.replace(/[()]/g, '\\$&')}`,
        ),
      );
  });

  test('--iptables-backend=nft: used where the kernel writes it, else the start stops and says why', async () => {
    const result = await kipvs(ns, ['proxy', '--init-only', '--iptables-backend=nft', '--audit-log-path=-']);
    if (nftWorks) {
      expect(result.status).toBe(0);
    } else {
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(
        `iptables does not work on this node (the iptables backend cannot write here: iptables-nft: iptables-nft-restore v1.8.9 (nf_tables): line 2: ${TABLE_ADD}: table filter`,
      );
      expect(result.stderr).not.toContain('internal error');
    }
  });
});
