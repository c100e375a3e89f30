// Decoding of replies captured from a real kernel (test/fixtures/ipset). The
// expected values are what the ipset commands in each fixture's header set up.
import { describe, expect, test } from '@jest/globals';
import {
  NLMSG_DONE,
  NetlinkDecodeError,
  NetlinkError,
  errnoName,
  parseErrorReply,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { ipsetErrorFrom, type IpsetRequestKind } from '../../../src/ipset/errors.js';
import { decodeEntry } from '../../../src/ipset/entries.js';
import {
  decodeList,
  decodeNames,
  decodeProtocol,
  decodeTypeRevision,
  failedLine,
} from '../../../src/ipset/messages.js';
import type { IpsetHeader } from '../../../src/ipset/types.js';
import { fixtures } from '../netlink/fixture-files.js';
import { mutableRows } from '../../support/each-rows.js';

const ipset = fixtures('ipset');
const HASH = { kind: 'hash', hashSize: 1024, maxElem: 65536 } as const;

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('PROTOCOL and TYPE', () => {
  test('the kernel speaks protocols 6 to 7', () => {
    expect(decodeProtocol(only(ipset.replies('protocol')))).toEqual({ protocol: 7, protocolMin: 6 });
  });

  test('hash:ip,port: its newest revision', () => {
    expect(decodeTypeRevision(only(ipset.replies('type-hash-ipport')))).toBe(6);
  });

  test('a reply to another command is a NetlinkDecodeError', () => {
    expect(() => decodeProtocol(only(ipset.replies('type-hash-ipport')))).toThrow(
      new NetlinkDecodeError('nlmsghdr.type', 'expected ipset PROTOCOL, got 0x60d'),
    );
  });
});

describe('LIST dumps', () => {
  test('names only, in the kernel order', () => {
    expect(decodeNames(ipset.replies('list-names'))).toEqual([
      'KUBE-CLUSTER-IP',
      'KUBE-6-LOOP-BACK',
      'KUBE-LOAD-BALANCER-SOURCE-CIDR',
      'KUBE-NODE-PORT-TCP',
      'KUBE-IPVS-IPS',
      'KIPVS-NETS',
      'KIPVS-BIG',
    ]);
  });

  test('headers: type, family, options, comment extension, references, sizes', () => {
    const headers = new Map(decodeList(ipset.replies('list-headers')).map((s) => [s.header.name, s.header]));
    const common = {
      comments: false,
      references: 0,
      memorySize: expect.any(Number),
      bucketSize: 12,
      initval: expect.any(Number),
    };
    expect(headers.get('KUBE-CLUSTER-IP')).toEqual({
      ...common,
      name: 'KUBE-CLUSTER-IP',
      type: 'hash:ip,port',
      revision: 6,
      family: 'inet',
      options: HASH,
      references: 1, // the iptables-legacy rule
      entryCount: 3,
    });
    expect(headers.get('KUBE-6-LOOP-BACK')).toMatchObject({
      type: 'hash:ip,port,ip',
      family: 'inet6',
      revision: 6,
      entryCount: 1,
    });
    expect(headers.get('KUBE-LOAD-BALANCER-SOURCE-CIDR')).toMatchObject({ type: 'hash:ip,port,net', revision: 8 });
    expect(headers.get('KUBE-IPVS-IPS')).toMatchObject({ type: 'hash:ip', revision: 5, comments: true });
    expect(headers.get('KIPVS-NETS')).toMatchObject({ type: 'hash:net', family: 'inet6', revision: 7 });
    // A bitmap:port set: the range, no family, no bucket size or initval.
    const ports = headers.get('KUBE-NODE-PORT-TCP') as IpsetHeader;
    expect(ports).toEqual({
      name: 'KUBE-NODE-PORT-TCP',
      type: 'bitmap:port',
      revision: 3,
      options: { kind: 'bitmap', portFrom: 0, portTo: 65535 },
      comments: false,
      references: 0,
      memorySize: 8264,
      entryCount: 1,
    });
    // 5,000 entries made the kernel grow the table: the live hashsize is no longer the one created.
    expect(headers.get('KIPVS-BIG')).toMatchObject({
      options: { kind: 'hash', hashSize: 2048, maxElem: 65536 },
      entryCount: 5000,
    });
  });

  test.each([
    [
      'kube-cluster-ip',
      [
        { ip: '10.96.0.1', protocol: 'tcp', port: 443 },
        { ip: '10.96.0.10', protocol: 'udp', port: 53 },
        { ip: '10.96.0.10', protocol: 'sctp', port: 9 },
      ],
    ],
    ['kube-6-loop-back', [{ ip: 'fd00:244::5', protocol: 'udp', port: 53, ip2: 'fd00:244::5' }]],
    ['kube-load-balancer-source-cidr', [{ ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '10.0.0.0/8' }]],
    ['kube-node-port-tcp', [{ port: 30080 }]],
    ['kube-ipvs-ips', [{ ip: '10.96.0.1', comment: 'default/kubernetes' }]],
    ['kipvs-nets', [{ net: '2001:db8::/32' }]],
  ])('the entries of %s', (name, entries) => {
    const set = only(decodeList(ipset.replies(`list-${name}`)));
    expect(set.header.name).toBe(name.toUpperCase());
    expect(set.entries).toHaveLength(entries.length);
    expect(set.entries).toEqual(expect.arrayContaining(entries));
  });

  test('a set longer than one dump message: the header once, entries from every message', () => {
    const replies = ipset.replies('list-kipvs-big');
    expect(replies.length).toBeGreaterThan(1);
    expect(ipset.messages('list-kipvs-big').at(-1)?.type).toBe(NLMSG_DONE);
    const set = only(decodeList(replies));
    const expected = Array.from({ length: 5000 }, (_, i) => `10.1.${i >> 8}.${i & 0xff}`).sort();
    expect(set.entries?.map((e) => ('ip' in e ? e.ip : '')).sort()).toEqual(expected);
  });

  test('sets of types kipvs does not model list their headers, no entries', () => {
    const headers = decodeList(ipset.replies('list-headers'));
    const renamed = ipset.replies('list-kube-node-port-tcp').map((msg) => withTypeName(msg, 'bitmap:ip'));
    expect(only(decodeList(renamed))).toEqual({
      header: expect.objectContaining({ type: 'bitmap:ip' }),
      entries: undefined,
    });
    expect(headers.every((s) => s.entries !== undefined)).toBe(true);
  });
});

/** The message with its IPSET_ATTR_TYPENAME overwritten by a name of the same length. */
function withTypeName(msg: NetlinkMessage, type: string): NetlinkMessage {
  const payload = Buffer.from(msg.payload);
  const at = payload.indexOf('bitmap:port');
  if (at === -1 || type.length > 'bitmap:port'.length) return msg;
  payload.fill(0, at, at + 'bitmap:port'.length);
  payload.write(type, at);
  return { ...msg, payload };
}

describe('entries', () => {
  const v4 = { v4: Buffer.from([10, 0, 0, 0]) };
  const v6 = { v6: Buffer.alloc(16) };

  test('a network whose prefix is longer than its address is a NetlinkDecodeError naming the attribute', () => {
    expect(decodeEntry('hash:net', { ip: v4, cidr: 32 }, 'e')).toEqual({ net: '10.0.0.0/32' });
    expect(() => decodeEntry('hash:net', { ip: v4, cidr: 33 }, 'e')).toThrow(
      new NetlinkDecodeError('e.cidr', 'prefix length 33 is above 32'),
    );
    const base = { ip: v4, proto: 6, port: 80 };
    expect(decodeEntry('hash:ip,port,net', { ...base, ip2: v6, cidr2: 128 }, 'e')).toEqual({
      ip: '10.0.0.0',
      protocol: 'tcp',
      port: 80,
      net: '::/128',
    });
    expect(() => decodeEntry('hash:ip,port,net', { ...base, ip2: v6, cidr2: 129 }, 'e')).toThrow(
      new NetlinkDecodeError('e.cidr2', 'prefix length 129 is above 128'),
    );
  });
});

describe('error replies', () => {
  function errorOf(name: string, request: IpsetRequestKind) {
    const reply = parseErrorReply(ipset.error(name));
    const netlink = new NetlinkError(
      errnoName(reply.errno),
      reply.errno,
      { family: 'ipset', command: 'X' },
      reply.message,
      reply.echo,
    );
    return { reply, error: ipsetErrorFrom(netlink, request) };
  }
  const add = {
    op: 'add-entry',
    set: 'KUBE-CLUSTER-IP',
    entry: { ip: '10.96.0.1', protocol: 'tcp', port: 443 },
  } as const;

  test('a failing entry of an ADT message: the kernel echoes the whole message, with the entry line number', () => {
    const { reply, error } = errorOf('error-add-exist-line-2', add);
    expect(reply.errno).toBe(4103);
    expect(failedLine(reply.echo)).toBe(2);
    expect(error.message).toBe(
      'add-entry 10.96.0.1,tcp:443 in KUBE-CLUSTER-IP: the entry is already in the set (IPSET_ERR_EXIST)',
    );
  });

  test('an error about the whole message: a capped echo, no line', () => {
    const { reply, error } = errorOf('error-add-enoent', { ...add, set: 'KIPVS-NONE' });
    expect(reply).toEqual({ errno: 2 });
    expect(failedLine(reply.echo)).toBeUndefined();
    expect(error.message).toBe('add-entry 10.96.0.1,tcp:443 in KIPVS-NONE: the set does not exist (ENOENT)');
  });

  test.each(
    mutableRows([
      [
        'error-list-missing',
        { op: 'get-set', set: 'KIPVS-NONE' },
        'get-set KIPVS-NONE: the set does not exist (ENOENT)',
      ],
      [
        'error-create-eexist',
        {
          op: 'create-set',
          set: {
            name: 'KUBE-NODE-PORT-TCP',
            type: 'bitmap:port',
            options: { kind: 'bitmap', portFrom: 0, portTo: 65535 },
          },
        },
        'create-set KUBE-NODE-PORT-TCP bitmap:port: a set with this name already exists (EEXIST)',
      ],
      [
        'error-destroy-busy',
        { op: 'destroy-set', set: 'KUBE-CLUSTER-IP' },
        'destroy-set KUBE-CLUSTER-IP: the set is in use by the kernel (an iptables rule or a list:set set references it) (IPSET_ERR_BUSY)',
      ],
      [
        'error-swap-mismatch',
        { op: 'swap-sets', set: 'KUBE-CLUSTER-IP', other: 'KUBE-IPVS-IPS' },
        'swap-sets KUBE-CLUSTER-IP KUBE-IPVS-IPS: the sets differ in type or family and cannot be swapped (IPSET_ERR_TYPE_MISMATCH)',
      ],
      [
        'error-type-missing',
        { op: 'get-type', type: 'hash:ip,mac', family: 'inet' },
        'get-type hash:ip,mac: the kernel has no set type hash:ip,mac (is the ip_set_hash_ipmac module available?) (IPSET_ERR_FIND_TYPE)',
      ],
    ] as const),
  )('%s', (name, request, message) => {
    expect(errorOf(name, request).error.message).toBe(message);
  });

  test('type-specific numbers mean what the set type says', () => {
    const err = (errno: number, request: IpsetRequestKind) =>
      ipsetErrorFrom(new NetlinkError(`E${errno}`, errno, { family: 'ipset', command: 'ADD' }), request);
    expect(err(4352, add).code).toBe('IPSET_ERR_HASH_FULL');
    expect(err(4352, { op: 'add-entry', set: 'KUBE-NODE-PORT-TCP', entry: { port: 80 } }).code).toBe(
      'IPSET_ERR_BITMAP_RANGE',
    );
    expect(
      err(4353, {
        op: 'create-set',
        set: { name: 'P', type: 'bitmap:port', options: { kind: 'bitmap', portFrom: 0, portTo: 1 } },
      }).code,
    ).toBe('IPSET_ERR_BITMAP_RANGE_SIZE');
    expect(err(4360, add).code).toBe('IPSET_ERR_4360');
    expect(err(4352, { op: 'flush-set', set: 'X' }).code).toBe('IPSET_ERR_4352');
  });
});
