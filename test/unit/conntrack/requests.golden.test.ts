// The exact bytes of every ctnetlink request kipvs sends, written by hand from
// the layouts in include/uapi/linux/netlink.h, netfilter/nfnetlink.h and
// netfilter/nfnetlink_conntrack.h: nlmsghdr (u32 len, u16 type =
// NFNL_SUBSYS_CTNETLINK(1) << 8 | IPCTNL_MSG_*, u16 flags, u32 seq, u32 pid),
// struct nfgenmsg (u8 family = the entries' AF_*, u8 version, __be16 res_id),
// then nlattr TLVs (u16 len incl. the 4-byte header, u16 type, payload padded
// to 4). Nests carry NLA_F_NESTED (0x8000). Addresses, ports, CTA_ID and
// CTA_ZONE are in network order; the CTA_FILTER flags in host order.
import { describe, expect, test } from '@jest/globals';
import { ConntrackError } from '../../../src/conntrack/errors.js';
import { deleteRequest, dumpRequest } from '../../../src/conntrack/messages.js';
import type { ConntrackFlow } from '../../../src/conntrack/types.js';
import { DOIT, DUMP, framed } from '../netlink/framed.js';
import { hex } from '../netlink/hex.js';

const NATED_V4: ConntrackFlow = {
  family: 'inet',
  protocol: 'udp',
  original: { source: '10.0.0.1', sourcePort: 40001, destination: '10.96.0.10', destinationPort: 53 },
  reply: { source: '10.244.1.5', sourcePort: 53, destination: '10.0.0.1', destinationPort: 40001 },
};

const V6: ConntrackFlow = {
  family: 'inet6',
  protocol: 'sctp',
  original: { source: 'fd00::1', sourcePort: 40003, destination: 'fd00:96::a', destinationPort: 9 },
  reply: { source: 'fd00:244::5', sourcePort: 9, destination: 'fd00::1', destinationPort: 40003 },
};

/** The failure a build throws. */
function refusal(build: () => unknown): ConntrackError {
  try {
    build();
  } catch (err) {
    if (err instanceof ConntrackError) return err;
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('golden bytes of every conntrack request', () => {
  test('GET dump of IPv4 UDP flows: family in nfgenmsg, protocol in CTA_TUPLE_ORIG, CTA_FILTER on it', () => {
    expect(framed(dumpRequest({ family: 'inet', protocol: 'udp' }), DUMP)).toEqual(hex`
      30000000 0101 0103 01000000 00000000   # len 48, CTNETLINK(1) << 8 | IPCTNL_MSG_CT_GET(1), REQUEST|DUMP
      02 00 0000                             # nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
      1000 0180                              # CTA_TUPLE_ORIG | NESTED, 16 bytes
        0c00 0280                            #   CTA_TUPLE_PROTO | NESTED, 12 bytes
          0500 0100 11 000000                #     CTA_PROTO_NUM IPPROTO_UDP(17), 3 pad
      0c00 1980                              # CTA_FILTER(25) | NESTED, 12 bytes
        0800 0100 08000000                   #   CTA_FILTER_ORIG_FLAGS: CTA_FILTER_F_CTA_PROTO_NUM (1 << 3)
    `);
  });

  test('GET dump of IPv6 SCTP flows', () => {
    expect(framed(dumpRequest({ family: 'inet6', protocol: 'sctp' }), DUMP)).toEqual(hex`
      30000000 0101 0103 01000000 00000000   # len 48, IPCTNL_MSG_CT_GET, REQUEST|DUMP
      0a 00 0000                             # nfgenmsg: AF_INET6(10)
      1000 0180 0c00 0280
          0500 0100 84 000000                #     CTA_PROTO_NUM IPPROTO_SCTP(132)
      0c00 1980 0800 0100 08000000
    `);
  });

  test('DELETE of an IPv4 flow by its original tuple, with its CTA_ID and CTA_ZONE', () => {
    expect(framed(deleteRequest({ ...NATED_V4, id: 0x01020304, zone: 7 }), DOIT)).toEqual(hex`
      58000000 0201 0500 01000000 00000000   # len 88, IPCTNL_MSG_CT_DELETE(2), REQUEST|ACK
      02 00 0000                             # nfgenmsg: AF_INET
      3400 0180                              # CTA_TUPLE_ORIG | NESTED, 52 bytes
        1400 0180                            #   CTA_TUPLE_IP | NESTED, 20 bytes
          0800 0100 0a000001                 #     CTA_IP_V4_SRC 10.0.0.1
          0800 0200 0a60000a                 #     CTA_IP_V4_DST 10.96.0.10
        1c00 0280                            #   CTA_TUPLE_PROTO | NESTED, 28 bytes
          0500 0100 11 000000                #     CTA_PROTO_NUM 17
          0600 0200 9c41 0000                #     CTA_PROTO_SRC_PORT be16 40001
          0600 0300 0035 0000                #     CTA_PROTO_DST_PORT be16 53
      0800 0c00 01020304                     # CTA_ID(12) be32
      0600 1200 0007 0000                    # CTA_ZONE(18) be16 7
    `);
  });

  test('DELETE of an IPv6 flow without id or zone: the tuple alone (no reply tuple: the kernel finds the entry by either)', () => {
    expect(framed(deleteRequest(V6), DOIT)).toEqual(hex`
      60000000 0201 0500 01000000 00000000   # len 96
      0a 00 0000                             # nfgenmsg: AF_INET6
      4c00 0180                              # CTA_TUPLE_ORIG | NESTED, 76 bytes
        2c00 0180                            #   CTA_TUPLE_IP | NESTED, 44 bytes
          1400 0300 fd000000 00000000 00000000 00000001   # CTA_IP_V6_SRC fd00::1
          1400 0400 fd000096 00000000 00000000 0000000a   # CTA_IP_V6_DST fd00:96::a
        1c00 0280
          0500 0100 84 000000                #     CTA_PROTO_NUM 132
          0600 0200 9c43 0000                #     CTA_PROTO_SRC_PORT 40003
          0600 0300 0009 0000                #     CTA_PROTO_DST_PORT 9
    `);
  });

  test('values the wire cannot carry are refused before sending, naming the flow', () => {
    const badAddress = refusal(() =>
      deleteRequest({ ...NATED_V4, original: { ...NATED_V4.original, source: 'fd00::1' } }),
    );
    expect(badAddress).toMatchObject({ code: 'EINVAL', op: 'delete-flow' });
    expect(badAddress.message).toContain("invalid IPv4 address 'fd00::1'");
    expect(badAddress.target).toBe('udp fd00::1:40001 -> 10.96.0.10:53 (reply from 10.244.1.5:53)');
    expect(refusal(() => deleteRequest({ ...V6, original: { ...V6.original, destinationPort: 65536 } })).reason).toBe(
      'port 65536 is not an integer from 0 to 65535',
    );
    expect(refusal(() => deleteRequest({ ...V6, id: -1 })).reason).toBe('id -1 is not an integer from 0 to 4294967295');
    expect(refusal(() => deleteRequest({ ...V6, zone: 65536 })).reason).toBe(
      'zone 65536 is not an integer from 0 to 65535',
    );
    expect(refusal(() => dumpRequest({ family: 'inet', protocol: 'tcp' as 'udp' })).reason).toBe(
      "protocol 'tcp' is not udp or sctp",
    );
    expect(refusal(() => dumpRequest({ family: 'ipx' as 'inet', protocol: 'udp' })).reason).toBe(
      "family 'ipx' is not inet or inet6",
    );
  });
});
