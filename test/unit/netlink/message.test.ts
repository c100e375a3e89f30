// Datagrams into messages, NLMSG_ERROR payloads (ACKs, errors, extended ACK),
// and genlmsghdr: include/uapi/linux/netlink.h and genetlink.h layouts.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NetlinkDecodeError,
  parseErrorReply,
  parseGenericHeader,
  parseMessages,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { hex } from './hex.js';

describe('parseMessages', () => {
  test('several messages in one datagram, each padded to 4 bytes', () => {
    const messages = parseMessages(hex`
      15000000 1c00 0200 07000000 39300000   # len 21 (not aligned), type 28, MULTI, seq 7, pid 12345
      0f 01 0000 aa 000000                   # 5 payload bytes, 3 pad
      14000000 0300 0200 07000000 39300000   # NLMSG_DONE
      00000000                               # its status: 0
    `);
    expect(messages).toEqual([
      { type: 28, flags: 2, seq: 7, portId: 12345, payload: hex`0f010000aa` },
      { type: 3, flags: 2, seq: 7, portId: 12345, payload: hex`00000000` },
    ]);
  });

  test.each([
    ['a header cut short', hex`10000000 0200 0000`, '8 trailing bytes, too short for a header'],
    [
      'a length below the header size',
      hex`0f000000 0200 0000 01000000 00000000`,
      'message length 15 at offset 0 of a 16-byte datagram',
    ],
    [
      'a length past the datagram',
      hex`20000000 0200 0000 01000000 00000000`,
      'message length 32 at offset 0 of a 16-byte datagram',
    ],
  ])('%s is a NetlinkDecodeError', (_name, datagram, reason) => {
    expect(() => parseMessages(datagram)).toThrow(new NetlinkDecodeError('nlmsghdr', reason));
  });
});

function message(flags: number, payload: Buffer): NetlinkMessage {
  return { type: 2, flags, seq: 1, portId: 0, payload };
}

describe('parseErrorReply', () => {
  test('an ACK: error 0', () => {
    expect(parseErrorReply(message(0x100, hex`00000000 14000000 1000 0500 01000000 00000000`))).toEqual({ errno: 0 });
  });

  test('an error without extended ACK: the errno, positive', () => {
    expect(parseErrorReply(message(0x100, hex`efffffff 14000000 1000 0500 01000000 00000000`))).toEqual({ errno: 17 });
  });

  test('a capped error with extended ACK: the kernel text and the offset of the bad attribute', () => {
    const reply = parseErrorReply(
      message(
        0x300, // NLM_F_CAPPED | NLM_F_ACK_TLVS
        hex`
          eaffffff                           # -EINVAL
          1c000000 1000 0500 01000000 00000000   # the request's header only (capped); its len says 28
          0800 0100 62616400                 # NLMSGERR_ATTR_MSG "bad\\0"
          0800 0200 14000000                 # NLMSGERR_ATTR_OFFS 20
        `,
      ),
    );
    expect(reply.errno).toBe(22);
    expect(reply.offset).toBe(20);
    expect(reply.message).toBe('bad');
  });

  test('an uncapped error echoes the whole request before the TLVs', () => {
    const reply = parseErrorReply(
      message(
        0x200, // NLM_F_ACK_TLVS only: the request comes back in full
        hex`
          feffffff                               # -ENOENT
          18000000 1000 0500 01000000 00000000   # echoed request, 24 bytes
          03 01 0000 04000000                    #   ... its payload
          0800 0100 6e6f00 00                    # NLMSGERR_ATTR_MSG "no"
        `,
      ),
    );
    expect(reply).toEqual({
      errno: 2,
      message: 'no',
      echo: hex`18000000 1000 0500 01000000 00000000 03010000 04000000`,
    });
  });

  test('an uncapped error without extended ACK: the errno and the whole request, as echoed', () => {
    // ipset writes the line number of a failed entry into the echo (ip_set_core.c call_ad).
    const reply = parseErrorReply(
      message(
        0, // neither capped nor with TLVs
        hex`
          f9efffff                               # -4103 (IPSET_ERR_EXIST)
          1c000000 0906 0500 01000000 00000000   # echoed request, 28 bytes
          02 00 0000 0800 0900 03000000          #   ... nfgenmsg, then a u32 attribute 3
        `,
      ),
    );
    expect(reply).toEqual({ errno: 4103, echo: hex`1c000000 0906 0500 01000000 00000000 02000000 08000900 03000000` });
  });

  test('an uncapped ACK whose echo says more than it holds (kernels before 4.12): no echo', () => {
    expect(parseErrorReply(message(0, hex`00000000 40000000 1000 0500 01000000 00000000`))).toEqual({ errno: 0 });
  });

  test.each([
    ['shorter than struct nlmsgerr', message(0, hex`efffffff 1000`), 'expected at least 20 bytes, got 6'],
    [
      'an echoed request longer than the reply',
      message(0x200, hex`efffffff 40000000 1000 0500 01000000 00000000`),
      'extended ACK starts past the message end',
    ],
  ])('%s is a NetlinkDecodeError', (_name, msg, reason) => {
    expect(() => parseErrorReply(msg)).toThrow(new NetlinkDecodeError('nlmsgerr', reason));
  });
});

describe('parseGenericHeader', () => {
  test('command, version, then the attributes', () => {
    expect(parseGenericHeader(message(0, hex`04 01 0000 0400 0100`))).toEqual({
      command: 4,
      version: 1,
      attributes: hex`04000100`,
    });
  });

  test('a payload shorter than genlmsghdr is a NetlinkDecodeError', () => {
    expect(() => parseGenericHeader(message(0, hex`0401`))).toThrow(
      new NetlinkDecodeError('genlmsghdr', 'expected 4 bytes, got 2'),
    );
  });
});

describe('properties', () => {
  test('random datagrams, and random error payloads, only ever yield NetlinkDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffff }), (bytes, flags) => {
        const buffer = Buffer.from(bytes);
        for (const parse of [
          () => parseMessages(buffer),
          () => parseErrorReply(message(flags, buffer)),
          () => parseGenericHeader(message(flags, buffer)),
        ]) {
          try {
            parse();
          } catch (err) {
            expect(err).toBeInstanceOf(NetlinkDecodeError);
          }
        }
      }),
      { numRuns: 20000 },
    );
  });

  test('any cut of a valid datagram parses whole messages or fails with NetlinkDecodeError', () => {
    const datagram = hex`
      15000000 1c00 0200 07000000 39300000 0f010000aa000000
      14000000 0300 0200 07000000 39300000 00000000
    `;
    // Whole messages end at 21 (its padding may be missing at the end of a datagram) and 44.
    const whole = new Map([
      [0, 0],
      [21, 1],
      [22, 1],
      [23, 1],
      [24, 1],
      [44, 2],
    ]);
    for (let length = 0; length <= datagram.length; length++) {
      const cut = datagram.subarray(0, length);
      const count = whole.get(length);
      if (count === undefined) expect(() => parseMessages(cut)).toThrow(NetlinkDecodeError);
      else expect(parseMessages(cut)).toHaveLength(count);
    }
  });
});
