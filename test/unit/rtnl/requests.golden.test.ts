// The exact bytes of every rtnetlink request kipvs sends, written by hand from
// the layouts in include/uapi/linux/netlink.h, rtnetlink.h, if_link.h and
// if_addr.h: nlmsghdr (u32 len, u16 type, u16 flags, u32 seq, u32 pid), then
// struct ifinfomsg (u8 family, u8 pad, u16 type, i32 index, u32 flags,
// u32 change) or struct ifaddrmsg (u8 family, u8 prefixlen, u8 flags,
// u8 scope, u32 index), then nlattr TLVs (u16 len incl. the 4-byte header,
// u16 type, payload padded to 4). Integers are little-endian; addresses are
// bytes in network order.
import { describe, expect, test } from '@jest/globals';
import {
  addressRequest,
  createLinkRequest,
  deleteLinkRequest,
  getLinkRequest,
  listAddressesRequest,
} from '../../../src/rtnl/messages.js';
import { RouteError } from '../../../src/rtnl/errors.js';
import { DOIT, DUMP, framed } from '../netlink/framed.js';
import { hex } from '../netlink/hex.js';

const NO_LINK = '00 00 0000 00000000 00000000 00000000 # ifinfomsg: AF_UNSPEC, pad, type 0, index 0, flags 0, change 0';
const NAME_KUBE_IPVS0 = '0f00 0300 6b7562652d6970767330 00 00   # IFLA_IFNAME "kube-ipvs0\\0", 1 pad';

describe('golden bytes of every rtnetlink request', () => {
  test('RTM_NEWLINK creating kube-ipvs0 as kube-proxy does: dummy, txqueuelen 0, left down', () => {
    expect(framed(createLinkRequest('kube-ipvs0', 'dummy'), DOIT)).toEqual(hex`
      48000000 1000 0506 01000000 00000000   # len 72, RTM_NEWLINK(16), REQUEST|ACK|EXCL|CREATE, seq 1
      ${NO_LINK}
      ${NAME_KUBE_IPVS0}
      0800 0d00 00000000                     # IFLA_TXQLEN 0
      1000 1280                              # IFLA_LINKINFO(18) | NLA_F_NESTED, 16 bytes
        0a00 0100 64756d6d7900 0000          #   IFLA_INFO_KIND "dummy\\0", 2 pad
    `);
  });

  test('RTM_GETLINK by name', () => {
    expect(framed(getLinkRequest('kube-ipvs0'), DOIT)).toEqual(hex`
      30000000 1200 0500 01000000 00000000   # len 48, RTM_GETLINK(18), REQUEST|ACK
      ${NO_LINK}
      ${NAME_KUBE_IPVS0}
    `);
  });

  test('RTM_DELLINK by name', () => {
    expect(framed(deleteLinkRequest('kube-ipvs0'), DOIT)).toEqual(hex`
      30000000 1100 0500 01000000 00000000   # len 48, RTM_DELLINK(17)
      ${NO_LINK}
      ${NAME_KUBE_IPVS0}
    `);
  });

  test('RTM_GETADDR dump of both families, naming the link', () => {
    expect(framed(listAddressesRequest(4), DUMP)).toEqual(hex`
      18000000 1600 0103 01000000 00000000   # len 24, RTM_GETADDR(22), REQUEST|DUMP
      00 00 00 00 04000000                   # ifaddrmsg: AF_UNSPEC, prefix 0, flags 0, scope 0, index 4
    `);
  });

  test('RTM_NEWADDR 10.0.0.1/32: scope global, IFA_ADDRESS and IFA_LOCAL, exclusive', () => {
    const op = { op: 'add-address', address: { linkIndex: 4, address: '10.0.0.1', prefixLength: 32 } } as const;
    expect(framed(addressRequest(op), DOIT)).toEqual(hex`
      28000000 1400 0506 01000000 00000000   # len 40, RTM_NEWADDR(20), REQUEST|ACK|EXCL|CREATE
      02 20 00 00 04000000                   # ifaddrmsg: AF_INET, /32, flags 0, RT_SCOPE_UNIVERSE, index 4
      0800 0100 0a000001                     # IFA_ADDRESS 10.0.0.1
      0800 0200 0a000001                     # IFA_LOCAL 10.0.0.1
    `);
  });

  test('RTM_NEWADDR 2001:db8::1/128', () => {
    const op = { op: 'add-address', address: { linkIndex: 4, address: '2001:db8::1', prefixLength: 128 } } as const;
    expect(framed(addressRequest(op), DOIT)).toEqual(hex`
      40000000 1400 0506 01000000 00000000   # len 64, RTM_NEWADDR
      0a 80 00 00 04000000                   # AF_INET6, /128, flags 0, scope 0, index 4
      1400 0100 20010db8 00000000 00000000 00000001   # IFA_ADDRESS
      1400 0200 20010db8 00000000 00000000 00000001   # IFA_LOCAL
    `);
  });

  test('RTM_DELADDR 10.96.0.10/32: the same body, no CREATE/EXCL', () => {
    const op = { op: 'delete-address', address: { linkIndex: 7, address: '10.96.0.10', prefixLength: 32 } } as const;
    expect(framed(addressRequest(op), DOIT)).toEqual(hex`
      28000000 1500 0500 01000000 00000000   # len 40, RTM_DELADDR(21), REQUEST|ACK
      02 20 00 00 07000000
      0800 0100 0a60000a
      0800 0200 0a60000a
    `);
  });
});

describe('values the wire cannot carry are refused before sending', () => {
  test.each([
    ['an empty name', () => getLinkRequest(''), "a link name has 1 to 15 bytes, '' has 0"],
    [
      'a 16-byte name',
      () => createLinkRequest('kube-ipvs0-12345', 'dummy'),
      "a link name has 1 to 15 bytes, 'kube-ipvs0-12345' has 16",
    ],
    ['a name with a slash', () => deleteLinkRequest('a/b'), "'a/b' is not a valid link name"],
    ['a name with a space', () => getLinkRequest('a b'), "'a b' is not a valid link name"],
    ['"."', () => getLinkRequest('.'), "'.' is not a valid link name"],
    [
      'a bad IPv4 address',
      () => addressRequest({ op: 'add-address', address: { linkIndex: 1, address: '10.0.0.256', prefixLength: 32 } }),
      "invalid IPv4 address '10.0.0.256'",
    ],
    [
      'a bad IPv6 address',
      () =>
        addressRequest({ op: 'add-address', address: { linkIndex: 1, address: '2001:db8:::1', prefixLength: 128 } }),
      "invalid IPv6 address '2001:db8:::1'",
    ],
    [
      'prefix 33 for IPv4',
      () => addressRequest({ op: 'delete-address', address: { linkIndex: 1, address: '10.0.0.1', prefixLength: 33 } }),
      'prefix length 33 is not an integer from 0 to 32',
    ],
    [
      'link index 0',
      () => addressRequest({ op: 'add-address', address: { linkIndex: 0, address: '10.0.0.1', prefixLength: 32 } }),
      'link index 0 is not a positive int',
    ],
  ])('%s', (_name, build, reason) => {
    let error: unknown;
    try {
      build();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RouteError);
    expect(error).toMatchObject({ code: 'EINVAL' });
    expect((error as RouteError).reason).toContain(reason);
  });
});
