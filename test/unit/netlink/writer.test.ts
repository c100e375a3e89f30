// Message and attribute framing, byte for byte (include/uapi/linux/netlink.h:
// NLMSG_ALIGN and NLA_ALIGN are 4; nla_len excludes the padding after it).
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Writer, align4 } from '../../../src/netlink/index.js';
import { hex } from './hex.js';

describe('Writer', () => {
  test('a message header, then an attribute padded to 4 bytes', () => {
    const w = new Writer(8);
    const msg = w.beginMessage(0x1234, 0x0305, 0xdeadbeef, 42);
    const attr = w.beginAttribute(7);
    w.bytes(Buffer.from('abcde'));
    w.endAttribute(attr);
    w.endMessage(msg);
    expect(w.take()).toEqual(hex`
      1c000000 3412 0503 efbeadde 2a000000   # nlmsghdr len 28, type 0x1234, flags 0x0305, seq, pid 42
      0900 0700 6162636465 000000            # nla_len 9 (4 + 5, padding excluded), type 7, "abcde", 3 pad
    `);
  });

  test('integers: host order for u16/u32/u64, network order for be16/be32', () => {
    const w = new Writer(1);
    w.u8(0x01);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fn);
    w.be16(0x1011);
    w.be32(0x12131415);
    expect(w.take()).toEqual(hex`01 0302 07060504 0f0e0d0c0b0a0908 1011 12131415`);
  });

  test('nested attributes: the outer length covers the inner ones and their padding', () => {
    const w = new Writer();
    const outer = w.beginAttribute(1);
    const inner = w.beginAttribute(2);
    w.u8(9);
    w.endAttribute(inner);
    const second = w.beginAttribute(3);
    w.u16(0xabcd);
    w.endAttribute(second);
    w.endAttribute(outer);
    expect(w.take()).toEqual(hex`
      1400 0100        # outer: 4 + 8 + 8 = 20
        0500 0200 09 000000
        0600 0300 cdab 0000
    `);
  });

  test('grows past its initial size without losing bytes', () => {
    const w = new Writer(4);
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i & 0xff));
    w.u32(0xffffffff);
    w.bytes(data);
    const out = w.take();
    expect(out.length).toBe(10_004);
    expect(out.subarray(4)).toEqual(data);
    expect(out.readUInt32LE(0)).toBe(0xffffffff);
  });

  test('take copies and resets; truncate drops what did not fit; flags can be rewritten', () => {
    const w = new Writer();
    const first = w.beginMessage(16, 1, 1);
    w.endMessage(first);
    const second = w.beginMessage(16, 1, 2);
    w.u32(5);
    w.endMessage(second);
    w.truncate(second);
    w.setMessageFlags(first, w.messageFlags(first) | 4);
    const out = w.take();
    expect(out).toEqual(hex`10000000 1000 0500 01000000 00000000`);
    expect(w.length).toBe(0);
    w.u8(1);
    expect(out.length).toBe(16); // the copy does not see later writes
  });

  test('copyFrom copies a range of another buffer', () => {
    const w = new Writer(2);
    w.copyFrom(Buffer.from('0123456789'), 3, 7);
    expect(w.take().toString()).toBe('3456');
  });

  test('writing into a tiny buffer that must grow gives the same bytes as into a big one', () => {
    // Every write may be the one that grows the buffer: none may land in the old one.
    const write = fc.oneof(
      fc.integer({ min: 0, max: 0xff }).map((v) => (w: Writer) => w.u8(v)),
      fc.integer({ min: 0, max: 0xffff }).map((v) => (w: Writer) => w.u16(v)),
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => (w: Writer) => w.u32(v)),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => (w: Writer) => w.u64(v)),
      fc.integer({ min: 0, max: 0xffff }).map((v) => (w: Writer) => w.be16(v)),
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => (w: Writer) => w.be32(v)),
      fc.uint8Array({ maxLength: 9 }).map((b) => (w: Writer) => w.bytes(b)),
      fc.uint8Array({ minLength: 1, maxLength: 9 }).map((b) => (w: Writer) => w.copyFrom(Buffer.from(b), 1, b.length)),
      fc.constant((w: Writer) => w.pad()),
      fc.uint8Array({ maxLength: 7 }).map((b) => (w: Writer) => {
        const at = w.beginAttribute(5);
        w.bytes(b);
        w.endAttribute(at);
      }),
    );
    fc.assert(
      fc.property(fc.array(write, { maxLength: 40 }), (writes) => {
        const tiny = new Writer(1);
        const big = new Writer(4096);
        for (const apply of writes) {
          apply(tiny);
          apply(big);
        }
        expect(tiny.take()).toEqual(big.take());
      }),
      { numRuns: 3000 },
    );
  });

  test.each([
    [0, 0],
    [1, 4],
    [4, 4],
    [5, 8],
    [65535, 65536],
  ])('align4(%i) = %i', (n, aligned) => {
    expect(align4(n)).toBe(aligned);
  });

  test('refuses an attribute of 64 KiB or more instead of writing its length truncated', () => {
    const w = new Writer();
    const attribute = w.beginAttribute(1);
    w.bytes(new Uint8Array(0x10000));
    expect(() => w.endAttribute(attribute)).toThrow(RangeError);
  });
});
