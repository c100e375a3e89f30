// Decoding of replies captured from a real kernel (test/fixtures/rtnl). The
// expected values are what the `ip` commands in each fixture's header set up.
import { describe, expect, test } from '@jest/globals';
import {
  NLMSG_DONE,
  NetlinkDecodeError,
  NetlinkError,
  errnoName,
  parseErrorReply,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { RoutePermissionError, routeErrorFrom, type RouteRequestKind } from '../../../src/rtnl/errors.js';
import { decodeAddress, decodeLink } from '../../../src/rtnl/messages.js';
import { fixtures } from '../netlink/fixture-files.js';
import { mutableRows } from '../../support/each-rows.js';

const rtnl = fixtures('rtnl');
const IFA_F_PERMANENT = 0x80;

describe('RTM_GETLINK replies', () => {
  test('kube-ipvs0 made by ip: a dummy link, down (BROADCAST|NOARP only)', () => {
    const [reply, ...rest] = rtnl.replies('get-link-dummy');
    expect(rest).toHaveLength(0);
    const link = decodeLink(reply as NetlinkMessage);
    expect(link).toEqual({
      index: expect.any(Number),
      name: 'kube-ipvs0',
      kind: 'dummy',
      up: false,
      flags: 0x82, // IFF_BROADCAST | IFF_NOARP
      mtu: 1500,
      txQueueLength: 1000, // ether_setup's default; kipvs creates kube-ipvs0 with 0, as kube-proxy does

      operState: 'down',
    });
  });

  test('lo: up, no IFLA_LINKINFO, so no kind', () => {
    const link = decodeLink(rtnl.replies('get-link-lo')[0] as NetlinkMessage);
    expect(link).toMatchObject({ index: 1, name: 'lo', up: true, mtu: 65536, operState: 'unknown' });
    expect(link).not.toHaveProperty('kind');
    expect(link.flags & 0x1).toBe(1);
  });

  test('a message of another type, or without its name, is a NetlinkDecodeError', () => {
    const reply = rtnl.replies('get-link-dummy')[0] as NetlinkMessage;
    expect(() => decodeLink({ ...reply, type: 17 })).toThrow(
      new NetlinkDecodeError('nlmsghdr.type', 'expected NEWLINK, got 17'),
    );
    // Cut after ifinfomsg: every attribute is gone.
    expect(() => decodeLink({ ...reply, payload: reply.payload.subarray(0, 16) })).toThrow(
      new NetlinkDecodeError('IFLA.operState', 'missing'),
    );
  });
});

describe('RTM_GETADDR dump', () => {
  const messages = rtnl.messages('get-addr-dump');
  const addresses = rtnl.replies('get-addr-dump').map(decodeAddress);

  test('ends with NLMSG_DONE and lists every address of the namespace, both families', () => {
    expect(messages.at(-1)?.type).toBe(NLMSG_DONE);
    expect(addresses.map((a) => a && `${a.address}/${a.prefixLength}`)).toEqual([
      '127.0.0.1/8',
      '10.96.0.1/32',
      '10.96.0.10/32',
      '192.168.5.5/24',
      '::1/128',
      'fd00::5/64',
      '2001:db8::1/128',
    ]);
  });

  test('IPv4: the local address, scope, label; IPv6: IFA_ADDRESS, the scope the kernel derives (not the one asked)', () => {
    const kubeIpvs0 = addresses[1]?.linkIndex;
    expect(addresses[1]).toEqual({
      linkIndex: kubeIpvs0,
      family: 'inet',
      address: '10.96.0.1',
      prefixLength: 32,
      scope: 'global',
      flags: IFA_F_PERMANENT,
      label: 'kube-ipvs0',
    });
    expect(addresses[3]).toMatchObject({ address: '192.168.5.5', label: 'kube-ipvs0:lb' });
    expect(addresses[0]).toMatchObject({ linkIndex: 1, scope: 'host', label: 'lo' });
    // `ip addr add fd00::5/64 scope site`: addrconf computes an IPv6 scope from the address.
    expect(addresses[5]).toEqual({
      linkIndex: kubeIpvs0,
      family: 'inet6',
      address: 'fd00::5',
      prefixLength: 64,
      scope: 'global',
      flags: IFA_F_PERMANENT,
    });
    // On a down NOARP dummy link an IPv6 address is not tentative (no IFA_F_TENTATIVE 0x40).
    expect(addresses[6]).toEqual({
      linkIndex: kubeIpvs0,
      family: 'inet6',
      address: '2001:db8::1',
      prefixLength: 128,
      scope: 'global',
      flags: IFA_F_PERMANENT,
    });
  });

  test('an address of the wrong length is a NetlinkDecodeError naming the attribute', () => {
    const v4 = rtnl.replies('get-addr-dump')[1] as NetlinkMessage;
    const asV6 = Buffer.from(v4.payload);
    asV6[0] = 10; // AF_INET6, with 4-byte addresses
    expect(() => decodeAddress({ ...v4, payload: asV6 })).toThrow(
      new NetlinkDecodeError('IFA.local', 'expected 16 bytes for an inet6 address, got 4'),
    );
  });

  test('a prefix longer than the address, or an ifindex that is not a positive int, is a NetlinkDecodeError', () => {
    const v4 = rtnl.replies('get-addr-dump')[1] as NetlinkMessage;
    const v6 = rtnl.replies('get-addr-dump')[6] as NetlinkMessage;
    const withByte = (msg: NetlinkMessage, at: number, value: number): NetlinkMessage => {
      const payload = Buffer.from(msg.payload);
      payload[at] = value;
      return { ...msg, payload };
    };
    // ifaddrmsg: family, prefixlen (byte 1), flags, scope, index (bytes 4-7, host order)
    expect(() => decodeAddress(withByte(v4, 1, 33))).toThrow(
      new NetlinkDecodeError('ifaddrmsg.prefixLength', '33 is above 32 for an inet address'),
    );
    expect(() => decodeAddress(withByte(v6, 1, 129))).toThrow(
      new NetlinkDecodeError('ifaddrmsg.prefixLength', '129 is above 128 for an inet6 address'),
    );
    const noIndex = Buffer.from(v4.payload);
    noIndex.writeUInt32LE(0, 4);
    expect(() => decodeAddress({ ...v4, payload: noIndex })).toThrow(
      new NetlinkDecodeError('ifaddrmsg.index', '0 is not a positive int'),
    );
    expect(() => decodeAddress(withByte(v4, 7, 0x80))).toThrow(NetlinkDecodeError);
  });

  test('families other than IPv4 and IPv6 are not addresses kipvs binds', () => {
    const v4 = rtnl.replies('get-addr-dump')[1] as NetlinkMessage;
    const other = Buffer.from(v4.payload);
    other[0] = 17; // AF_PACKET
    expect(decodeAddress({ ...v4, payload: other })).toBeUndefined();
  });
});

describe('error replies', () => {
  function errorOf(name: string, request: RouteRequestKind) {
    const reply = parseErrorReply(rtnl.error(name));
    const netlink = new NetlinkError(
      errnoName(reply.errno),
      reply.errno,
      { family: 'rtnetlink', command: 'X' },
      reply.message,
    );
    return { reply, error: routeErrorFrom(netlink, request) };
  }
  const key = { linkIndex: 4, address: '10.96.0.1', prefixLength: 32 };

  test.each(
    mutableRows([
      [
        'error-getlink-enodev',
        { op: 'get-link', name: 'missing0' },
        19,
        'get-link link missing0: no such link (ENODEV)',
      ],
      [
        'error-newlink-eexist',
        { op: 'create-link', name: 'kube-ipvs0', kind: 'dummy' },
        17,
        'create-link link kube-ipvs0: a link with this name already exists (EEXIST)',
      ],
      [
        'error-newaddr-eexist',
        { op: 'add-address', address: key },
        17,
        'add-address 10.96.0.1/32 on link 4: the address is already on the link (EEXIST)',
      ],
      [
        'error-deladdr-eaddrnotavail',
        { op: 'delete-address', address: { ...key, address: '10.96.0.99' } },
        99,
        'delete-address 10.96.0.99/32 on link 4: the address is not on the link (EADDRNOTAVAIL)',
      ],
      [
        'error-newaddr-enodev',
        { op: 'add-address', address: { ...key, linkIndex: 999 } },
        19,
        'add-address 10.96.0.1/32 on link 999: no such link (ENODEV)',
      ],
    ] as const),
  )('%s', (name, request, errno, message) => {
    const { reply, error } = errorOf(name, request);
    expect(reply).toEqual({ errno }); // capped (NETLINK_CAP_ACK), no extended ACK text
    expect(error.message).toBe(message);
  });

  test('EPERM becomes a permission error that says what to do', () => {
    const error = routeErrorFrom(new NetlinkError('EPERM', 1, { family: 'rtnetlink', command: 'NEWLINK' }), {
      op: 'create-link',
      name: 'kube-ipvs0',
      kind: 'dummy',
    });
    expect(error).toBeInstanceOf(RoutePermissionError);
    expect(error.message).toBe(
      'create-link link kube-ipvs0: permission denied: run as root or with CAP_NET_ADMIN (EPERM)',
    );
  });
});
