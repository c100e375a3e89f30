// Property tests: what we send decodes back to what we meant, and no input,
// however broken, makes a decoder throw anything but NetlinkDecodeError; what a
// decoder accepts from broken input is a value we can send again, unchanged.
import type { AddressFamily } from '../../../src/net/ip-address.js';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NLM_F_ACK,
  NLM_F_REQUEST,
  NetlinkDecodeError,
  Writer,
  iterateAttributes,
  parseGenericHeader,
  parseMessages,
  type GenericFamily,
  type NetlinkMessage,
  type Request,
} from '../../../src/netlink/index.js';
import { commandAttributes, infoAttributes, type Stats64Values } from '../../../src/ipvs/attributes.js';
import { IPVS_CMD_SET_INFO } from '../../../src/ipvs/constants.js';
import {
  decodeInfo,
  decodeRealServer,
  decodeRealServerAt,
  decodeService,
  decodeServiceAt,
  decodeTimeouts,
  operationRequests,
  operationRequest,
} from '../../../src/ipvs/messages.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import {
  SCHEDULERS,
  type IpvsInfo,
  type IpvsOperation,
  type IpvsTimeouts,
  type LiveRealServer,
  type LiveVirtualServer,
  type RealServer,
  type ServiceFlags,
  type ServiceKey,
  type Stats,
  type VirtualServer,
} from '../../../src/ipvs/types.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-address.js';
import { fixtureDatagrams } from './fixtures.js';

const IPVS: GenericFamily = { name: 'IPVS', id: 0x24, version: 1, maxAttribute: 6 };
const noFlags: ServiceFlags = {
  persistent: false,
  hashed: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const family = fc.constantFrom<AddressFamily>('inet', 'inet6');
const name = fc.stringMatching(/^[a-z0-9_]{0,15}$/);

/** Addresses in the text form the decoder produces (inet_ntop's), so round-trips compare equal. */
function address(f: AddressFamily): fc.Arbitrary<string> {
  if (f === 'inet') return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b));
  const group = fc.oneof(fc.constant(0), fc.constant(0xffff), u16);
  return fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) => {
    const b = Buffer.alloc(16);
    for (const [i, g] of groups.entries()) b.writeUInt16BE(g, 2 * i);
    return formatIPv6(b);
  });
}

const serviceKey: fc.Arbitrary<ServiceKey> = family.chain((f) =>
  fc.oneof(
    fc.record({ family: fc.constant(f), fwmark: fc.integer({ min: 1, max: 0xffffffff }) }),
    fc.record({
      family: fc.constant(f),
      protocol: fc.constantFrom('tcp', 'udp', 'sctp'),
      address: address(f),
      port: u16,
    }),
  ),
);

const virtualServer: fc.Arbitrary<VirtualServer> = fc.record(
  {
    key: serviceKey,
    scheduler: fc.oneof(fc.constantFrom(...SCHEDULERS), name),
    flags: fc.record({
      persistent: fc.boolean(),
      hashed: fc.boolean(),
      onePacket: fc.boolean(),
      sched1: fc.boolean(),
      sched2: fc.boolean(),
      sched3: fc.boolean(),
    }),
    timeout: u32,
    netmask: u32,
    persistenceEngine: name,
  },
  { requiredKeys: ['key', 'scheduler', 'flags', 'timeout', 'netmask'] },
);

const realServer: fc.Arbitrary<RealServer> = family.chain((f) =>
  fc.oneof(
    fc.record({
      family: fc.constant(f),
      address: address(f),
      port: u16,
      forwarding: fc.constantFrom('masquerade', 'local', 'route', 'bypass'),
      weight: u32,
      upperThreshold: u32,
      lowerThreshold: u32,
    }),
    fc.record(
      {
        family: fc.constant(f),
        address: address(f),
        port: u16,
        forwarding: fc.constant('tunnel'),
        weight: u32,
        upperThreshold: u32,
        lowerThreshold: u32,
        tunnel: fc.record({ type: fc.constantFrom('ipip', 'gue', 'gre'), port: u16, flags: u16 }),
      },
      { requiredKeys: ['family', 'address', 'port', 'forwarding', 'weight', 'upperThreshold', 'lowerThreshold'] },
    ),
  ),
);

const stats: fc.Arbitrary<Stats> = fc.record({
  connections: u64,
  inPackets: u64,
  outPackets: u64,
  inBytes: u64,
  outBytes: u64,
  cps: u64,
  inPps: u64,
  outPps: u64,
  inBps: u64,
  outBps: u64,
});

/** Frames a request as the socket would, and reads it back as the kernel would see it. */
function sent(request: Request): NetlinkMessage {
  const w = new Writer();
  const start = w.beginMessage(request.type, NLM_F_REQUEST | NLM_F_ACK, 7);
  request.writePayload(w);
  w.endMessage(start);
  const [msg, ...rest] = parseMessages(w.take());
  expect(rest).toHaveLength(0);
  return msg as NetlinkMessage;
}

/**
 * The kernel's reply to a NEW_SERVICE/NEW_DEST differs from the request only
 * by the counters it adds: add them to the request's own nest.
 */
function asReply(msg: NetlinkMessage, nest: 'service' | 'dest', extra: Record<string, unknown>): NetlinkMessage {
  const header = parseGenericHeader(msg);
  const values = commandAttributes.decode(header.attributes);
  const w = new Writer();
  w.u8(header.command);
  w.u8(header.version);
  w.u16(0);
  commandAttributes.encode(w, { ...values, [nest]: { ...values[nest], ...extra } });
  return { ...msg, payload: w.take() };
}

describe('encode -> decode round-trips', () => {
  test('virtual servers', () => {
    fc.assert(
      fc.property(virtualServer, stats, (vs, s) => {
        const reply = asReply(sent(operationRequest(IPVS, { op: 'add-service', service: vs })), 'service', {
          stats64: s satisfies Stats64Values,
        });
        expect(decodeService(reply)).toEqual({ ...vs, stats: s });
      }),
      { numRuns: 2000 },
    );
  });

  test('real servers', () => {
    const counters = fc.record({ activeConnections: u32, inactiveConnections: u32, persistentConnections: u32 });
    fc.assert(
      fc.property(serviceKey, realServer, counters, stats, (key, rs, conns, s) => {
        const reply = asReply(
          sent(operationRequest(IPVS, { op: 'add-real-server', service: key, realServer: rs })),
          'dest',
          {
            ...conns,
            stats64: s,
          },
        );
        expect(decodeRealServer(reply, key.family)).toEqual({ ...rs, ...conns, stats: s });
      }),
      { numRuns: 2000 },
    );
  });

  test('values the wire cannot carry are refused before sending, naming the value', () => {
    fc.assert(
      fc.property(
        virtualServer,
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.integer({ min: 1 }).map((n) => 0xffffffff + n),
          fc.double({ noInteger: true }),
        ),
        (vs, bad) => {
          expect(() => operationRequest(IPVS, { op: 'add-service', service: { ...vs, timeout: bad } })).toThrow(
            `persistence timeout ${bad} is not an integer from 0 to 4294967295`,
          );
        },
      ),
    );
  });
});

describe('the whole-table read: entries decoded in place from one buffer of replies', () => {
  const counters = fc.record({ activeConnections: u32, inactiveConnections: u32, persistentConnections: u32 });
  const entry = fc.tuple(virtualServer, stats, fc.array(fc.tuple(realServer, counters, stats), { maxLength: 6 }));

  test('with counters they are what each message decodes to; without, the same but the counters', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (table) => {
        // The replies back to back with their headers, as the addon hands them over.
        const w = new Writer();
        const ranges: { start: number; end: number; reply: NetlinkMessage; family?: AddressFamily }[] = [];
        const put = (reply: NetlinkMessage, family?: AddressFamily): void => {
          const start = w.beginMessage(reply.type, 0, 1);
          w.bytes(reply.payload);
          w.endMessage(start);
          ranges.push({ start: start + 16, end: w.length, reply, ...(family && { family }) });
        };
        for (const [vs, s, dests] of table) {
          put(asReply(sent(operationRequest(IPVS, { op: 'add-service', service: vs })), 'service', { stats64: s }));
          for (const [rs, conns, ds] of dests) {
            put(
              asReply(
                sent(operationRequest(IPVS, { op: 'add-real-server', service: vs.key, realServer: rs })),
                'dest',
                { ...conns, stats64: ds },
              ),
              vs.key.family,
            );
          }
        }
        const buffer = w.take();
        for (const { start, end, reply, family: serviceFamily } of ranges) {
          if (serviceFamily === undefined) {
            const whole = decodeService(reply);
            expect(decodeServiceAt(buffer, start, end, { stats: true })).toEqual(whole);
            const { stats: _s, ...lean } = whole;
            expect(decodeServiceAt(buffer, start, end, { stats: false })).toStrictEqual(lean);
          } else {
            const whole = decodeRealServer(reply, serviceFamily);
            expect(decodeRealServerAt(buffer, start, end, serviceFamily, { stats: true })).toEqual(whole);
            const { stats: _s, ...lean } = whole;
            expect(decodeRealServerAt(buffer, start, end, serviceFamily, { stats: false })).toStrictEqual(lean);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a range cut anywhere fails with NetlinkDecodeError, with or without counters', () => {
    fc.assert(
      fc.property(
        serviceKey,
        realServer,
        counters,
        stats,
        fc.nat(),
        fc.boolean(),
        (key, rs, conns, s, cut, withStats) => {
          const reply = asReply(
            sent(operationRequest(IPVS, { op: 'add-real-server', service: key, realServer: rs })),
            'dest',
            { ...conns, stats64: s },
          );
          const end = cut % reply.payload.length;
          let thrown: unknown;
          try {
            decodeRealServerAt(reply.payload, 0, end, key.family, { stats: withStats });
          } catch (err) {
            thrown = err;
          }
          // Cutting off only trailing attributes may leave a valid entry; anything else is a decode error.
          if (thrown !== undefined) expect(thrown).toBeInstanceOf(NetlinkDecodeError);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('batches', () => {
  const operation: fc.Arbitrary<IpvsOperation> = fc.oneof(
    virtualServer.map((service): IpvsOperation => ({ op: 'add-service', service })),
    virtualServer.map((service): IpvsOperation => ({ op: 'edit-service', service })),
    fc
      .tuple(serviceKey, realServer)
      .map(([service, rs]): IpvsOperation => ({ op: 'add-real-server', service, realServer: rs })),
    fc
      .tuple(serviceKey, realServer)
      .map(([service, rs]): IpvsOperation => ({ op: 'delete-real-server', service, realServer: rs })),
    serviceKey.map((key): IpvsOperation => ({ op: 'delete-service', key })),
    // a value the wire cannot carry: this one fails alone, the others are still encoded
    serviceKey.map(
      (key): IpvsOperation => ({
        op: 'add-service',
        service: { key, scheduler: 'rr', flags: noFlags, timeout: -1, netmask: 0 },
      }),
    ),
  );

  test('a batch larger than one buffer chunk (1 MiB) keeps every operation intact across chunks', () => {
    const key: ServiceKey = { family: 'inet6', protocol: 'tcp', address: '2001:db8::1', port: 443 };
    const ops: IpvsOperation[] = Array.from({ length: 8_000 }, (_, i) => ({
      op: 'add-real-server',
      service: key,
      realServer: {
        family: 'inet6',
        address: `2001:db8::${(i + 1).toString(16)}`,
        port: i % 65536,
        forwarding: 'tunnel',
        weight: i,
        upperThreshold: 0,
        lowerThreshold: 0,
        tunnel: { type: 'gue', port: 6080, flags: 1 },
      },
    }));
    const batch = operationRequests(IPVS, ops);
    let bytes = 0;
    const differing = batch.filter((request, i) => {
      if (request instanceof IpvsError) return true;
      const payload = sent(request).payload;
      bytes += payload.length;
      return !payload.equals(sent(operationRequest(IPVS, ops[i] as IpvsOperation)).payload);
    });
    expect(bytes).toBeGreaterThan(1024 * 1024);
    expect(differing).toEqual([]);
  });

  test('each operation of a batch is encoded exactly as it would be alone, bad ones refused alone', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (ops) => {
        const batch = operationRequests(IPVS, ops);
        expect(batch).toHaveLength(ops.length);
        batch.forEach((request, i) => {
          const op = ops[i] as IpvsOperation;
          if (request instanceof IpvsError) {
            expect(() => operationRequest(IPVS, op)).toThrow(request.message);
          } else {
            expect(sent(request)).toEqual(sent(operationRequest(IPVS, op)));
          }
        });
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * What a decoder returned is a value the wire carries: encoded again (as we send it, with the
 * counters the kernel adds) it is one well-formed message that decodes to the same value.
 */
function sendsBackUnchanged(decoded: LiveVirtualServer | LiveRealServer | IpvsTimeouts | IpvsInfo): void {
  if ('key' in decoded) {
    const { stats: counters, ...service } = decoded;
    const reply = asReply(
      sent(operationRequest(IPVS, { op: 'add-service', service })),
      'service',
      counters ? { stats64: counters } : {},
    );
    expect(decodeService(reply)).toEqual(decoded);
  } else if ('address' in decoded) {
    const { stats: counters, activeConnections, inactiveConnections, persistentConnections, ...realServer } = decoded;
    const service: ServiceKey = { family: realServer.family, fwmark: 1 };
    const reply = asReply(sent(operationRequest(IPVS, { op: 'add-real-server', service, realServer })), 'dest', {
      activeConnections,
      inactiveConnections,
      persistentConnections,
      ...(counters ? { stats64: counters } : {}),
    });
    expect(decodeRealServer(reply, realServer.family)).toEqual(decoded);
  } else if ('tcp' in decoded) {
    // SET_CONFIG is both the request that sets the timeouts and the GET_CONFIG reply.
    expect(decodeTimeouts(sent(operationRequest(IPVS, { op: 'set-timeouts', timeouts: decoded })))).toEqual(decoded);
  } else {
    // We never send IPVS_INFO: write it from the same table the decoder reads.
    const w = new Writer();
    const start = w.beginMessage(IPVS.id, 0, 1);
    w.u8(IPVS_CMD_SET_INFO);
    w.u8(1);
    w.u16(0);
    infoAttributes.encode(w, decoded);
    w.endMessage(start);
    const [msg, ...rest] = parseMessages(w.take());
    expect(rest).toHaveLength(0);
    expect(decodeInfo(msg as NetlinkMessage)).toEqual(decoded);
  }
}

/**
 * Runs a decoder on hostile input: it may throw NetlinkDecodeError, nothing else, or succeed
 * with a value we can send back unchanged.
 */
function decodesOrRefuses(datagram: Buffer): void {
  let messages: NetlinkMessage[];
  try {
    messages = parseMessages(datagram);
  } catch (err) {
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    return;
  }
  for (const msg of messages) {
    for (const decode of [
      decodeService,
      (m: NetlinkMessage) => decodeRealServer(m, 'inet'),
      decodeTimeouts,
      decodeInfo,
    ]) {
      let decoded: ReturnType<typeof decode>;
      try {
        decoded = decode(msg);
      } catch (err) {
        expect(err).toBeInstanceOf(NetlinkDecodeError);
        continue;
      }
      sendsBackUnchanged(decoded);
    }
  }
}

const captured = [
  'get-service-dump',
  'get-service-udp-traffic',
  'get-dest-dump-tcp',
  'get-dest-dump-ipv6',
  'get-config',
  'get-info',
].flatMap((name) => fixtureDatagrams(name));

/** An attribute tree: IPVS nests the service and dest (top level 1, 2) and their stats (10, 12). */
type Tlv = { type: number; payload: Buffer; children?: Tlv[] };
const NESTS = new Set(['1', '2', '1.10', '1.12', '2.10', '2.12']);

function parseTree(buffer: Buffer, path = ''): Tlv[] {
  return [...iterateAttributes(buffer, 'tree')].map(({ type, payload }) => {
    const here = path === '' ? String(type) : `${path}.${type}`;
    // GET_INFO and GET_CONFIG replies reuse the numbers 1 and 2 for plain u32s.
    const nest = NESTS.has(here) && payload.length > 4;
    return nest ? { type, payload, children: parseTree(payload, here) } : { type, payload };
  });
}

function writeTree(w: Writer, tree: Tlv[]): void {
  for (const tlv of tree) {
    const at = w.beginAttribute(tlv.type);
    if (tlv.children) writeTree(w, tlv.children);
    else w.bytes(tlv.payload);
    w.endAttribute(at);
  }
}

/** Every attribute of a tree with the list that holds it, for in-place edits. */
function slots(tree: Tlv[]): { list: Tlv[]; index: number }[] {
  return tree.flatMap((tlv, index) => [{ list: tree, index }, ...(tlv.children ? slots(tlv.children) : [])]);
}

type Edit = { pick: number; action: 'drop' | 'truncate' | 'replace'; size: number; bytes: Uint8Array };
const edit: fc.Arbitrary<Edit> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom('drop', 'truncate', 'replace'),
  size: fc.nat({ max: 20 }),
  bytes: fc.uint8Array({ maxLength: 20 }),
});

/** A captured message with some attributes dropped, shortened or replaced, framed again. */
function edited(msg: NetlinkMessage, edits: Edit[]): Buffer {
  const header = parseGenericHeader(msg);
  const tree = parseTree(header.attributes);
  for (const e of edits) {
    const all = slots(tree);
    const slot = all[e.pick % Math.max(all.length, 1)];
    if (!slot) break;
    const tlv = slot.list[slot.index] as Tlv;
    if (e.action === 'drop') slot.list.splice(slot.index, 1);
    else if (e.action === 'truncate')
      slot.list[slot.index] = { type: tlv.type, payload: tlv.payload.subarray(0, e.size % (tlv.payload.length + 1)) };
    else slot.list[slot.index] = { type: tlv.type, payload: Buffer.from(e.bytes) };
  }
  const w = new Writer();
  const start = w.beginMessage(msg.type, msg.flags, msg.seq);
  w.u8(header.command);
  w.u8(header.version);
  w.u16(0);
  writeTree(w, tree);
  w.endMessage(start);
  return w.take();
}

describe('hostile input only ever yields NetlinkDecodeError', () => {
  test('every truncation of every captured reply', () => {
    for (const datagram of captured) {
      for (let length = 0; length < datagram.length; length++) decodesOrRefuses(datagram.subarray(0, length));
    }
  });

  test('captured replies with bytes changed at random', () => {
    const datagram = fc.constantFrom(...captured);
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(datagram, edits, (original, changes) => {
        const copy = Buffer.from(original);
        for (const [at, value] of changes) copy[at % copy.length] = value;
        decodesOrRefuses(copy);
      }),
      { numRuns: 10000 },
    );
  });

  test('captured replies with attributes dropped, shortened or replaced', () => {
    const replies = captured.flatMap((d) => parseMessages(d)).filter((m) => m.type >= 0x10);
    fc.assert(
      fc.property(fc.constantFrom(...replies), fc.array(edit, { minLength: 1, maxLength: 4 }), (msg, edits) => {
        decodesOrRefuses(edited(msg, edits));
      }),
      { numRuns: 10000 },
    );
  });

  test('random attributes, nested where IPVS nests, behind a valid header', () => {
    const leaf = fc.record({ type: fc.integer({ min: 0, max: 16 }), payload: fc.uint8Array({ maxLength: 24 }) });
    const nest = fc.record({ type: fc.integer({ min: 1, max: 2 }), children: fc.array(leaf, { maxLength: 16 }) });
    const body = fc.array(fc.oneof(leaf, nest), { maxLength: 6 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 17 }), body, (command, attributes) => {
        const w = new Writer();
        const start = w.beginMessage(0x24, 0, 1);
        w.u8(command);
        w.u8(1);
        w.u16(0);
        for (const attr of attributes) {
          const at = w.beginAttribute(attr.type);
          if ('payload' in attr) w.bytes(attr.payload);
          else {
            for (const child of attr.children) {
              const childAt = w.beginAttribute(child.type);
              w.bytes(child.payload);
              w.endAttribute(childAt);
            }
          }
          w.endAttribute(at);
        }
        w.endMessage(start);
        decodesOrRefuses(w.take());
      }),
      { numRuns: 10000 },
    );
  });

  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => decodesOrRefuses(Buffer.from(bytes))),
      { numRuns: 10000 },
    );
  });
});
