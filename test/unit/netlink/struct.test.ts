// Fixed structs before the attributes (ifaddrmsg, nfgenmsg): the table is the
// layout byte for byte, padding included; short input is a NetlinkDecodeError.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NFNL_SUBSYS_IPSET,
  NLM_F_REQUEST,
  NetlinkDecodeError,
  Writer,
  attributeSet,
  be16,
  cstring,
  decodeNfnetlink,
  decodeStructAt,
  decodeStructMessage,
  field,
  nfnetlinkRequest,
  padding,
  struct,
  structRequest,
  u16,
  u32,
  u8,
  type NetlinkMessage,
  type Request,
} from '../../../src/netlink/index.js';
import { hex } from './hex.js';

// The shape of struct ifinfomsg: a byte of padding after the family.
const header = struct('HDR', { family: u8, pad: padding(1), kind: u16, index: u32, port: be16, tail: padding(2) });
const attributes = attributeSet('ATTRS', { name: field(3, cstring) });

function framed(request: Request): Buffer {
  const w = new Writer();
  const start = w.beginMessage(request.type, NLM_F_REQUEST | (request.flags ?? 0), 1);
  request.writePayload(w);
  w.endMessage(start);
  return w.take();
}

function asMessage(type: number, payload: Buffer): NetlinkMessage {
  return { type, flags: 0, seq: 1, portId: 0, payload };
}

describe('struct', () => {
  test('size counts padding; values are written in order, padding as zeros', () => {
    expect(header.size).toBe(12);
    const w = new Writer();
    header.write(w, { family: 10, kind: 0x0102, index: 7, port: 80 });
    expect(w.take()).toEqual(hex`0a 00 0201 07000000 0050 0000`);
  });

  test('read skips padding and checks the size', () => {
    expect(header.read(hex`ff 0a 0201 07000000 0050 ffff`, 0)).toEqual({
      family: 0xff,
      kind: 0x0102,
      index: 7,
      port: 80,
    });
    expect(() => header.read(hex`0a000102`, 0)).toThrow(new NetlinkDecodeError('HDR', 'expected 12 bytes, got 4'));
  });

  test('a request is the struct, then the attributes; a message decodes back', () => {
    const request = structRequest({
      type: 20,
      flags: 0x600,
      label: { family: 'TEST', command: 'NEW' },
      header,
      headerValues: { family: 2, kind: 1, index: 3, port: 443 },
      attributes,
      values: { name: 'eth0' },
    });
    const bytes = framed(request);
    expect(bytes).toEqual(hex`
      28000000 1400 0106 01000000 00000000   # nlmsghdr len 40, type 20, REQUEST|0x600
      02 00 0100 03000000 01bb 0000          # the struct
      0900 0300 65746830 00 000000           # name "eth0\\0"
    `);
    expect(decodeStructMessage(asMessage(20, bytes.subarray(16)), header, attributes)).toEqual({
      header: { family: 2, kind: 1, index: 3, port: 443 },
      attributes: { name: 'eth0' },
    });
  });

  test('a payload shorter than the struct is a NetlinkDecodeError', () => {
    expect(() => decodeStructMessage(asMessage(20, hex`0200`), header, attributes)).toThrow(
      new NetlinkDecodeError('HDR', 'expected 12 bytes, got 2'),
    );
  });

  test('a range of a shared buffer decodes alone: a range shorter than the struct fails though the buffer goes on', () => {
    const payload = hex`02 00 0100 03000000 01bb 0000  0900 0300 65746830 00 000000`;
    const shared = Buffer.concat([hex`ffffffff`, payload, hex`ffffffffffffffff`]);
    expect(decodeStructAt(shared, 4, 4 + payload.length, header, attributes)).toEqual(
      decodeStructMessage(asMessage(20, payload), header, attributes),
    );
    expect(() => decodeStructAt(shared, 4, 6, header, attributes)).toThrow(
      new NetlinkDecodeError('HDR', 'expected 12 bytes, got 2'),
    );
  });

  test('random payloads only ever yield NetlinkDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeStructMessage(asMessage(20, Buffer.from(bytes)), header, attributes);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('nfnetlink', () => {
  test('nlmsg_type is subsystem << 8 | command; nfgenmsg is family, version 0, resource id 0', () => {
    const request = nfnetlinkRequest({
      subsystem: NFNL_SUBSYS_IPSET,
      command: 7,
      label: { family: 'ipset', command: 'LIST' },
      family: 2,
      attributes,
      values: { name: 's' },
    });
    expect(request.type).toBe(0x0607);
    expect(framed(request)).toEqual(hex`
      1c000000 0706 0100 01000000 00000000   # len 28, type 0x607
      02 00 0000                             # nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
      0600 0300 7300 0000                    # name "s"
    `);
  });

  test('decoding names the subsystem, the command and the family', () => {
    const decoded = decodeNfnetlink(asMessage(0x0601, hex`0a 00 0000 0600 0300 7800 0000`), attributes);
    expect(decoded).toEqual({ subsystem: 6, command: 1, family: 10, attributes: { name: 'x' } });
    expect(() => decodeNfnetlink(asMessage(0x0601, hex`0a00`), attributes)).toThrow(
      new NetlinkDecodeError('nfgenmsg', 'expected 4 bytes, got 2'),
    );
  });
});
