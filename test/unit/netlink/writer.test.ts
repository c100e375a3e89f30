// The writer frames what it is given or refuses: a length that its 16-bit field cannot carry is
// an error, never a truncated header.
import { describe, expect, test } from '@jest/globals';
import { Writer } from '../../../src/netlink/writer.js';

describe('Writer', () => {
  test('writes little-endian headers and lengths', () => {
    const w = new Writer(8);
    const message = w.beginMessage(0x1234, 0x0305, 0xfffffffe, 7);
    const attribute = w.beginAttribute(0x8001);
    w.u32(0xdeadbeef);
    w.endAttribute(attribute);
    w.endMessage(message);
    expect(w.view().toString('hex')).toBe(
      '18000000' + '3412' + '0503' + 'feffffff' + '07000000' + '0800' + '0180' + 'efbeadde',
    );
  });

  test('refuses an attribute of 64 KiB or more instead of writing its length truncated', () => {
    const w = new Writer();
    const attribute = w.beginAttribute(1);
    w.bytes(new Uint8Array(0x10000));
    expect(() => w.endAttribute(attribute)).toThrow(RangeError);
  });
});
