// Declarative attribute sets: one table encodes and decodes; malformed input
// is a NetlinkDecodeError naming the attribute, never anything else.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NetlinkDecodeError,
  Writer,
  attributeSet,
  be16,
  be32,
  bytes,
  cstring,
  field,
  flag,
  iterateAttributes,
  nested,
  nestedList,
  u16,
  u32,
  u32Struct,
  u64,
  u8,
  withTypeFlags,
  type AttributeValues,
} from '../../../src/netlink/index.js';
import { hex } from './hex.js';

const inner = attributeSet('INNER', { a: field(1, u8), b: field(2, u32) });
const sample = attributeSet('SAMPLE', {
  byte: field(1, u8),
  short: field(2, u16),
  word: field(3, u32),
  long: field(4, u64),
  port: field(5, be16),
  addr: field(6, be32),
  raw: field(7, bytes),
  name: field(8, cstring),
  on: field(9, flag),
  pair: field(10, u32Struct('flags', 'mask')),
  child: field(11, nested(inner)),
});
type SampleValues = AttributeValues<typeof sample.fields>;

function encoded(values: SampleValues): Buffer {
  const w = new Writer();
  sample.encode(w, values);
  return w.take();
}

const everything: SampleValues = {
  byte: 0xab,
  short: 0x1234,
  word: 0xdeadbeef,
  long: 0x0102030405060708n,
  port: 8080,
  addr: 0x0a000001,
  raw: Buffer.from([1, 2, 3]),
  name: 'rr',
  on: true,
  pair: { flags: 1, mask: 0xffffffff },
  child: { a: 7, b: 9 },
};
const everythingBytes = hex`
  0500 0100 ab 000000                # u8, 3 pad
  0600 0200 3412 0000                # u16 host order
  0800 0300 efbeadde                 # u32 host order
  0c00 0400 0807060504030201         # u64 host order
  0600 0500 1f90 0000                # be16 8080
  0800 0600 0a000001                 # be32 10.0.0.1
  0700 0700 010203 00                # bytes
  0700 0800 727200 00                # cstring "rr\\0"
  0400 0900                          # flag: no payload
  0c00 0a00 01000000 ffffffff        # struct of two u32
  1400 0b00                          # nested, 20 bytes
    0500 0100 07 000000
    0800 0200 09000000
`;

describe('attribute sets', () => {
  test('encode every codec, in table order', () => {
    expect(encoded(everything)).toEqual(everythingBytes);
  });

  test('decode gives back the values; absent attributes are undefined', () => {
    expect(sample.decode(everythingBytes)).toEqual(everything);
    const some = sample.decode(hex`0600 0500 0050 0000`);
    expect(some.port).toBe(80);
    expect(some.word).toBeUndefined();
  });

  test('unknown attribute types are skipped; NLA_F_NESTED and NLA_F_NET_BYTEORDER are not part of the type', () => {
    const values = sample.decode(hex`
      0800 6300 01020304        # type 99: unknown
      0800 0380 2a000000        # type 3 with NLA_F_NESTED set
      0600 0540 0050 0000       # type 5 with NLA_F_NET_BYTEORDER set
    `);
    expect(values.word).toBe(42);
    expect(values.port).toBe(80);
  });

  test('a string without its NUL reads to the end of the payload; bytes after a NUL are ignored', () => {
    expect(sample.decode(hex`0600 0800 7373 0000`).name).toBe('ss');
    expect(sample.decode(hex`0800 0800 73 00 7a 7a`).name).toBe('s');
  });

  test('decoded bytes are a copy, not a view of the message', () => {
    const message = hex`0700 0700 010203 00`;
    const raw = sample.decode(message).raw as Buffer;
    message[4] = 0xff;
    expect([...raw]).toEqual([1, 2, 3]);
  });

  test.each([
    ['a u32 with 2 bytes', hex`0600 0300 0100 0000`, 'SAMPLE.word', 'expected 4 bytes, got 2'],
    ['a struct cut short', hex`0800 0a00 01000000`, 'SAMPLE.pair', 'expected 8 bytes, got 4'],
    ['a nested u32 cut short', hex`0c00 0b00 0700 0200 010203 00`, 'SAMPLE.child.b', 'expected 4 bytes, got 3'],
    ['an attribute past the end', hex`0c00 0300 01000000`, 'SAMPLE', 'attribute type 3 has length 12 at offset 0 of 8'],
    ['a length below the header', hex`0200 0300`, 'SAMPLE', 'attribute type 3 has length 2 at offset 0 of 4'],
    ['trailing bytes', hex`0800 0300 01000000 0102`, 'SAMPLE', '2 trailing bytes, too short for an attribute header'],
    [
      'a nest overrunning itself',
      hex`0c00 0b00 0900 0100 00000000`,
      'SAMPLE.child',
      'attribute type 1 has length 9 at offset 4 of 12',
    ],
  ])('%s: NetlinkDecodeError naming where', (_name, input, path, reason) => {
    expect(() => sample.decode(input)).toThrow(new NetlinkDecodeError(path, reason));
  });

  test('iterateAttributes walks raw TLVs with the same checks', () => {
    const raw = [...iterateAttributes(hex`0500 0180 07 000000 0400 0200`, 'X')];
    expect(raw).toEqual([
      { type: 1, nested: true, payload: Buffer.from([7]) },
      { type: 2, nested: false, payload: Buffer.alloc(0) },
    ]);
    expect(() => [...iterateAttributes(hex`0900 0100 00000000`, 'X')]).toThrow(NetlinkDecodeError);
  });
});

describe('attribute set properties', () => {
  const values: fc.Arbitrary<SampleValues> = fc.record(
    {
      byte: fc.integer({ min: 0, max: 0xff }),
      short: fc.integer({ min: 0, max: 0xffff }),
      word: fc.integer({ min: 0, max: 0xffffffff }),
      long: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      port: fc.integer({ min: 0, max: 0xffff }),
      addr: fc.integer({ min: 0, max: 0xffffffff }),
      raw: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      name: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), maxLength: 30 }),
      on: fc.constant(true as const),
      pair: fc.record({
        flags: fc.integer({ min: 0, max: 0xffffffff }),
        mask: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      child: fc.record(
        { a: fc.integer({ min: 0, max: 0xff }), b: fc.integer({ min: 0, max: 0xffffffff }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );

  test('encode then decode round-trips any values', () => {
    fc.assert(
      fc.property(values, (v) => {
        expect(sample.decode(encoded(v))).toEqual(v);
      }),
      { numRuns: 3000 },
    );
  });

  test('random and truncated input only ever yields NetlinkDecodeError', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.tuple(values, fc.nat()).map(([v, cut]) => {
        const b = encoded(v);
        return b.subarray(0, cut % (b.length + 1));
      }),
    );
    fc.assert(
      fc.property(input, (buffer) => {
        try {
          sample.decode(buffer);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
        }
      }),
      { numRuns: 10000 },
    );
  });
});

describe('type flags and nested lists', () => {
  const ip = attributeSet('IP', { v4: field(1, withTypeFlags(be32, NLA_F_NET_BYTEORDER)) });
  const entry = attributeSet('ENTRY', {
    ip: field(1, withTypeFlags(nested(ip), NLA_F_NESTED)),
    port: field(4, withTypeFlags(be16, NLA_F_NET_BYTEORDER)),
    line: field(9, u32),
  });
  const message = attributeSet('MESSAGE', {
    name: field(2, cstring),
    entries: field(8, withTypeFlags(nestedList(7, withTypeFlags(nested(entry), NLA_F_NESTED)), NLA_F_NESTED)),
  });
  const bytesOf = (values: AttributeValues<typeof message.fields>): Buffer => {
    const w = new Writer();
    message.encode(w, values);
    return w.take();
  };
  const twoEntries = hex`
    0600 0200 7300 0000                  # name "s"
    4400 0880                            # entries: type 8 | NLA_F_NESTED, 68 bytes
      2000 0780                          #   item: type 7 | NLA_F_NESTED, 32 bytes
        0c00 0180                        #     ip: type 1 | NLA_F_NESTED
          0800 0140 0a000001             #       v4: type 1 | NLA_F_NET_BYTEORDER, 10.0.0.1
        0600 0440 0050 0000              #     port: type 4 | NLA_F_NET_BYTEORDER, 80
        0800 0900 01000000               #     line 1 (no flag)
      2000 0780
        0c00 0180
          0800 0140 0a000002
        0600 0440 01bb 0000              #     port 443
        0800 0900 02000000
  `;

  test('the flags are written into the attribute type, at every level', () => {
    const values = {
      name: 's',
      entries: [
        { ip: { v4: 0x0a000001 }, port: 80, line: 1 },
        { ip: { v4: 0x0a000002 }, port: 443, line: 2 },
      ],
    };
    expect(bytesOf(values)).toEqual(twoEntries);
    expect(message.decode(twoEntries)).toEqual(values);
  });

  test('a nested list skips attributes of other types and names its items in errors', () => {
    const decoded = message.decode(hex`
      1400 0880
        0400 0380                        # type 3: not an item, skipped
        0c00 0780 0600 0440 0016 0000    # one item: port 22
    `);
    expect(decoded.entries).toEqual([{ ip: undefined, port: 22, line: undefined }]);
    expect(() => message.decode(hex`1000 0880 0c00 0780 0500 0440 00 000000`)).toThrow(
      new NetlinkDecodeError('MESSAGE.entries[0].port', 'expected 2 bytes, got 1'),
    );
    expect(() => message.decode(hex`0c00 0880 0900 0780 00000000`)).toThrow(
      new NetlinkDecodeError('MESSAGE.entries', 'attribute type 7 has length 9 at offset 4 of 12'),
    );
  });

  test('an empty list is an empty nest', () => {
    expect(bytesOf({ entries: [] })).toEqual(hex`0400 0880`);
    expect(message.decode(hex`0400 0880`).entries).toEqual([]);
  });
});
