// Kernel refusals surface as typed IpsetErrors that say what happened; in a
// batch every operation gets its own result, a failing entry does not keep the
// entries after it in its message from being applied; values the wire cannot
// carry never leave the process.
import { testIptablesCommand } from '../uml/iptables-backend.js';
import { describe, expect, test } from '@jest/globals';
import { IpsetPermissionError, type IpsetOperation } from '../../src/ipset/index.js';
import { ownNetns, runUnprivileged } from '../uml/netns.js';
import { failure, hashSet, ipset, ipsetClientPerFile, portSet } from './ipset-support.js';

const client = ipsetClientPerFile();

async function count(name: string): Promise<number> {
  return Number(/^Number of entries: (\d+)$/m.exec(await ipset('list', '-t', name))?.[1]);
}

describe('kernel errors as IpsetError', () => {
  test('an entry for a set that does not exist: ENOENT, for the whole message', async () => {
    const results = await client().apply([
      { op: 'add-entry', set: 'KIPVS-MISSING', entry: { ip: '10.0.0.1' } },
      { op: 'add-entry', set: 'KIPVS-MISSING', entry: { ip: '10.0.0.2' } },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual([
      'add-entry 10.0.0.1 in KIPVS-MISSING: the set does not exist (ENOENT)',
      'add-entry 10.0.0.2 in KIPVS-MISSING: the set does not exist (ENOENT)',
    ]);
  });

  test('a duplicate among 1,000 entries: its own IPSET_ERR_EXIST; every other entry, before and after it, applied', async () => {
    await client().createSet(hashSet('KIPVS-DUP', 'hash:ip'));
    await client().addEntry('KIPVS-DUP', { ip: '10.0.1.244' });
    const ops = Array.from(
      { length: 1000 },
      (_, i): IpsetOperation => ({ op: 'add-entry', set: 'KIPVS-DUP', entry: { ip: `10.0.${i >> 8}.${i & 0xff}` } }),
    );
    const results = await client().apply(ops);
    const failed = results.flatMap((r, i) => (r.ok ? [] : [[i, r.error.code, r.error.message]]));
    expect(failed).toEqual([
      [500, 'IPSET_ERR_EXIST', 'add-entry 10.0.1.244 in KIPVS-DUP: the entry is already in the set (IPSET_ERR_EXIST)'],
    ]);
    expect(await count('KIPVS-DUP')).toBe(1000);
    // -exist: no error, no change.
    expect((await client().apply(ops.map((op) => ({ ...op, exist: true })))).every((r) => r.ok)).toBe(true);
  });

  test('deleting an entry that is not there: IPSET_ERR_EXIST, unless -exist', async () => {
    await client().createSet(hashSet('KIPVS-DEL', 'hash:ip,port'));
    const entry = { ip: '10.0.0.1', protocol: 'tcp', port: 80 } as const;
    expect((await failure(client().deleteEntry('KIPVS-DEL', entry))).message).toBe(
      'delete-entry 10.0.0.1,tcp:80 in KIPVS-DEL: the entry is not in the set (IPSET_ERR_EXIST)',
    );
    await client().deleteEntry('KIPVS-DEL', entry, true);
  });

  test('creating a set that exists: EEXIST; -exist accepts the same set only', async () => {
    await client().createSet(hashSet('KIPVS-TWICE', 'hash:ip'));
    expect((await failure(client().createSet(hashSet('KIPVS-TWICE', 'hash:ip')))).message).toBe(
      'create-set KIPVS-TWICE hash:ip: a set with this name already exists (EEXIST)',
    );
    await client().createSet(hashSet('KIPVS-TWICE', 'hash:ip'), true);
    expect(
      (
        await failure(
          client().createSet(
            hashSet('KIPVS-TWICE', 'hash:ip', 'inet', false, { kind: 'hash', hashSize: 1024, maxElem: 10 }),
            true,
          ),
        )
      ).message,
    ).toBe('create-set KIPVS-TWICE hash:ip: a set with this name but other parameters exists (EEXIST)');
  });

  test('a set type the kernel lacks: IPSET_ERR_FIND_TYPE naming the module', async () => {
    const err = await failure(
      client().createSet({
        name: 'KIPVS-MAC',
        type: 'hash:ip,mac' as 'hash:ip',
        family: 'inet',
        options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
      }),
    );
    expect(err.message).toBe(
      'create-set KIPVS-MAC hash:ip,mac: the kernel has no set type hash:ip,mac (is the ip_set_hash_ipmac module available?) (IPSET_ERR_FIND_TYPE)',
    );
  });

  test('destroying a set an iptables rule uses: IPSET_ERR_BUSY', async () => {
    await client().createSet(hashSet('KIPVS-USED', 'hash:ip'));
    const rule = ['INPUT', '-m', 'set', '--match-set', 'KIPVS-USED', 'src', '-j', 'ACCEPT'];
    await ownNetns().run(testIptablesCommand('inet'), ['-A', ...rule]);
    try {
      expect((await failure(client().destroySet('KIPVS-USED'))).message).toBe(
        'destroy-set KIPVS-USED: the set is in use by the kernel (an iptables rule or a list:set set references it) (IPSET_ERR_BUSY)',
      );
      expect((await client().getSet('KIPVS-USED'))?.header.references).toBe(1);
    } finally {
      await ownNetns().run(testIptablesCommand('inet'), ['-D', ...rule]);
    }
  });

  test('swaps: the second set missing, or sets that differ', async () => {
    await client().apply([
      { op: 'create-set', set: hashSet('KIPVS-V4', 'hash:ip') },
      { op: 'create-set', set: hashSet('KIPVS-V6', 'hash:ip', 'inet6') },
    ]);
    const results = await client().apply([
      { op: 'swap-sets', set: 'KIPVS-V4', other: 'KIPVS-NONE' },
      { op: 'swap-sets', set: 'KIPVS-NONE', other: 'KIPVS-V4' },
      { op: 'swap-sets', set: 'KIPVS-V4', other: 'KIPVS-V6' },
      { op: 'flush-set', set: 'KIPVS-NONE' },
      { op: 'destroy-set', set: 'KIPVS-NONE' },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual([
      'swap-sets KIPVS-V4 KIPVS-NONE: the set KIPVS-NONE does not exist (IPSET_ERR_EXIST_SETNAME2)',
      'swap-sets KIPVS-NONE KIPVS-V4: the set KIPVS-NONE does not exist (ENOENT)',
      'swap-sets KIPVS-V4 KIPVS-V6: the sets differ in type or family and cannot be swapped (IPSET_ERR_TYPE_MISMATCH)',
      'flush-set KIPVS-NONE: the set does not exist (ENOENT)',
      'destroy-set KIPVS-NONE: the set does not exist (ENOENT)',
    ]);
  });

  test('entries the set refuses, each with the set type meaning of its error number', async () => {
    await client().apply([
      {
        op: 'create-set',
        set: { name: 'KIPVS-RANGE', type: 'bitmap:port', options: { kind: 'bitmap', portFrom: 30000, portTo: 32767 } },
      },
      {
        op: 'create-set',
        set: hashSet('KIPVS-SMALL', 'hash:ip', 'inet', false, { kind: 'hash', hashSize: 64, maxElem: 2 }),
      },
      { op: 'create-set', set: hashSet('KIPVS-SOURCES', 'hash:ip,port,net') },
    ]);
    const results = await client().apply([
      { op: 'add-entry', set: 'KIPVS-RANGE', entry: { port: 80 } },
      { op: 'add-entry', set: 'KIPVS-RANGE', entry: { port: 30080 } },
      { op: 'add-entry', set: 'KIPVS-SMALL', entry: { ip: '10.0.0.1' } },
      { op: 'add-entry', set: 'KIPVS-SMALL', entry: { ip: '10.0.0.2' } },
      { op: 'add-entry', set: 'KIPVS-SMALL', entry: { ip: '10.0.0.3' } },
      { op: 'add-entry', set: 'KIPVS-SMALL', entry: { ip: '2001:db8::1' } },
      { op: 'add-entry', set: 'KIPVS-SMALL', entry: { ip: '10.0.0.1', comment: 'no comments here' } },
      {
        op: 'add-entry',
        set: 'KIPVS-SOURCES',
        entry: { ip: '203.0.113.1', protocol: 'tcp', port: 80, net: '0.0.0.0/0' },
      },
      {
        op: 'add-entry',
        set: 'KIPVS-SOURCES',
        entry: { ip: '203.0.113.1', protocol: 'tcp', port: 80, net: '10.0.0.0/8' },
      },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.reason}`))).toEqual([
      "IPSET_ERR_BITMAP_RANGE: the port is outside the set's range",
      'ok',
      'ok',
      'ok',
      'IPSET_ERR_HASH_FULL: the set is full (maxelem)',
      "IPSET_ERR_PROTOCOL: the kernel refused the entry as malformed (is it of the set's family and type?)",
      'IPSET_ERR_COMMENT: the set was created without comments',
      // kube-proxy's loadBalancerSourceRanges of 0.0.0.0/0 meet this too.
      'IPSET_ERR_INVALID_CIDR: the prefix length is not valid for this set (hash:net and hash:ip,port,net refuse /0)',
      'ok',
    ]);
  });

  test('without CAP_NET_ADMIN: a permission error, at open', async () => {
    const { stdout } = await runUnprivileged('build/test/kernel/ipset-unprivileged.js');
    expect(stdout).toBe(
      `${IpsetPermissionError.name}: protocol: permission denied: run as root or with CAP_NET_ADMIN (EPERM)\n`,
    );
  });
});

describe('values the wire cannot carry', () => {
  test('are refused before anything is sent', async () => {
    const before = client().counters.sendCalls;
    const results = await client().apply([
      { op: 'add-entry', set: 'KIPVS-X', entry: { ip: '10.0.0.300' } },
      { op: 'add-entry', set: 'KIPVS-X', entry: { ip: '10.0.0.1', protocol: 'tcp', port: 70000 } },
      { op: 'add-entry', set: 'KIPVS-X', entry: { ip: '10.0.0.1', protocol: 'tcp', port: 80, ip2: '2001:db8::1' } },
      { op: 'add-entry', set: 'KIPVS-X', entry: { net: '10.0.0.0/33' } },
      { op: 'add-entry', set: 'KIPVS-X', entry: { ip: '10.0.0.1', comment: 'x'.repeat(256) } },
      { op: 'add-entry', set: 'KIPVS-A-NAME-LONGER-THAN-31-BYTES', entry: { ip: '10.0.0.1' } },
      { op: 'create-set', set: portSet('') },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.reason}`))).toEqual([
      "EINVAL: invalid IPv4 address '10.0.0.300': expected four decimal numbers 0-255 separated by dots",
      'EINVAL: port 70000 is not an integer from 0 to 65535',
      'EINVAL: both addresses of an entry must be of one family',
      "EINVAL: prefix length 33 of '10.0.0.0/33' is above 32",
      'EINVAL: a comment has at most 255 bytes and no NUL (this one: 256 bytes)',
      "EINVAL: a set name has 1 to 31 bytes and no NUL, 'KIPVS-A-NAME-LONGER-THAN-31-BYTES' has 33",
      "EINVAL: a set name has 1 to 31 bytes and no NUL, '' has 0",
    ]);
    expect(client().counters.sendCalls).toBe(before);
  });
});
