// Addresses and ports as ipvsadm 1.31 reads them; the expected values are what ipvsadm -R made
// of the same text (checked in User-Mode Linux with ipvsadm -Sn afterwards).
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { cDecimal, parseEndpoint } from '../../../src/ipvsadm/endpoint.js';
import { dottedQuad, inetAton, inetNtoa } from '../../../src/ipvsadm/inet-aton.js';

describe('inetAton', () => {
  test.each([
    ['1.2.3.4', '1.2.3.4'],
    ['1.2', '1.0.0.2'],
    ['1.2.65535', '1.2.255.255'],
    ['1.16777215', '1.255.255.255'],
    ['16909060', '1.2.3.4'],
    ['0x01020305', '1.2.3.5'],
    ['010.1.1.1', '8.1.1.1'],
    ['0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
  ])('reads %s as %s', (text, dotted) => {
    const value = inetAton(text);
    expect(value === undefined ? undefined : inetNtoa(value)).toBe(dotted);
  });

  test.each([
    '',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.256',
    '1.2.65536',
    '1.16777216',
    '4294967296',
    '08.1.1.1',
    '0x',
    '0x.1',
    '1..2',
    '1.2.3.',
    '+1.2.3.4',
    ' 1.2.3.4',
    'a.b.c.d',
    'host',
  ])('refuses %j', (text) => {
    expect(inetAton(text)).toBeUndefined();
  });

  test('reads back every dotted quad it prints', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => expect(inetAton(inetNtoa(n))).toBe(n)));
  });
});

describe('dottedQuad, the fast path for text already in inet_ntoa form', () => {
  test('reads every dotted quad inet_ntoa prints', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => expect(dottedQuad(inetNtoa(n))).toBe(n)));
  });

  test.each([
    '1.2',
    '16909060',
    '010.1.1.1',
    '1.02.3.4',
    '0x1.2.3.4',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.1000',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '',
  ])('leaves %j to inet_aton', (text) => {
    expect(dottedQuad(text)).toBeUndefined();
  });

  test('never disagrees with inet_aton: it reads a quad as inet_aton does, or not at all', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('0', '00', '07', '0x1', ''));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.join('.');
        const quad = dottedQuad(text);
        if (quad !== undefined) expect(quad).toBe(inetAton(text));
        expect(quad === undefined || inetNtoa(quad) === text).toBe(true);
      }),
    );
  });
});

describe('cDecimal reads a whole word as strtol(…, 10) would, within bounds', () => {
  test.each([
    ['80', 80],
    ['+80', 80],
    ['080', 80],
    ['-0', 0],
    ['65535', 65535],
  ])('%s is %s', (text, value) => expect(cDecimal(text, 0, 65535)).toBe(value));

  test.each(['', '65536', '-1', '0x10', '8O', ' 80', '1e3', '99999999999999999999'])('%j is refused', (text) => {
    expect(cDecimal(text, 0, 65535)).toBeUndefined();
  });
});

describe('parseEndpoint', () => {
  test.each([
    ['10.0.0.1:80', { family: 'inet', address: '10.0.0.1', port: 80 }],
    ['10.0.0.1', { family: 'inet', address: '10.0.0.1' }],
    ['1.2', { family: 'inet', address: '1.0.0.2' }],
    ['16909060:80', { family: 'inet', address: '1.2.3.4', port: 80 }],
    ['1.2.3.4:+81', { family: 'inet', address: '1.2.3.4', port: 81 }],
    ['1.2.3.4:0081', { family: 'inet', address: '1.2.3.4', port: 81 }],
    ['1.2.3.4:-0', { family: 'inet', address: '1.2.3.4', port: 0 }],
    ['[2001:db8::1]:443', { family: 'inet6', address: '2001:db8::1', port: 443 }],
    ['[2001:DB8:0:0:0:0:0:1]:80', { family: 'inet6', address: '2001:db8::1', port: 80 }],
    ['[::1.2.3.4]:80', { family: 'inet6', address: '::1.2.3.4', port: 80 }],
    // Without brackets, text that is an IPv6 address as a whole has no port.
    ['2001:db8::7', { family: 'inet6', address: '2001:db8::7' }],
    ['2001:db8::1:80', { family: 'inet6', address: '2001:db8::1:80' }],
    // ipvsadm drops the port of a bracketed IPv4 address.
    ['[1.2.3.9]:80', { family: 'inet', address: '1.2.3.9' }],
  ])('reads %s', (text, endpoint) => {
    expect(parseEndpoint(text)).toEqual({ ok: true, endpoint });
  });

  test.each([
    ['16909060', 'all digits'],
    ['', 'empty'],
    ['[2001:db8::5]', 'brackets without a port'],
    ['[2001:db8::5]80', 'brackets without a colon'],
    ['[2001:db8::5', 'no closing bracket'],
    ['1.1.1.1:65536', 'port too large'],
    ['1.1.1.1:-1', 'negative port'],
    ['1.1.1.3:', 'empty port'],
    ['1.2.3.4:0x10', 'hex port'],
    ['1.1.1.1:http', 'a service name'],
    ['web1:80', 'a host name'],
    ['[fe80::1%eth0]:80', 'a zone'],
  ])('refuses %j (%s)', (text) => {
    const result = parseEndpoint(text);
    expect(result.ok).toBe(false);
  });

  test('says that names are not resolved', () => {
    expect(parseEndpoint('web1:80')).toEqual({
      ok: false,
      reason: expect.stringContaining('host names are not resolved'),
    });
    expect(parseEndpoint('1.1.1.1:http')).toEqual({
      ok: false,
      reason: expect.stringContaining('service names are not resolved'),
    });
  });
});
