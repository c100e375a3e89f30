import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import {
  InvalidAddressError,
  decodeInetAddress,
  encodeInetAddress,
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from '../../../src/net/ip-address.js';

/** Eight 16-bit groups written out in full, so the expected text below is checked by eye. */
function words(...groups: number[]): Buffer {
  const b = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) b.writeUInt16BE(g, 2 * i);
  return b;
}

describe('formatIPv6 writes what glibc inet_ntop writes', () => {
  // Expected strings were checked against glibc's inet_ntop (Python's socket.inet_ntop on Debian).
  test.each([
    ['all zero', words(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    ['loopback', words(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    ['a trailing run', words(1, 0, 0, 0, 0, 0, 0, 0), '1::'],
    ['a run of 7 ending in 2 is not IPv4-compatible', words(0, 0, 0, 0, 0, 0, 0, 2), '::2'],
    ['IPv4-mapped', words(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304), '::ffff:1.2.3.4'],
    ['IPv4-mapped zero address', words(0, 0, 0, 0, 0, 0xffff, 0, 0), '::ffff:0.0.0.0'],
    ['IPv4-compatible', words(0, 0, 0, 0, 0, 0, 0x0102, 0x0304), '::1.2.3.4'],
    ['IPv4-compatible with a zero last group', words(0, 0, 0, 0, 0, 0, 1, 0), '::0.1.0.0'],
    ['the sixth group is not ffff: plain hex', words(0, 0, 0, 0, 0, 0xfffe, 0x0102, 0x0304), '::fffe:102:304'],
    ['five zeros then 1: plain hex', words(0, 0, 0, 0, 0, 1, 2, 3), '::1:2:3'],
    ['longest run wins', words(1, 0, 0, 2, 0, 0, 0, 3), '1:0:0:2::3'],
    ['first run wins a tie', words(1, 0, 0, 2, 0, 0, 3, 4), '1::2:0:0:3:4'],
    ['a single zero group is not compressed', words(1, 0, 2, 3, 4, 5, 6, 7), '1:0:2:3:4:5:6:7'],
    ['a single trailing zero is not compressed', words(1, 2, 3, 4, 5, 6, 7, 0), '1:2:3:4:5:6:7:0'],
    ['a single leading zero is not compressed', words(0, 2, 3, 4, 5, 6, 7, 8), '0:2:3:4:5:6:7:8'],
    ['the later, longer run wins', words(0, 0, 1, 0, 0, 0, 0, 0), '0:0:1::'],
    [
      'run in the middle, lowercase, no leading zeros',
      words(0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329),
      '2001:db8::ff00:42:8329',
    ],
    ['no zeros', words(1, 2, 3, 4, 5, 6, 7, 8), '1:2:3:4:5:6:7:8'],
    ['the seventh group ffff is not IPv4-mapped', words(0, 0, 0, 0, 0, 0, 0xffff, 1), '::255.255.0.1'],
  ])('%s', (_name, bytes, text) => {
    expect(formatIPv6(bytes)).toBe(text);
  });
});

describe('parseIPv6 accepts what inet_pton accepts', () => {
  test.each([
    ['::', words(0, 0, 0, 0, 0, 0, 0, 0)],
    ['1:2:3:4:5:6:7::', words(1, 2, 3, 4, 5, 6, 7, 0)],
    ['::2:3:4:5:6:7:8', words(0, 2, 3, 4, 5, 6, 7, 8)],
    ['FE80::A', words(0xfe80, 0, 0, 0, 0, 0, 0, 0xa)],
    ['0001:02:003:0004::', words(1, 2, 3, 4, 0, 0, 0, 0)],
    ['::ffff:10.0.0.1', words(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001)],
    ['1:2:3:4:5:6:1.2.3.4', words(1, 2, 3, 4, 5, 6, 0x0102, 0x0304)],
    ['1::1.2.3.4', words(1, 0, 0, 0, 0, 0, 0x0102, 0x0304)],
  ])('%s', (text, bytes) => {
    expect(parseIPv6(text)).toEqual(bytes);
  });

  test.each([
    '',
    ':',
    ':::',
    '1:2',
    ':1::',
    '1::2:',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '12345::',
    'g::',
    '1.2.3.4',
    '1.2.3.4::',
    '::1.2.3.4:1',
    '::1.2.3',
    '::1.2.3.04',
    '::256.0.0.1',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:6::1.2.3.4',
    'fe80::1%eth0',
    ' ::1',
  ])('rejects %j', (text) => {
    expect(() => parseIPv6(text)).toThrow(InvalidAddressError);
  });

  test('the error names the input and the family', () => {
    const err = captureError(() => parseIPv6('1::2::3'));
    expect(err).toMatchObject({ input: '1::2::3', family: 'inet6' });
    expect(err.message).toBe(`invalid IPv6 address '1::2::3': "::" may appear only once`);
  });
});

describe('IPv4', () => {
  test.each([
    ['0.0.0.0', [0, 0, 0, 0]],
    ['10.0.0.1', [10, 0, 0, 1]],
    ['255.255.255.255', [255, 255, 255, 255]],
  ])('parses %s', (text, bytes) => {
    expect([...parseIPv4(text)]).toEqual(bytes);
  });

  test.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    '1.2.3.4 ',
    '0x1.2.3.4',
    '1..3.4',
    '1.2.3.4/32',
  ])('rejects %j', (text) => {
    const err = captureError(() => parseIPv4(text));
    expect(err).toBeInstanceOf(InvalidAddressError);
    expect(err).toMatchObject({ input: text, family: 'inet' });
  });
});

describe('union nf_inet_addr', () => {
  test('an IPv4 address fills the first 4 of 16 bytes', () => {
    expect(encodeInetAddress('inet', '192.168.1.2').toString('hex')).toBe(`c0a80102${'00'.repeat(12)}`);
  });

  test('an IPv6 address fills all 16 bytes in network order', () => {
    expect(encodeInetAddress('inet6', '2001:db8::1').toString('hex')).toBe('20010db8000000000000000000000001');
  });

  test('decoding reads only the bytes of the family', () => {
    const raw = Buffer.from(`0a000001${'ff'.repeat(12)}`, 'hex');
    expect(decodeInetAddress('inet', raw)).toBe('10.0.0.1');
    expect(decodeInetAddress('inet6', raw)).toBe('a00:1:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  test('too few bytes decode to undefined, for the caller to name the attribute', () => {
    expect(decodeInetAddress('inet', Buffer.alloc(3))).toBeUndefined();
    expect(decodeInetAddress('inet6', Buffer.alloc(4))).toBeUndefined();
  });

  test('the wrong family is an error, not a silent conversion', () => {
    expect(() => encodeInetAddress('inet', '::1')).toThrow(InvalidAddressError);
    expect(() => encodeInetAddress('inet6', '10.0.0.1')).toThrow(InvalidAddressError);
  });
});

// Addresses full of zero groups and ffff, where the formatting rules branch.
const interestingWord = fc.oneof(
  fc.constant(0),
  fc.constant(0),
  fc.constant(0xffff),
  fc.integer({ min: 0, max: 0xffff }),
);
const ipv6Bytes = fc.array(interestingWord, { minLength: 8, maxLength: 8 }).map((groups) => words(...groups));

describe('properties', () => {
  test('format then parse gives back the 16 bytes, and Node agrees the text is IPv6', () => {
    fc.assert(
      fc.property(ipv6Bytes, (bytes) => {
        const text = formatIPv6(bytes);
        expect(isIPv6(text)).toBe(true);
        expect(parseIPv6(text)).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  test('any text fast-check considers IPv6 parses, and formats to a fixed point', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const bytes = parseIPv6(text);
        const canonical = formatIPv6(bytes);
        expect(parseIPv6(canonical)).toEqual(bytes);
        expect(formatIPv6(parseIPv6(canonical))).toBe(canonical);
      }),
      { numRuns: 5000 },
    );
  });

  test('we accept exactly the IPv6 text Node accepts', () => {
    const group = fc.stringMatching(/^[0-9a-fA-F]{0,5}$/);
    const dotted = fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 }).map((n) => n.join('.'));
    const candidate = fc
      .array(fc.oneof(group, group, fc.constant(''), dotted), { maxLength: 10 })
      .map((parts) => parts.join(':'));
    fc.assert(
      fc.property(candidate, (text) => {
        let ours: boolean;
        try {
          parseIPv6(text);
          ours = true;
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidAddressError);
          ours = false;
        }
        expect(ours).toBe(isIPv6(text));
      }),
      { numRuns: 20000 },
    );
  });

  test('IPv4 format and parse round-trip, and Node agrees', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const text = formatIPv4(bytes);
        expect(isIPv4(text)).toBe(true);
        expect([...parseIPv4(text)]).toEqual([...bytes]);
      }),
    );
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected a throw');
}
