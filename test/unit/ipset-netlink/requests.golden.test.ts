// The exact bytes of every ipset request kipvs sends, written by hand from the
// layouts in include/uapi/linux/netlink.h, netfilter/nfnetlink.h and
// netfilter/ipset/ip_set.h: nlmsghdr (u32 len, u16 type = NFNL_SUBSYS_IPSET(6)
// << 8 | command, u16 flags, u32 seq, u32 pid), struct nfgenmsg (u8 family,
// u8 version, __be16 res_id), then nlattr TLVs (u16 len incl. the 4-byte
// header, u16 type, payload padded to 4). Nests carry NLA_F_NESTED (0x8000)
// and big-endian values NLA_F_NET_BYTEORDER (0x4000): ipset refuses them
// otherwise. Lengths and counts are little-endian; ports, hash sizes and
// addresses are in network order.
import { describe, expect, test } from '@jest/globals';
import type { Request } from '../../../src/netlink/index.js';
import * as c from '../../../src/ipset/constants.js';
import { entryMessages, listRequest, protocolRequest, setRequest, typeRequest } from '../../../src/ipset/messages.js';
import type { EntryOperation, IpsetEntry } from '../../../src/ipset/types.js';
import { DOIT, DUMP, framed } from '../netlink/framed.js';
import { hex } from '../netlink/hex.js';

const P = c.IPSET_PROTOCOL;

const NFGENMSG =
  '02 00 0000                             # nfgenmsg: AF_INET (what the ipset tool sends), NFNETLINK_V0, res_id 0';
const PROTOCOL_7 = '0500 0100 07 000000                    # IPSET_ATTR_PROTOCOL 7';
const KUBE_CLUSTER_IP = '1400 0200 4b5542452d434c55535445522d495000 # IPSET_ATTR_SETNAME "KUBE-CLUSTER-IP\\0"';
const HASHSIZE_1024_MAXELEM_65536 = `
  0800 1240 00000400                     # IPSET_ATTR_HASHSIZE(18) | NET_BYTEORDER, be32 1024
  0800 1340 00010000                     # IPSET_ATTR_MAXELEM(19) | NET_BYTEORDER, be32 65536
`;

/** The one message of some entry operations. */
function entryMessage(...ops: EntryOperation[]): Request {
  const { messages, refused } = entryMessages(
    P,
    ops,
    ops.map((_, i) => i),
  );
  expect(refused.size).toBe(0);
  expect(messages).toHaveLength(1);
  return (messages[0] as (typeof messages)[number]).request;
}
const add = (set: string, entry: IpsetEntry): EntryOperation => ({ op: 'add-entry', set, entry });

describe('golden bytes of every ipset request', () => {
  test('PROTOCOL', () => {
    expect(framed(protocolRequest(), DOIT)).toEqual(hex`
      1c000000 0106 0500 01000000 00000000   # len 28, IPSET_CMD_PROTOCOL(1), REQUEST|ACK
      ${NFGENMSG}
      ${PROTOCOL_7}
    `);
  });

  test('TYPE hash:ip,port inet', () => {
    expect(framed(typeRequest(P, 'hash:ip,port', 'inet'), DOIT)).toEqual(hex`
      38000000 0d06 0500 01000000 00000000   # len 56, IPSET_CMD_TYPE(13)
      ${NFGENMSG}
      ${PROTOCOL_7}
      1100 0300 686173683a69702c706f727400 000000   # IPSET_ATTR_TYPENAME "hash:ip,port\\0", 3 pad
      0500 0500 02 000000                    # IPSET_ATTR_FAMILY NFPROTO_IPV4
    `);
  });

  test("CREATE KUBE-CLUSTER-IP hash:ip,port with kube-proxy's parameters", () => {
    const op = {
      op: 'create-set',
      set: {
        name: 'KUBE-CLUSTER-IP',
        type: 'hash:ip,port',
        family: 'inet',
        options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
      },
    } as const;
    expect(framed(setRequest(op, P, 6), DOIT)).toEqual(hex`
      68000000 0206 0506 01000000 00000000   # len 104, IPSET_CMD_CREATE(2), REQUEST|ACK|EXCL|CREATE
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
      1100 0300 686173683a69702c706f727400 000000   # IPSET_ATTR_TYPENAME "hash:ip,port\\0"
      0500 0400 06 000000                    # IPSET_ATTR_REVISION 6
      0500 0500 02 000000                    # IPSET_ATTR_FAMILY NFPROTO_IPV4
      1400 0780                              # IPSET_ATTR_DATA | NLA_F_NESTED, 20 bytes
        ${HASHSIZE_1024_MAXELEM_65536}
    `);
  });

  test('CREATE -exist bitmap:port range 0-65535: family NFPROTO_UNSPEC, no NLM_F_EXCL', () => {
    const op = {
      op: 'create-set',
      set: { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', options: { kind: 'bitmap', portFrom: 0, portTo: 65535 } },
      exist: true,
    } as const;
    expect(framed(setRequest(op, P, 3), DOIT)).toEqual(hex`
      68000000 0206 0504 01000000 00000000   # len 104, CREATE, REQUEST|ACK|CREATE
      ${NFGENMSG}
      ${PROTOCOL_7}
      1700 0200 4b5542452d4e4f44452d504f52542d54435000 00   # IPSET_ATTR_SETNAME "KUBE-NODE-PORT-TCP\\0", 1 pad
      1000 0300 6269746d61703a706f727400     # IPSET_ATTR_TYPENAME "bitmap:port\\0"
      0500 0400 03 000000                    # IPSET_ATTR_REVISION 3
      0500 0500 00 000000                    # IPSET_ATTR_FAMILY NFPROTO_UNSPEC
      1400 0780                              # IPSET_ATTR_DATA
        0600 0440 0000 0000                  #   IPSET_ATTR_PORT(4) | NET_BYTEORDER, be16 0
        0600 0540 ffff 0000                  #   IPSET_ATTR_PORT_TO(5) | NET_BYTEORDER, be16 65535
    `);
  });

  test('CREATE hash:ip inet6 with comments: IPSET_FLAG_WITH_COMMENT in IPSET_ATTR_CADT_FLAGS', () => {
    const op = {
      op: 'create-set',
      set: {
        name: 'KUBE-6-IPVS-IPS',
        type: 'hash:ip',
        family: 'inet6',
        options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
        comments: true,
      },
    } as const;
    expect(framed(setRequest(op, P, 5), DOIT)).toEqual(hex`
      68000000 0206 0506 01000000 00000000   # len 104, CREATE
      ${NFGENMSG}
      ${PROTOCOL_7}
      1400 0200 4b5542452d362d495056532d49505300 # IPSET_ATTR_SETNAME "KUBE-6-IPVS-IPS\\0"
      0c00 0300 686173683a697000             # IPSET_ATTR_TYPENAME "hash:ip\\0"
      0500 0400 05 000000                    # IPSET_ATTR_REVISION 5
      0500 0500 0a 000000                    # IPSET_ATTR_FAMILY NFPROTO_IPV6
      1c00 0780                              # IPSET_ATTR_DATA, 28 bytes
        0800 0840 00000010                   #   IPSET_ATTR_CADT_FLAGS(8) | NET_BYTEORDER, be32 IPSET_FLAG_WITH_COMMENT
        ${HASHSIZE_1024_MAXELEM_65536}
    `);
  });

  test('DESTROY: NLM_F_EXCL, so that a missing set is an error; without it for -exist', () => {
    const body = `
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
    `;
    expect(framed(setRequest({ op: 'destroy-set', set: 'KUBE-CLUSTER-IP' }, P, 0), DOIT)).toEqual(hex`
      30000000 0306 0502 01000000 00000000   # len 48, IPSET_CMD_DESTROY(3), REQUEST|ACK|EXCL
      ${body}
    `);
    expect(framed(setRequest({ op: 'destroy-set', set: 'KUBE-CLUSTER-IP', exist: true }, P, 0), DOIT)).toEqual(hex`
      30000000 0306 0500 01000000 00000000   # REQUEST|ACK
      ${body}
    `);
  });

  test('FLUSH', () => {
    expect(framed(setRequest({ op: 'flush-set', set: 'KUBE-CLUSTER-IP' }, P, 0), DOIT)).toEqual(hex`
      30000000 0406 0500 01000000 00000000   # len 48, IPSET_CMD_FLUSH(4)
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
    `);
  });

  test('SWAP: the second name in IPSET_ATTR_SETNAME2, which takes the number of IPSET_ATTR_TYPENAME', () => {
    expect(framed(setRequest({ op: 'swap-sets', set: 'KUBE-CLUSTER-IP', other: 'KIPVS-TMP' }, P, 0), DOIT)).toEqual(hex`
      40000000 0606 0500 01000000 00000000   # len 64, IPSET_CMD_SWAP(6)
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
      0e00 0300 4b495056532d544d5000 0000    # IPSET_ATTR_SETNAME2(3) "KIPVS-TMP\\0"
    `);
  });

  test('LIST dumps: every set name, and one set', () => {
    expect(framed(listRequest(P, undefined, c.IPSET_FLAG_LIST_SETNAME), DUMP)).toEqual(hex`
      24000000 0706 0103 01000000 00000000   # len 36, IPSET_CMD_LIST(7), REQUEST|DUMP
      ${NFGENMSG}
      ${PROTOCOL_7}
      0800 0640 00000002                     # IPSET_ATTR_FLAGS(6) | NET_BYTEORDER, be32 IPSET_FLAG_LIST_SETNAME
    `);
    expect(framed(listRequest(P, 'KUBE-CLUSTER-IP'), DUMP)).toEqual(hex`
      30000000 0706 0103 01000000 00000000   # len 48
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
    `);
  });

  test('ADD of two entries in one message: IPSET_ATTR_ADT, each entry numbered by IPSET_ATTR_LINENO', () => {
    const request = entryMessage(
      add('KUBE-CLUSTER-IP', { ip: '10.96.0.1', protocol: 'tcp', port: 443 }),
      add('KUBE-CLUSTER-IP', { ip: '10.96.0.10', protocol: 'udp', port: 53 }),
    );
    expect(framed(request, DOIT)).toEqual(hex`
      8c000000 0906 0502 01000000 00000000   # len 140, IPSET_CMD_ADD(9), REQUEST|ACK|EXCL
      ${NFGENMSG}
      ${PROTOCOL_7}
      ${KUBE_CLUSTER_IP}
      0800 0900 00000000                     # IPSET_ATTR_LINENO 0: the kernel writes a failing entry's number here
      5400 0880                              # IPSET_ATTR_ADT | NLA_F_NESTED, 84 bytes
        2800 0780                            #   IPSET_ATTR_DATA | NLA_F_NESTED, 40 bytes
          0800 0900 01000000                 #     IPSET_ATTR_LINENO 1
          0c00 0180                          #     IPSET_ATTR_IP | NLA_F_NESTED
            0800 0140 0a600001               #       IPSET_ATTR_IPADDR_IPV4 | NET_BYTEORDER 10.96.0.1
          0600 0440 01bb 0000                #     IPSET_ATTR_PORT be16 443
          0500 0700 06 000000                #     IPSET_ATTR_PROTO IPPROTO_TCP
        2800 0780
          0800 0900 02000000                 #     IPSET_ATTR_LINENO 2
          0c00 0180 0800 0140 0a60000a       #     10.96.0.10
          0600 0440 0035 0000                #     53
          0500 0700 11 000000                #     IPPROTO_UDP
    `);
  });

  test('DEL -exist of a hash:ip,port,ip IPv6 entry: IPSET_ATTR_IPADDR_IPV6, the second address in IPSET_ATTR_IP2', () => {
    const request = entryMessage({
      op: 'delete-entry',
      set: 'KUBE-6-LOOP-BACK',
      entry: { ip: 'fd00:244::5', protocol: 'udp', port: 53, ip2: 'fd00:244::5' },
      exist: true,
    });
    expect(framed(request, DOIT)).toEqual(hex`
      8c000000 0a06 0500 01000000 00000000   # len 140, IPSET_CMD_DEL(10), REQUEST|ACK (no EXCL: -exist)
      ${NFGENMSG}
      ${PROTOCOL_7}
      1500 0200 4b5542452d362d4c4f4f502d4241434b00 000000 # IPSET_ATTR_SETNAME "KUBE-6-LOOP-BACK\\0"
      0800 0900 00000000                     # IPSET_ATTR_LINENO 0
      5000 0880                              # IPSET_ATTR_ADT, 80 bytes
        4c00 0780                            #   IPSET_ATTR_DATA, 76 bytes
          0800 0900 01000000                 #     IPSET_ATTR_LINENO 1
          1800 0180                          #     IPSET_ATTR_IP
            1400 0240 fd000244 00000000 00000000 00000005   # IPSET_ATTR_IPADDR_IPV6 | NET_BYTEORDER
          0600 0440 0035 0000                #     IPSET_ATTR_PORT 53
          0500 0700 11 000000                #     IPSET_ATTR_PROTO IPPROTO_UDP
          1800 1480                          #     IPSET_ATTR_IP2(20) | NLA_F_NESTED
            1400 0240 fd000244 00000000 00000000 00000005
    `);
  });

  test('ADD of a hash:ip,port,net entry: the network in IPSET_ATTR_IP2 and IPSET_ATTR_CIDR2', () => {
    const request = entryMessage(
      add('KUBE-LOAD-BALANCER-SOURCE-CIDR', { ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '10.0.0.0/8' }),
    );
    expect(framed(request, DOIT)).toEqual(hex`
      88000000 0906 0502 01000000 00000000   # len 136, ADD
      ${NFGENMSG}
      ${PROTOCOL_7}
      2300 0200 4b5542452d4c4f41442d42414c414e4345522d534f555243452d4349445200 00 # "KUBE-LOAD-BALANCER-SOURCE-CIDR\\0"
      0800 0900 00000000
      4000 0880                              # IPSET_ATTR_ADT, 64 bytes
        3c00 0780                            #   IPSET_ATTR_DATA, 60 bytes
          0800 0900 01000000
          0c00 0180 0800 0140 cb00710a       #     IPSET_ATTR_IP 203.0.113.10
          0600 0440 0050 0000                #     IPSET_ATTR_PORT 80
          0500 0700 06 000000                #     IPSET_ATTR_PROTO IPPROTO_TCP
          0c00 1480 0800 0140 0a000000       #     IPSET_ATTR_IP2 10.0.0.0
          0500 1500 08 000000                #     IPSET_ATTR_CIDR2(21) 8
    `);
  });

  test('ADD of a hash:net entry with a comment: IPSET_ATTR_CIDR and IPSET_ATTR_COMMENT', () => {
    const request = entryMessage(add('KIPVS-NETS', { net: '2001:db8::/32', comment: 'x' }));
    expect(framed(request, DOIT)).toEqual(hex`
      6c000000 0906 0502 01000000 00000000   # len 108, ADD
      ${NFGENMSG}
      ${PROTOCOL_7}
      0f00 0200 4b495056532d4e45545300 00    # IPSET_ATTR_SETNAME "KIPVS-NETS\\0"
      0800 0900 00000000
      3800 0880                              # IPSET_ATTR_ADT, 56 bytes
        3400 0780                            #   IPSET_ATTR_DATA, 52 bytes
          0800 0900 01000000
          1800 0180 1400 0240 20010db8 00000000 00000000 00000000   # IPSET_ATTR_IP 2001:db8::
          0500 0300 20 000000                #     IPSET_ATTR_CIDR(3) 32
          0600 1a00 7800 0000                #     IPSET_ATTR_COMMENT(26) "x\\0"
    `);
  });

  test('ADD of a bitmap:port entry: the port alone', () => {
    expect(framed(entryMessage(add('KUBE-NODE-PORT-TCP', { port: 30080 })), DOIT)).toEqual(hex`
      54000000 0906 0502 01000000 00000000   # len 84, ADD
      ${NFGENMSG}
      ${PROTOCOL_7}
      1700 0200 4b5542452d4e4f44452d504f52542d54435000 00
      0800 0900 00000000
      1800 0880                              # IPSET_ATTR_ADT, 24 bytes
        1400 0780                            #   IPSET_ATTR_DATA, 20 bytes
          0800 0900 01000000
          0600 0440 7580 0000                #     IPSET_ATTR_PORT 30080
    `);
  });
});
