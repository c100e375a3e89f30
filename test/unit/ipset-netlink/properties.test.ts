// Property tests: an entry we send decodes back to the entry we meant; batches
// split into messages without losing, reordering or overfilling; and no reply,
// however broken, makes a decoder throw anything but NetlinkDecodeError, while the
// entries it accepts from a broken reply are entries we can send back unchanged.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NLM_F_ACK,
  NLM_F_REQUEST,
  NetlinkDecodeError,
  Writer,
  decodeNfnetlink,
  parseMessages,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-address.js';
import { commandAttributes } from '../../../src/ipset/attributes.js';
import { decodeEntry, isModeledType } from '../../../src/ipset/entries.js';
import {
  MAX_ENTRY_MESSAGE_BYTES,
  decodeList,
  decodeNames,
  entryMessages,
  failedLine,
} from '../../../src/ipset/messages.js';
import type { EntryOperation, IpsetEntry, IpsetType } from '../../../src/ipset/types.js';
import type { DesiredIpsetType } from '../../../src/contracts/desired-state.js';
import { fixtures } from '../netlink/fixture-files.js';

// Every set type the model (src/proxy) produces: this fails to compile when the model gains
// one, and the first test below fails when it is not one this layer writes.
const MODEL_TYPES: Record<DesiredIpsetType, true> = {
  'hash:ip': true,
  'hash:ip,port': true,
  'hash:ip,port,ip': true,
  'hash:ip,port,net': true,
  'bitmap:port': true,
};

const ipset = fixtures('ipset');
const P = 7;

const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b));
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(b));
const protocol = fc.constantFrom('tcp', 'udp', 'sctp' as const);
const port = fc.integer({ min: 0, max: 0xffff });
/** Networks as the kernel lists them: host bits clear. */
function net(bits: 32 | 128): fc.Arbitrary<string> {
  return fc
    .tuple(fc.uint8Array({ minLength: bits / 8, maxLength: bits / 8 }), fc.integer({ min: 1, max: bits }))
    .map(([bytes, cidr]) => {
      const masked = Buffer.from(bytes);
      for (let bit = cidr; bit < bits; bit++) masked[bit >> 3] = (masked[bit >> 3] as number) & ~(0x80 >> (bit & 7));
      return `${bits === 32 ? formatIPv4(masked) : formatIPv6(masked)}/${cidr}`;
    });
}
const comment = fc.option(
  fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0')),
  { nil: undefined },
);

function typed(type: IpsetType): fc.Arbitrary<IpsetEntry> {
  const withComment = (entry: fc.Arbitrary<IpsetEntry>) =>
    fc.tuple(entry, comment).map(([e, c]) => (c === undefined ? e : { ...e, comment: c }));
  const family = fc.constantFrom(32 as const, 128 as const);
  const address = (bits: 32 | 128) => (bits === 32 ? v4 : v6);
  switch (type) {
    case 'hash:ip':
      return withComment(family.chain((b) => address(b).map((ip) => ({ ip }))));
    case 'hash:net':
      return withComment(family.chain((b) => net(b).map((n) => ({ net: n }))));
    case 'hash:ip,port':
      return withComment(family.chain((b) => fc.record({ ip: address(b), protocol, port })));
    case 'hash:ip,port,ip':
      return withComment(family.chain((b) => fc.record({ ip: address(b), protocol, port, ip2: address(b) })));
    case 'hash:ip,port,net':
      return withComment(family.chain((b) => fc.record({ ip: address(b), protocol, port, net: net(b) })));
    case 'bitmap:port':
      return withComment(port.map((p) => ({ port: p })));
  }
}
const TYPES: readonly IpsetType[] = [
  'hash:ip',
  'hash:net',
  'hash:ip,port',
  'hash:ip,port,ip',
  'hash:ip,port,net',
  'bitmap:port',
];

/** Frames a request as the socket would and reads it back as the kernel would. */
function sent(request: { type: number; flags?: number; writePayload(w: Writer): void }): NetlinkMessage {
  const w = new Writer();
  const start = w.beginMessage(request.type, NLM_F_REQUEST | NLM_F_ACK | (request.flags ?? 0), 1);
  request.writePayload(w);
  w.endMessage(start);
  const [msg, ...rest] = parseMessages(w.take());
  expect(rest).toHaveLength(0);
  return msg as NetlinkMessage;
}

describe('entries', () => {
  test('the properties below cover every set type the model uses', () => {
    expect(TYPES).toEqual(expect.arrayContaining(Object.keys(MODEL_TYPES)));
  });

  test('an entry sent decodes, as its set type reads it, to the same entry', () => {
    const cases = fc
      .constantFrom(...TYPES)
      .chain((type) => fc.tuple(fc.constant(type), fc.array(typed(type), { minLength: 1, maxLength: 20 })));
    fc.assert(
      fc.property(cases, ([type, entries]) => {
        const ops = entries.map((entry): EntryOperation => ({ op: 'add-entry', set: 'S', entry }));
        const { messages, refused } = entryMessages(
          P,
          ops,
          ops.map((_, i) => i),
        );
        expect(refused.size).toBe(0);
        const decoded = messages.flatMap((m) => {
          const adt = decodeNfnetlink(sent(m.request), commandAttributes).attributes.adt ?? [];
          expect(adt.map((e) => e.lineno)).toEqual(adt.map((_, i) => i + 1));
          return adt.map((values, i) => decodeEntry(type, values, `adt[${i}]`));
        });
        expect(decoded).toEqual(entries);
      }),
      { numRuns: 2000 },
    );
  });

  test('a batch splits into messages by set, command and -exist, in order, none over the limit', () => {
    const op = fc.record({
      op: fc.constantFrom('add-entry', 'delete-entry' as const),
      set: fc.constantFrom('A', 'B-LONGER-NAME'),
      entry: typed('hash:ip,port,ip'),
      exist: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), fc.constantFrom(0, 1024, MAX_ENTRY_MESSAGE_BYTES), (ops, limit) => {
        const { messages } = entryMessages(
          P,
          ops,
          ops.map((_, i) => i),
          limit,
        );
        expect(messages.flatMap((m) => m.ops)).toEqual(ops.map((_, i) => i));
        for (const m of messages) {
          const msg = sent(m.request);
          const first = ops[m.ops[0] as number] as EntryOperation;
          expect(
            m.ops.every(
              (i) => ops[i]?.op === first.op && ops[i]?.set === first.set && !!ops[i]?.exist === !!first.exist,
            ),
          ).toBe(true);
          expect(decodeNfnetlink(msg, commandAttributes).attributes.setName).toBe(first.set);
          if (m.ops.length > 1) expect(msg.payload.length + 16).toBeLessThanOrEqual(limit);
        }
        if (limit === 0) expect(messages).toHaveLength(ops.length);
      }),
      { numRuns: 300 },
    );
  });
});

/** A payload as the kernel echoes a request in an error: behind its nlmsghdr. */
function asEcho(payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + payload.length, 0);
  header.writeUInt16LE(0x609, 4);
  return Buffer.concat([header, payload]);
}

/** The entries of a set as we send them (ADD messages), decoded again as its type reads them. */
function sentBack(type: IpsetType, entries: readonly IpsetEntry[]): IpsetEntry[] {
  const ops = entries.map((entry): EntryOperation => ({ op: 'add-entry', set: 'S', entry }));
  const { messages, refused } = entryMessages(
    P,
    ops,
    ops.map((_, i) => i),
  );
  expect([...refused.keys()]).toEqual([]);
  return messages.flatMap((m) =>
    (decodeNfnetlink(sent(m.request), commandAttributes).attributes.adt ?? []).map((values, i) =>
      decodeEntry(type, values, `adt[${i}]`),
    ),
  );
}

describe('decoders', () => {
  const captured = [
    'list-headers',
    'list-kube-cluster-ip',
    'list-kube-6-loop-back',
    'list-kube-load-balancer-source-cidr',
    'list-kube-node-port-tcp',
    'list-kube-ipvs-ips',
    'list-kipvs-nets',
  ].map((name) => ipset.replies(name));

  test('random payloads, and every cut or changed byte of a captured reply, only ever yield NetlinkDecodeError or entries we can send again', () => {
    const damaged = fc.oneof(
      fc
        .uint8Array({ maxLength: 300 })
        .map((b) => [{ type: 0x607, flags: 2, seq: 1, portId: 0, payload: Buffer.from(b) }]),
      fc.tuple(fc.constantFrom(...captured), fc.nat(), fc.nat()).map(([msgs, which, cut]) => {
        const msg = msgs[which % msgs.length] as NetlinkMessage;
        return [{ ...msg, payload: msg.payload.subarray(0, cut % (msg.payload.length + 1)) }];
      }),
      fc
        .tuple(fc.constantFrom(...captured), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([msgs, which, at, byte]) => {
          const msg = msgs[which % msgs.length] as NetlinkMessage;
          const payload = Buffer.from(msg.payload);
          payload[at % payload.length] = byte;
          return [{ ...msg, payload }];
        }),
    );
    fc.assert(
      fc.property(damaged, (msgs) => {
        for (const decode of [
          () => decodeList(msgs),
          () => decodeNames(msgs),
          () => failedLine(asEcho(msgs[0]?.payload ?? Buffer.alloc(0))),
        ]) {
          let decoded: ReturnType<typeof decode>;
          try {
            decoded = decode();
          } catch (err) {
            expect(err).toBeInstanceOf(NetlinkDecodeError);
            continue;
          }
          if (!Array.isArray(decoded)) continue;
          for (const set of decoded) {
            if (typeof set === 'string' || set.entries === undefined || !isModeledType(set.header.type)) continue;
            expect(sentBack(set.header.type, set.entries)).toEqual(set.entries);
          }
        }
      }),
      { numRuns: 20000 },
    );
  });
});
