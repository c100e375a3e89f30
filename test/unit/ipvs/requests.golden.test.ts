// The exact bytes of every IPVS request kipvs sends, written by hand from the
// layouts in include/uapi/linux/ip_vs.h, netlink.h and genetlink.h: nlmsghdr
// (u32 len, u16 type, u16 flags, u32 seq, u32 pid), genlmsghdr (u8 cmd,
// u8 version, u16 reserved), then nlattr TLVs (u16 len incl. the 4-byte
// header, u16 type, payload padded to 4). Integers are little-endian (host)
// except ports and IPv4 netmasks, which the kernel reads as __be16/__be32.
import { describe, expect, test } from '@jest/globals';
import type { GenericFamily } from '../../../src/netlink/index.js';
import { operationRequest, queryRequest } from '../../../src/ipvs/messages.js';
import type { IpvsOperation, ServiceFlags, ServiceKey } from '../../../src/ipvs/types.js';
import { DOIT, DUMP, framed } from '../netlink/framed.js';
import { hex } from '../netlink/hex.js';

/** The family id is whatever the kernel assigned; 0x24 here. */
const IPVS: GenericFamily = { name: 'IPVS', id: 0x24, version: 1, maxAttribute: 6 };

const noFlags: ServiceFlags = {
  persistent: false,
  hashed: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};
const tcp80: ServiceKey = { family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 80 };

// IPVS_CMD_ATTR_SERVICE payload identifying tcp 10.0.0.1:80 (44 bytes)
const TCP_10_0_0_1_80 = `
  0600 0100 0200 0000                              # SVC_ATTR_AF        u16 AF_INET(2), 2 pad
  0600 0200 0600 0000                              # SVC_ATTR_PROTOCOL  u16 IPPROTO_TCP(6), 2 pad
  1400 0300 0a000001 00000000 00000000 00000000    # SVC_ATTR_ADDR      nf_inet_addr 10.0.0.1
  0600 0400 0050 0000                              # SVC_ATTR_PORT      be16 80, 2 pad
`;
// The same key as a whole IPVS_CMD_ATTR_SERVICE nest (48 bytes)
const SERVICE_TCP_10_0_0_1_80 = `
  3000 0100                                        # CMD_ATTR_SERVICE len 48
  ${TCP_10_0_0_1_80}
`;

describe('golden bytes of every IPVS request', () => {
  test('NEW_SERVICE tcp 10.0.0.1:80, rr, no persistence', () => {
    const op: IpvsOperation = {
      op: 'add-service',
      service: { key: tcp80, scheduler: 'rr', flags: noFlags, timeout: 0, netmask: 0xffffffff },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      68000000 2400 0500 01000000 00000000   # nlmsghdr len 104, type IPVS, REQUEST|ACK, seq 1
      01 01 0000                             # genlmsghdr NEW_SERVICE, version 1
      5400 0100                              # CMD_ATTR_SERVICE len 84
        ${TCP_10_0_0_1_80}
        0700 0600 727200 00                  # SVC_ATTR_SCHED_NAME "rr\\0", 1 pad
        0c00 0700 00000000 ffffffff          # SVC_ATTR_FLAGS struct ip_vs_flags {flags 0, mask ~0}
        0800 0800 00000000                   # SVC_ATTR_TIMEOUT 0
        0800 0900 ffffffff                   # SVC_ATTR_NETMASK 255.255.255.255
    `);
  });

  test('NEW_SERVICE udp [2001:db8::1]:53, sh with sh-fallback and sh-port, persistent 300 s, /64', () => {
    const op: IpvsOperation = {
      op: 'add-service',
      service: {
        key: { family: 'inet6', protocol: 'udp', address: '2001:db8::1', port: 53 },
        scheduler: 'sh',
        flags: { ...noFlags, persistent: true, sched1: true, sched2: true },
        timeout: 300,
        netmask: 64,
      },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      68000000 2400 0500 01000000 00000000   # nlmsghdr len 104
      01 01 0000                             # NEW_SERVICE
      5400 0100                              # CMD_ATTR_SERVICE len 84
        0600 0100 0a00 0000                  # AF_INET6(10)
        0600 0200 1100 0000                  # IPPROTO_UDP(17)
        1400 0300 20010db8 00000000 00000000 00000001   # 2001:db8::1
        0600 0400 0035 0000                  # be16 53
        0700 0600 736800 00                  # "sh\\0"
        0c00 0700 19000000 ffffffff          # PERSISTENT|SCHED1|SCHED2 = 0x19
        0800 0800 2c010000                   # timeout 300
        0800 0900 40000000                   # IPv6: prefix length 64 as a host-order u32
    `);
  });

  test('NEW_SERVICE fwmark 7, wlc, one-packet, persistent 60 s, 255.255.255.0, pe sip', () => {
    const op: IpvsOperation = {
      op: 'add-service',
      service: {
        key: { family: 'inet', fwmark: 7 },
        scheduler: 'wlc',
        flags: { ...noFlags, persistent: true, onePacket: true },
        timeout: 60,
        netmask: 0xffffff00,
        persistenceEngine: 'sip',
      },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      54000000 2400 0500 01000000 00000000   # nlmsghdr len 84
      01 01 0000                             # NEW_SERVICE
      4000 0100                              # CMD_ATTR_SERVICE len 64
        0600 0100 0200 0000                  # AF_INET
        0800 0500 07000000                   # SVC_ATTR_FWMARK u32 7
        0800 0600 776c6300                   # "wlc\\0"
        0c00 0700 05000000 ffffffff          # PERSISTENT|ONEPACKET = 0x5
        0800 0800 3c000000                   # timeout 60
        0800 0900 ffffff00                   # IPv4 netmask in network order: ff.ff.ff.00
        0800 0b00 73697000                   # SVC_ATTR_PE_NAME "sip\\0"
    `);
  });

  test('SET_SERVICE carries the full entry, like NEW_SERVICE', () => {
    const op: IpvsOperation = {
      op: 'edit-service',
      service: { key: tcp80, scheduler: 'wrr', flags: noFlags, timeout: 0, netmask: 0xffffffff },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      68000000 2400 0500 01000000 00000000   # len 104
      02 01 0000                             # SET_SERVICE
      5400 0100
        ${TCP_10_0_0_1_80}
        0800 0600 77727200                   # "wrr\\0"
        0c00 0700 00000000 ffffffff
        0800 0800 00000000
        0800 0900 ffffffff
    `);
  });

  test('DEL_SERVICE sctp 10.0.0.2:9 sends only the key', () => {
    const op: IpvsOperation = {
      op: 'delete-service',
      key: { family: 'inet', protocol: 'sctp', address: '10.0.0.2', port: 9 },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      44000000 2400 0500 01000000 00000000   # len 68
      03 01 0000                             # DEL_SERVICE
      3000 0100                              # CMD_ATTR_SERVICE len 48
        0600 0100 0200 0000
        0600 0200 8400 0000                  # IPPROTO_SCTP(132)
        1400 0300 0a000002 00000000 00000000 00000000
        0600 0400 0009 0000                  # be16 9
    `);
  });

  test('GET_SERVICE as a dump of all services', () => {
    expect(framed(queryRequest(IPVS, { op: 'list-services' }), DUMP)).toEqual(hex`
      14000000 2400 0103 01000000 00000000   # len 20, flags REQUEST|ROOT|MATCH
      04 01 0000                             # GET_SERVICE, no attributes
    `);
  });

  test('GET_SERVICE of one service', () => {
    expect(framed(queryRequest(IPVS, { op: 'get-service', key: tcp80 }), DOIT)).toEqual(hex`
      44000000 2400 0500 01000000 00000000   # len 68
      04 01 0000                             # GET_SERVICE
      ${SERVICE_TCP_10_0_0_1_80}
    `);
  });

  test('NEW_DEST masquerade with weight and thresholds', () => {
    const op: IpvsOperation = {
      op: 'add-real-server',
      service: tcp80,
      realServer: {
        family: 'inet',
        address: '10.1.0.1',
        port: 8080,
        forwarding: 'masquerade',
        weight: 3,
        upperThreshold: 100,
        lowerThreshold: 10,
      },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      8c000000 2400 0500 01000000 00000000   # len 140
      05 01 0000                             # NEW_DEST
      ${SERVICE_TCP_10_0_0_1_80}
      4800 0200                              # CMD_ATTR_DEST len 72
        1400 0100 0a010001 00000000 00000000 00000000   # DEST_ATTR_ADDR 10.1.0.1
        0600 0200 1f90 0000                  # DEST_ATTR_PORT be16 8080
        0800 0300 00000000                   # DEST_ATTR_FWD_METHOD IP_VS_CONN_F_MASQ
        0800 0400 03000000                   # DEST_ATTR_WEIGHT 3
        0800 0500 64000000                   # DEST_ATTR_U_THRESH 100
        0800 0600 0a000000                   # DEST_ATTR_L_THRESH 10
        0600 0b00 0200 0000                  # DEST_ATTR_ADDR_FAMILY AF_INET
    `);
  });

  test('NEW_DEST tunnel to an IPv6 real server with GUE options', () => {
    const op: IpvsOperation = {
      op: 'add-real-server',
      service: tcp80,
      realServer: {
        family: 'inet6',
        address: '2001:db8::2',
        port: 80,
        forwarding: 'tunnel',
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
        tunnel: { type: 'gue', port: 6080, flags: 3 },
      },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      a4000000 2400 0500 01000000 00000000   # len 164
      05 01 0000                             # NEW_DEST
      ${SERVICE_TCP_10_0_0_1_80}
      6000 0200                              # CMD_ATTR_DEST len 96
        1400 0100 20010db8 00000000 00000000 00000002   # 2001:db8::2
        0600 0200 0050 0000                  # be16 80
        0800 0300 02000000                   # IP_VS_CONN_F_TUNNEL
        0800 0400 01000000                   # weight 1
        0800 0500 00000000                   # no upper threshold
        0800 0600 00000000                   # no lower threshold
        0600 0b00 0a00 0000                  # AF_INET6: a mixed-family tunnel destination
        0500 0d00 01 000000                  # DEST_ATTR_TUN_TYPE u8 GUE(1), 3 pad
        0600 0e00 17c0 0000                  # DEST_ATTR_TUN_PORT be16 6080
        0600 0f00 0300 0000                  # DEST_ATTR_TUN_FLAGS u16 CSUM|REMCSUM
    `);
  });

  test('SET_DEST carries the full entry, like NEW_DEST', () => {
    const op: IpvsOperation = {
      op: 'edit-real-server',
      service: tcp80,
      realServer: {
        family: 'inet',
        address: '10.1.0.1',
        port: 8080,
        forwarding: 'route',
        weight: 0,
        upperThreshold: 100,
        lowerThreshold: 10,
      },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      8c000000 2400 0500 01000000 00000000   # len 140
      06 01 0000                             # SET_DEST
      ${SERVICE_TCP_10_0_0_1_80}
      4800 0200
        1400 0100 0a010001 00000000 00000000 00000000
        0600 0200 1f90 0000
        0800 0300 03000000                   # IP_VS_CONN_F_DROUTE
        0800 0400 00000000                   # weight 0 (drained)
        0800 0500 64000000
        0800 0600 0a000000
        0600 0b00 0200 0000
    `);
  });

  test('DEL_DEST sends the destination key only', () => {
    const op: IpvsOperation = {
      op: 'delete-real-server',
      service: tcp80,
      realServer: { family: 'inet', address: '10.1.0.1', port: 8080 },
    };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      6c000000 2400 0500 01000000 00000000   # len 108
      07 01 0000                             # DEL_DEST
      ${SERVICE_TCP_10_0_0_1_80}
      2800 0200                              # CMD_ATTR_DEST len 40
        1400 0100 0a010001 00000000 00000000 00000000
        0600 0200 1f90 0000
        0600 0b00 0200 0000
    `);
  });

  test('GET_DEST is a dump for one service', () => {
    expect(framed(queryRequest(IPVS, { op: 'list-real-servers', service: tcp80 }), DUMP)).toEqual(hex`
      44000000 2400 0103 01000000 00000000   # len 68, dump
      08 01 0000                             # GET_DEST
      ${SERVICE_TCP_10_0_0_1_80}
    `);
  });

  test('SET_CONFIG sets the three timeouts', () => {
    const op: IpvsOperation = { op: 'set-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      2c000000 2400 0500 01000000 00000000   # len 44
      0c 01 0000                             # SET_CONFIG
      0800 0400 84030000                     # CMD_ATTR_TIMEOUT_TCP 900
      0800 0500 78000000                     # CMD_ATTR_TIMEOUT_TCP_FIN 120
      0800 0600 2c010000                     # CMD_ATTR_TIMEOUT_UDP 300
    `);
  });

  test.each([
    ['GET_CONFIG', { op: 'get-timeouts' } as const, '0d'],
    ['GET_INFO', { op: 'info' } as const, '0f'],
  ])('%s has no attributes', (_name, query, cmd) => {
    expect(framed(queryRequest(IPVS, query), DOIT)).toEqual(
      hex(`
      14000000 2400 0500 01000000 00000000   # len 20
      ${cmd} 01 0000
    `),
    );
  });

  test.each([
    ['FLUSH', { op: 'flush' } as const, '11'],
    ['ZERO of all services', { op: 'zero' } as const, '10'],
  ])('%s has no attributes', (_name, op, cmd) => {
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(
      hex(`
      14000000 2400 0500 01000000 00000000   # len 20
      ${cmd} 01 0000
    `),
    );
  });

  test('ZERO of one IPv6 fwmark service', () => {
    const op: IpvsOperation = { op: 'zero', service: { family: 'inet6', fwmark: 9 } };
    expect(framed(operationRequest(IPVS, op), DOIT)).toEqual(hex`
      28000000 2400 0500 01000000 00000000   # len 40
      10 01 0000                             # ZERO
      1400 0100                              # CMD_ATTR_SERVICE len 20
        0600 0100 0a00 0000                  # AF_INET6
        0800 0500 09000000                   # fwmark 9
    `);
  });
});
