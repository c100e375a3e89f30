// The dump's entries are decoded by one walk over their attributes (messages.ts). These
// properties hold it to what the table-driven reader (attributes.ts) gave before it, on any
// message a kernel could send and on broken ones: the same entry, or the same NetlinkDecodeError.
import type { AddressFamily } from '../../../src/net/ip-address.js';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NetlinkDecodeError,
  Writer,
  attributeSet,
  bytesView,
  field,
  nested,
  requiredAttribute,
  type AttributeValues,
} from '../../../src/netlink/index.js';
import {
  destAttributes,
  serviceAttributes,
  stats32Attributes,
  stats64Attributes,
  type Stats32Values,
  type Stats64Values,
} from '../../../src/ipvs/attributes.js';
import * as c from '../../../src/ipvs/constants.js';
import { decodeRealServerAt, decodeServiceAt } from '../../../src/ipvs/messages.js';
import type { ReadRealServer, LiveVirtualServer, ServiceFlags, Stats } from '../../../src/ipvs/types.js';
import { decodeInetAddressAt } from '../../../src/net/ip-address.js';

// ---- the reference: the table-driven decode as it was --------------------------------------

const FAMILIES: Record<number, AddressFamily> = { [c.AF_INET]: 'inet', [c.AF_INET6]: 'inet6' };
const PROTOCOLS: Record<number, 'tcp' | 'udp' | 'sctp'> = {
  [c.IPPROTO_TCP]: 'tcp',
  [c.IPPROTO_UDP]: 'udp',
  [c.IPPROTO_SCTP]: 'sctp',
};
const FORWARDING: Record<number, ReadRealServer['forwarding']> = {
  [c.IP_VS_CONN_F_MASQ]: 'masquerade',
  [c.IP_VS_CONN_F_LOCALNODE]: 'local',
  [c.IP_VS_CONN_F_TUNNEL]: 'tunnel',
  [c.IP_VS_CONN_F_DROUTE]: 'route',
  [c.IP_VS_CONN_F_BYPASS]: 'bypass',
};
const TUNNELS: Record<number, 'ipip' | 'gue' | 'gre'> = {
  [c.IP_VS_CONN_F_TUNNEL_TYPE_IPIP]: 'ipip',
  [c.IP_VS_CONN_F_TUNNEL_TYPE_GUE]: 'gue',
  [c.IP_VS_CONN_F_TUNNEL_TYPE_GRE]: 'gre',
};

function known<T>(table: Record<number, T>, raw: number, path: string): T {
  const value = table[raw];
  if (value === undefined) throw new NetlinkDecodeError(path, `unknown value ${raw}`);
  return value;
}

function lean<F extends { stats: unknown; stats64: unknown }>(fields: F): Omit<F, 'stats' | 'stats64'> {
  const { stats: _s, stats64: _s64, ...rest } = fields;
  return rest;
}

const leanService = attributeSet('IPVS_SVC', {
  ...lean(serviceAttributes.fields),
  address: field(c.IPVS_SVC_ATTR_ADDR, bytesView),
});
const countedService = attributeSet('IPVS_SVC', { ...serviceAttributes.fields, address: leanService.fields.address });
const leanDest = attributeSet('IPVS_DEST', {
  ...lean(destAttributes.fields),
  address: field(c.IPVS_DEST_ATTR_ADDR, bytesView),
});
const countedDest = attributeSet('IPVS_DEST', { ...destAttributes.fields, address: leanDest.fields.address });
const replies = {
  leanService: attributeSet('IPVS_CMD', { service: field(c.IPVS_CMD_ATTR_SERVICE, nested(leanService)) }),
  countedService: attributeSet('IPVS_CMD', { service: field(c.IPVS_CMD_ATTR_SERVICE, nested(countedService)) }),
  leanDest: attributeSet('IPVS_CMD', { dest: field(c.IPVS_CMD_ATTR_DEST, nested(leanDest)) }),
  countedDest: attributeSet('IPVS_CMD', { dest: field(c.IPVS_CMD_ATTR_DEST, nested(countedDest)) }),
};

function header(source: Buffer, start: number, end: number, command: number, name: string): void {
  if (end - start < 4) throw new NetlinkDecodeError('genlmsghdr', `expected 4 bytes, got ${end - start}`);
  if (source[start] !== command)
    throw new NetlinkDecodeError('genlmsghdr.cmd', `expected ${name}, got ${source[start]}`);
}

function address(family: AddressFamily, view: Buffer | undefined, path: string): string {
  const bytes = requiredAttribute(view, path);
  const text = decodeInetAddressAt(family, bytes, 0, bytes.length);
  if (text === undefined)
    throw new NetlinkDecodeError(path, `${bytes.length} bytes is too short for an ${family} address`);
  return text;
}

function counters(values: { stats?: Stats32Values; stats64?: Stats64Values }, path: string): Stats {
  const nest = values.stats64 ?? values.stats;
  const where = values.stats64 ? `${path}.stats64` : `${path}.stats`;
  if (nest === undefined) throw new NetlinkDecodeError(`${path}.stats64`, 'missing (and no stats either)');
  const count = (key: keyof Stats32Values): bigint => BigInt(requiredAttribute(nest[key], `${where}.${key}`));
  return {
    connections: count('connections'),
    inPackets: count('inPackets'),
    outPackets: count('outPackets'),
    inBytes: count('inBytes'),
    outBytes: count('outBytes'),
    cps: count('cps'),
    inPps: count('inPps'),
    outPps: count('outPps'),
    inBps: count('inBps'),
    outBps: count('outBps'),
  };
}

/** IPv4: a netmask in network order (read as host order); IPv6: a prefix length. */
function wireNetmask(family: AddressFamily, raw: number): number {
  return family === 'inet' ? Buffer.from(Uint32Array.of(raw).buffer).readUInt32BE(0) : raw;
}

function referenceService(source: Buffer, start: number, end: number, stats: boolean): LiveVirtualServer {
  header(source, start, end, c.IPVS_CMD_NEW_SERVICE, 'NEW_SERVICE');
  const path = 'IPVS_CMD.service';
  const top = (stats ? replies.countedService : replies.leanService).read(source, start + 4, end, 'IPVS_CMD');
  const svc: AttributeValues<typeof countedService.fields> = requiredAttribute(top.service, path);
  const family = known(FAMILIES, requiredAttribute(svc.family, `${path}.family`), `${path}.family`);
  const key =
    svc.fwmark !== undefined
      ? { family, fwmark: svc.fwmark }
      : {
          family,
          protocol: known(PROTOCOLS, requiredAttribute(svc.protocol, `${path}.protocol`), `${path}.protocol`),
          address: address(family, svc.address, `${path}.address`),
          port: requiredAttribute(svc.port, `${path}.port`),
        };
  const wire = requiredAttribute(svc.flags, `${path}.flags`);
  const bits = wire.flags & wire.mask;
  const flags: ServiceFlags = {
    persistent: (bits & c.IP_VS_SVC_F_PERSISTENT) !== 0,
    hashed: (bits & c.IP_VS_SVC_F_HASHED) !== 0,
    onePacket: (bits & c.IP_VS_SVC_F_ONEPACKET) !== 0,
    sched1: (bits & c.IP_VS_SVC_F_SCHED1) !== 0,
    sched2: (bits & c.IP_VS_SVC_F_SCHED2) !== 0,
    sched3: (bits & c.IP_VS_SVC_F_SCHED3) !== 0,
  };
  return {
    key,
    scheduler: requiredAttribute(svc.scheduler, `${path}.scheduler`),
    flags,
    timeout: requiredAttribute(svc.timeout, `${path}.timeout`),
    netmask: wireNetmask(family, requiredAttribute(svc.netmask, `${path}.netmask`)),
    ...(svc.persistenceEngine !== undefined && { persistenceEngine: svc.persistenceEngine }),
    ...(stats && { stats: counters(svc, path) }),
  };
}

function referenceRealServer(
  source: Buffer,
  start: number,
  end: number,
  serviceFamily: AddressFamily,
  stats: boolean,
): ReadRealServer {
  header(source, start, end, c.IPVS_CMD_NEW_DEST, 'NEW_DEST');
  const path = 'IPVS_CMD.dest';
  const top = (stats ? replies.countedDest : replies.leanDest).read(source, start + 4, end, 'IPVS_CMD');
  const dest: AttributeValues<typeof countedDest.fields> = requiredAttribute(top.dest, path);
  const family =
    dest.family === undefined
      ? serviceFamily
      : known(FAMILIES, requiredAttribute(dest.family, `${path}.family`), `${path}.family`);
  const raw = requiredAttribute(dest.forwarding, `${path}.forwarding`) & c.IP_VS_CONN_F_FWD_MASK;
  const forwarding = known(FORWARDING, raw, `${path}.forwarding`);
  const tunnelType = dest.tunnelType;
  return {
    family,
    address: address(family, dest.address, `${path}.address`),
    port: requiredAttribute(dest.port, `${path}.port`),
    forwarding,
    weight: requiredAttribute(dest.weight, `${path}.weight`),
    upperThreshold: requiredAttribute(dest.upperThreshold, `${path}.upperThreshold`),
    lowerThreshold: requiredAttribute(dest.lowerThreshold, `${path}.lowerThreshold`),
    ...(forwarding === 'tunnel' &&
      tunnelType !== undefined && {
        tunnel: {
          type: known(TUNNELS, tunnelType, `${path}.tunnelType`),
          port: dest.tunnelPort ?? 0,
          flags: dest.tunnelFlags ?? 0,
        },
      }),
    activeConnections: requiredAttribute(dest.activeConnections, `${path}.activeConnections`),
    inactiveConnections: requiredAttribute(dest.inactiveConnections, `${path}.inactiveConnections`),
    persistentConnections: requiredAttribute(dest.persistentConnections, `${path}.persistentConnections`),
    ...(stats && { stats: counters(dest, path) }),
  };
}

// ---- messages ------------------------------------------------------------------------------

/** One attribute: its type and payload (a nest's payload is its encoded attributes). */
interface Attribute {
  readonly type: number;
  readonly payload: Uint8Array;
}

const payloadOf = (size: number) => fc.uint8Array({ minLength: size, maxLength: size });
/** Mostly the size the attribute has, sometimes any size (too short, or wider than it needs). */
const sized = (size: number) => fc.oneof({ weight: 6, arbitrary: payloadOf(size) }, fc.uint8Array({ maxLength: 20 }));
const wireValue = (size: number, values: readonly number[]) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...values)
        .map((v) => Uint8Array.from(Buffer.from(Uint32Array.of(v).buffer).subarray(0, size))),
    },
    { weight: 1, arbitrary: sized(size) },
  );

function encodeAttributes(attributes: readonly Attribute[]): Uint8Array {
  const w = new Writer();
  for (const { type, payload } of attributes) {
    const start = w.beginAttribute(type);
    w.bytes(Buffer.from(payload));
    w.endAttribute(start);
  }
  return w.take();
}

const statsNest = (set: typeof stats32Attributes | typeof stats64Attributes) =>
  fc
    .array(
      fc.record({
        type: fc.integer({ min: 1, max: 12 }),
        payload: sized(set === stats32Attributes ? 4 : 8),
      }),
      { maxLength: 12 },
    )
    .map(encodeAttributes);

/** The attributes of a service nest: every known one, some missing or repeated, unknown ones among them. */
const serviceNest: fc.Arbitrary<Attribute[]> = fc
  .record({
    family: wireValue(2, [c.AF_INET, c.AF_INET6, 7]),
    protocol: wireValue(2, [c.IPPROTO_TCP, c.IPPROTO_UDP, c.IPPROTO_SCTP, 99]),
    address: fc.oneof(payloadOf(16), payloadOf(4), fc.uint8Array({ maxLength: 20 })),
    port: sized(2),
    fwmark: sized(4),
    scheduler: fc.oneof(
      fc.constantFrom('rr', 'wlc', 'sh').map((s) => Uint8Array.from(Buffer.from(`${s}\0`))),
      fc.uint8Array({ maxLength: 8 }),
    ),
    flags: sized(8),
    timeout: sized(4),
    netmask: sized(4),
    persistenceEngine: fc.constant(Uint8Array.from(Buffer.from('sip\0'))),
    stats: statsNest(stats32Attributes),
    stats64: statsNest(stats64Attributes),
  })
  .chain((values) => {
    const types: Record<keyof typeof values, number> = {
      family: c.IPVS_SVC_ATTR_AF,
      protocol: c.IPVS_SVC_ATTR_PROTOCOL,
      address: c.IPVS_SVC_ATTR_ADDR,
      port: c.IPVS_SVC_ATTR_PORT,
      fwmark: c.IPVS_SVC_ATTR_FWMARK,
      scheduler: c.IPVS_SVC_ATTR_SCHED_NAME,
      flags: c.IPVS_SVC_ATTR_FLAGS,
      timeout: c.IPVS_SVC_ATTR_TIMEOUT,
      netmask: c.IPVS_SVC_ATTR_NETMASK,
      persistenceEngine: c.IPVS_SVC_ATTR_PE_NAME,
      stats: c.IPVS_SVC_ATTR_STATS,
      stats64: c.IPVS_SVC_ATTR_STATS64,
    };
    return attributeList(
      Object.entries(values).map(([key, payload]) => ({ type: types[key as keyof typeof values], payload })),
    );
  });

const destNest: fc.Arbitrary<Attribute[]> = fc
  .record({
    address: fc.oneof(payloadOf(16), payloadOf(4), fc.uint8Array({ maxLength: 20 })),
    port: sized(2),
    forwarding: wireValue(4, [c.IP_VS_CONN_F_MASQ, c.IP_VS_CONN_F_TUNNEL, c.IP_VS_CONN_F_DROUTE, 0x105, 6]),
    weight: sized(4),
    upperThreshold: sized(4),
    lowerThreshold: sized(4),
    activeConnections: sized(4),
    inactiveConnections: sized(4),
    persistentConnections: sized(4),
    stats: statsNest(stats32Attributes),
    family: wireValue(2, [c.AF_INET, c.AF_INET6, 3]),
    stats64: statsNest(stats64Attributes),
    tunnelType: wireValue(1, [0, 1, 2, 9]),
    tunnelPort: sized(2),
    tunnelFlags: sized(2),
  })
  .chain((values) => {
    const types: Record<keyof typeof values, number> = {
      address: c.IPVS_DEST_ATTR_ADDR,
      port: c.IPVS_DEST_ATTR_PORT,
      forwarding: c.IPVS_DEST_ATTR_FWD_METHOD,
      weight: c.IPVS_DEST_ATTR_WEIGHT,
      upperThreshold: c.IPVS_DEST_ATTR_U_THRESH,
      lowerThreshold: c.IPVS_DEST_ATTR_L_THRESH,
      activeConnections: c.IPVS_DEST_ATTR_ACTIVE_CONNS,
      inactiveConnections: c.IPVS_DEST_ATTR_INACT_CONNS,
      persistentConnections: c.IPVS_DEST_ATTR_PERSIST_CONNS,
      stats: c.IPVS_DEST_ATTR_STATS,
      family: c.IPVS_DEST_ATTR_ADDR_FAMILY,
      stats64: c.IPVS_DEST_ATTR_STATS64,
      tunnelType: c.IPVS_DEST_ATTR_TUN_TYPE,
      tunnelPort: c.IPVS_DEST_ATTR_TUN_PORT,
      tunnelFlags: c.IPVS_DEST_ATTR_TUN_FLAGS,
    };
    return attributeList(
      Object.entries(values).map(([key, payload]) => ({ type: types[key as keyof typeof values], payload })),
    );
  });

/** Each attribute kept (mostly), left out or repeated with another value, shuffled, with unknown ones added. */
function attributeList(all: readonly Attribute[]): fc.Arbitrary<Attribute[]> {
  return fc
    .tuple(
      fc.array(fc.constantFrom('keep', 'keep', 'keep', 'keep', 'drop', 'twice'), {
        minLength: all.length,
        maxLength: all.length,
      }),
      fc.array(fc.record({ type: fc.integer({ min: 16, max: 40 }), payload: fc.uint8Array({ maxLength: 8 }) }), {
        maxLength: 2,
      }),
    )
    .chain(([fates, unknown]) => {
      const kept = all.flatMap((attribute, i) => {
        const fate = fates[i];
        if (fate === 'drop') return [];
        if (fate === 'twice') return [attribute, { ...attribute, payload: attribute.payload.slice().reverse() }];
        return [attribute];
      });
      return fc.shuffledSubarray([...kept, ...unknown], { minLength: kept.length + unknown.length });
    });
}

/** A reply: genlmsghdr (command, version, reserved), the nest, maybe unknown top-level attributes, maybe cut short. */
function reply(command: number, nestType: number, nest: fc.Arbitrary<Attribute[]>): fc.Arbitrary<Buffer> {
  return fc
    .record({
      command: fc.oneof({ weight: 9, arbitrary: fc.constant(command) }, fc.integer({ min: 0, max: 255 })),
      nest,
      before: fc.array(fc.record({ type: fc.constantFrom(3, 7, 9), payload: fc.uint8Array({ maxLength: 8 }) }), {
        maxLength: 1,
      }),
      cut: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fc.nat()),
    })
    .map(({ command: cmd, nest: attributes, before, cut }) => {
      const body = encodeAttributes([...before, { type: nestType, payload: encodeAttributes(attributes) }]);
      const whole = Buffer.concat([Buffer.from([cmd, 1, 0, 0]), body]);
      return cut === undefined ? whole : whole.subarray(0, cut % (whole.length + 1));
    });
}

/** What `decode` gives: its value, or the message of the NetlinkDecodeError it throws (nothing else may be thrown). */
function outcome(decode: () => unknown): unknown {
  try {
    return { value: decode() };
  } catch (err) {
    if (!(err instanceof NetlinkDecodeError)) throw err;
    return { error: err.message };
  }
}

/** The message inside a larger buffer, as the dump's shared reply buffer holds it. */
function placed(message: Buffer): { source: Buffer; start: number; end: number } {
  const source = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee]), message, Buffer.from([1, 2, 3])]);
  return { source, start: 5, end: 5 + message.length };
}

describe('the one-walk decoders give what the table-driven reader gave', () => {
  test('NEW_SERVICE entries, with and without counters', () => {
    fc.assert(
      fc.property(
        reply(c.IPVS_CMD_NEW_SERVICE, c.IPVS_CMD_ATTR_SERVICE, serviceNest),
        fc.boolean(),
        (message, stats) => {
          const { source, start, end } = placed(message);
          expect(outcome(() => decodeServiceAt(source, start, end, { stats }))).toStrictEqual(
            outcome(() => referenceService(source, start, end, stats)),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('NEW_DEST entries, with and without counters', () => {
    fc.assert(
      fc.property(
        reply(c.IPVS_CMD_NEW_DEST, c.IPVS_CMD_ATTR_DEST, destNest),
        fc.constantFrom<AddressFamily>('inet', 'inet6'),
        fc.boolean(),
        (message, serviceFamily, stats) => {
          const { source, start, end } = placed(message);
          expect(outcome(() => decodeRealServerAt(source, start, end, serviceFamily, { stats }))).toStrictEqual(
            outcome(() => referenceRealServer(source, start, end, serviceFamily, stats)),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
