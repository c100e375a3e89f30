// Decoding of replies captured from a real kernel (test/fixtures/ipvs). The
// expected values are what the ipvsadm commands in each fixture's header set
// up, and what the kernel computes from the traffic the capture sent.
import { describe, expect, test } from '@jest/globals';
import {
  NLMSG_DONE,
  NetlinkDecodeError,
  NetlinkError,
  Writer,
  errnoName,
  parseErrorReply,
  parseGenericHeader,
  parseMessages,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { commandAttributes } from '../../../src/ipvs/attributes.js';
import { IpvsPermissionError, ipvsErrorFrom } from '../../../src/ipvs/errors.js';
import { decodeInfo, decodeRealServer, decodeService, decodeTimeouts } from '../../../src/ipvs/messages.js';
import type { IpvsOperation, Stats } from '../../../src/ipvs/types.js';
import { fixtureDatagrams, fixtureError, fixtureReplies } from './fixtures.js';
import { mutableRows } from '../../support/each-rows.js';

const zeroStats: Stats = {
  connections: 0n,
  inPackets: 0n,
  outPackets: 0n,
  inBytes: 0n,
  outBytes: 0n,
  cps: 0n,
  inPps: 0n,
  outPps: 0n,
  inBps: 0n,
  outBps: 0n,
};
const flags = { persistent: false, hashed: true, onePacket: false, sched1: false, sched2: false, sched3: false };

// Five one-packet UDP datagrams of 100..104 payload bytes, each 28 bytes of
// IPv4+UDP headers more: 5 connections, 5 packets, 5 * 28 + 510 = 650 bytes.
// The 2-second estimator ran once before the capture, so the rates are set.
const udpTraffic = { connections: 5n, inPackets: 5n, inBytes: 650n, outPackets: 0n, outBytes: 0n };

describe('GET_SERVICE replies', () => {
  test('a dump of the whole table: every kind of service ipvsadm built', () => {
    const services = fixtureReplies('get-service-dump').map(decodeService);
    const byKey = new Map(services.map((s) => [JSON.stringify(s.key), s]));
    expect(services).toHaveLength(4);
    expect(byKey.get(JSON.stringify({ family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 80 }))).toEqual({
      key: { family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 80 },
      scheduler: 'wlc',
      flags: { ...flags, persistent: true },
      timeout: 300,
      netmask: 0xffffff00, // -M 255.255.255.0
      stats: zeroStats,
    });
    expect(byKey.get(JSON.stringify({ family: 'inet6', protocol: 'udp', address: '2001:db8::1', port: 53 }))).toEqual({
      key: { family: 'inet6', protocol: 'udp', address: '2001:db8::1', port: 53 },
      scheduler: 'sh',
      flags: { ...flags, sched1: true, sched2: true }, // -b sh-fallback,sh-port
      timeout: 0,
      netmask: 128, // ipvsadm's IPv6 default
      stats: zeroStats,
    });
    expect(byKey.get(JSON.stringify({ family: 'inet6', fwmark: 7 }))).toEqual({
      key: { family: 'inet6', fwmark: 7 },
      scheduler: 'mh',
      flags: { ...flags, persistent: true, sched1: true }, // -b mh-fallback -p 60
      timeout: 60,
      netmask: 64, // -M 64: a prefix length
      stats: zeroStats,
    });
    expect(
      byKey.get(JSON.stringify({ family: 'inet', protocol: 'udp', address: '10.0.0.1', port: 53 }))?.flags,
    ).toEqual({
      ...flags,
      onePacket: true, // -o
    });
  });

  test('one service, with 64-bit counters and rates after traffic', () => {
    const [reply, ...rest] = fixtureReplies('get-service-udp-traffic');
    expect(rest).toHaveLength(0);
    const service = decodeService(reply as NetlinkMessage);
    expect(service.stats).toMatchObject(udpTraffic);
    expect(service.stats.cps).toBeGreaterThan(0n);
    expect(service.stats.inPps).toBeGreaterThan(0n);
    expect(service.stats.inBps).toBeGreaterThan(0n);
  });

  test('without STATS64 (kernels before 4.1) the 32-bit STATS nest gives the same counters', () => {
    const reply = fixtureReplies('get-service-udp-traffic')[0] as NetlinkMessage;
    const withBoth = decodeService(reply);
    const withoutStats64 = rewriteService(reply, (svc) => ({ ...svc, stats64: undefined }));
    expect(decodeService(withoutStats64).stats).toEqual(withBoth.stats);
  });

  test('a reply without any statistics is a decode error naming them', () => {
    const reply = fixtureReplies('get-service-tcp')[0] as NetlinkMessage;
    const bare = rewriteService(reply, (svc) => ({ ...svc, stats: undefined, stats64: undefined }));
    expect(() => decodeService(bare)).toThrow(
      new NetlinkDecodeError('IPVS_CMD.service.stats64', 'missing (and no stats either)'),
    );
  });

  test.each(
    mutableRows([
      ['family', 'IPVS_CMD.service.family'],
      ['scheduler', 'IPVS_CMD.service.scheduler'],
      ['flags', 'IPVS_CMD.service.flags'],
      ['timeout', 'IPVS_CMD.service.timeout'],
      ['netmask', 'IPVS_CMD.service.netmask'],
      ['port', 'IPVS_CMD.service.port'],
      ['address', 'IPVS_CMD.service.address'],
      ['protocol', 'IPVS_CMD.service.protocol'],
    ] as const),
  )('a reply without %s names it', (attribute, path) => {
    const reply = fixtureReplies('get-service-tcp')[0] as NetlinkMessage;
    const broken = rewriteService(reply, (svc) => ({ ...svc, [attribute]: undefined }));
    expect(() => decodeService(broken)).toThrow(new NetlinkDecodeError(path, 'missing'));
  });

  test('an unknown protocol or family is a decode error, not a guess', () => {
    const reply = fixtureReplies('get-service-tcp')[0] as NetlinkMessage;
    expect(() => decodeService(rewriteService(reply, (svc) => ({ ...svc, protocol: 1 })))).toThrow(
      new NetlinkDecodeError('IPVS_CMD.service.protocol', 'unknown value 1'),
    );
    expect(() => decodeService(rewriteService(reply, (svc) => ({ ...svc, family: 7 })))).toThrow(
      new NetlinkDecodeError('IPVS_CMD.service.family', 'unknown value 7'),
    );
  });

  test('a message of another command is refused', () => {
    const dest = fixtureReplies('get-dest-dump-tcp')[0] as NetlinkMessage;
    expect(() => decodeService(dest)).toThrow(NetlinkDecodeError);
  });
});

describe('GET_DEST replies', () => {
  test('masquerade with thresholds, and a GUE tunnel with checksums', () => {
    const dests = fixtureReplies('get-dest-dump-tcp').map((m) => decodeRealServer(m, 'inet'));
    const byAddress = new Map(dests.map((d) => [d.address, d]));
    expect(dests).toHaveLength(2);
    expect(byAddress.get('10.1.0.1')).toEqual({
      family: 'inet',
      address: '10.1.0.1',
      port: 8080,
      forwarding: 'masquerade', // -m
      weight: 3,
      upperThreshold: 100, // -x
      lowerThreshold: 10, // -y
      activeConnections: 0,
      inactiveConnections: 0,
      persistentConnections: 0,
      stats: zeroStats,
    });
    expect(byAddress.get('10.1.0.2')).toMatchObject({
      forwarding: 'tunnel', // -i
      weight: 1,
      tunnel: { type: 'gue', port: 6080, flags: 1 }, // --tun-csum is IP_VS_TUNNEL_ENCAP_FLAG_CSUM
    });
  });

  test('IPv6 direct routing; tunnel attributes the kernel always sends are not kept', () => {
    const [dest] = fixtureReplies('get-dest-dump-ipv6').map((m) => decodeRealServer(m, 'inet6'));
    expect(dest).toMatchObject({ family: 'inet6', address: '2001:db8::10', port: 53, forwarding: 'route', weight: 2 });
    expect(dest).not.toHaveProperty('tunnel');
  });

  test('per-destination counters after traffic', () => {
    const [dest] = fixtureReplies('get-dest-dump-udp-traffic').map((m) => decodeRealServer(m, 'inet'));
    expect(dest?.stats).toMatchObject(udpTraffic);
    expect(dest?.stats.inBps).toBeGreaterThan(0n);
  });

  test('Linux 6.1 ends a dump with NLMSG_DONE in a datagram of its own', () => {
    // Why a dump costs a second receive: the kernel builds DONE only when the first part is read.
    const [entries, done] = fixtureDatagrams('get-dest-dump-tcp').map((d) => parseMessages(d));
    expect(entries?.map((m) => m.type)).not.toContain(NLMSG_DONE);
    expect(done?.map((m) => m.type)).toEqual([NLMSG_DONE]);
  });
});

describe('GET_CONFIG and GET_INFO replies', () => {
  test('timeouts as ipvsadm --set left them', () => {
    expect(decodeTimeouts(fixtureReplies('get-config')[0] as NetlinkMessage)).toEqual({
      tcp: 900,
      tcpFin: 120,
      udp: 300,
    });
  });

  test('version 1.2.1 and the connection table size', () => {
    const info = decodeInfo(fixtureReplies('get-info')[0] as NetlinkMessage);
    expect(info.version).toBe(0x010201); // IP_VS_VERSION_CODE
    expect(info.connectionTableSize).toBe(4096); // 1 << CONFIG_IP_VS_TAB_BITS (12) in Debian's kernel
  });
});

describe('error replies', () => {
  const addService: IpvsOperation = {
    op: 'add-service',
    service: {
      key: { family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 80 },
      scheduler: 'rr',
      flags: { ...flags, hashed: false },
      timeout: 0,
      netmask: 0xffffffff,
    },
  };

  /** The error as the socket reports it, then as the client reports it. */
  function errorOf(name: string, request: Parameters<typeof ipvsErrorFrom>[1]) {
    const reply = parseErrorReply(fixtureError(name));
    const netlink = new NetlinkError(
      errnoName(reply.errno),
      reply.errno,
      { family: 'IPVS', command: 'X' },
      reply.message,
    );
    return { reply, error: ipvsErrorFrom(netlink, request) };
  }

  test('EEXIST: the service exists; a capped ACK without TLVs', () => {
    const { reply, error } = errorOf('error-eexist', addService);
    expect(reply).toEqual({ errno: 17 });
    expect(error).toMatchObject({ code: 'EEXIST', op: 'add-service', target: 'tcp 10.0.0.1:80' });
    expect(error.message).toBe('add-service tcp 10.0.0.1:80: service already exists (EEXIST)');
  });

  test('ESRCH: no such service', () => {
    const { error } = errorOf('error-esrch', {
      op: 'get-service',
      key: { family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 81 },
    });
    expect(error.message).toBe('get-service tcp 10.0.0.1:81: no such service (ESRCH)');
  });

  test('ENOENT on a new service: the scheduler is missing', () => {
    const op: IpvsOperation = { op: 'add-service', service: { ...addService.service, scheduler: 'nope' } };
    const { error } = errorOf('error-enoent-scheduler', op);
    expect(error.message).toBe(
      "add-service tcp 10.0.0.1:80: scheduler 'nope' not found (is the kernel module ip_vs_nope available?) (ENOENT)",
    );
  });

  test('ENOENT on a destination: no such real server', () => {
    const op: IpvsOperation = {
      op: 'delete-real-server',
      service: addService.service.key,
      realServer: { family: 'inet', address: '10.9.9.9', port: 1 },
    };
    const { error } = errorOf('error-enoent-dest', op);
    expect(error.message).toBe('delete-real-server tcp 10.0.0.1:80 -> 10.9.9.9:1: no such real server (ENOENT)');
  });

  test('a policy violation comes with the kernel own words and the attribute offset', () => {
    const { reply, error } = errorOf('error-extack-policy', {
      op: 'set-timeouts',
      timeouts: { tcp: 5, tcpFin: 0, udp: 0 },
    });
    // nlmsghdr (16) + genlmsghdr (4): the offending attribute is the first one, at byte 20.
    expect(reply).toEqual({ errno: 34, message: 'Attribute failed policy validation', offset: 20 });
    expect(error.code).toBe('ERANGE');
    expect(error.kernelMessage).toBe('Attribute failed policy validation');
    expect(error.message).toBe(
      'set-timeouts tcp 5 tcpfin 0 udp 0: value out of range (ERANGE: Attribute failed policy validation)',
    );
  });

  test('EPERM becomes a permission error that says what to do', () => {
    const error = ipvsErrorFrom(new NetlinkError('EPERM', 1, { family: 'IPVS', command: 'GET_SERVICE' }), {
      op: 'list-services',
    });
    expect(error).toBeInstanceOf(IpvsPermissionError);
    expect(error.message).toBe('list-services: permission denied: run as root or with CAP_NET_ADMIN (EPERM)');
  });
});

/** Re-encodes a captured NEW_SERVICE message with its service nest changed. */
function rewriteService(
  msg: NetlinkMessage,
  change: (svc: Record<string, unknown>) => Record<string, unknown>,
): NetlinkMessage {
  const header = parseGenericHeader(msg);
  const values = commandAttributes.decode(header.attributes);
  const service = change({ ...values.service }) as typeof values.service;
  const w = new Writer();
  w.u8(header.command);
  w.u8(header.version);
  w.u16(0);
  commandAttributes.encode(w, { ...values, service });
  return { ...msg, payload: w.take() };
}
