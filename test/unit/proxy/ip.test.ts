import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  cidrContains,
  compareIps,
  compareIpTexts,
  ipBytes,
  isLinkLocalUnicast,
  isLoopback,
  isSpecialAddress,
  loopbackAddress,
  parseCidr,
  parseIp,
} from '../../../src/proxy/ip.js';

describe('parseIp', () => {
  it.each([
    ['10.0.0.1', 'IPv4', '10.0.0.1'],
    // Leading zeros are decimal, as k8s.io/utils/net ParseIPSloppy reads them.
    ['010.001.000.009', 'IPv4', '10.1.0.9'],
    ['2001:DB8:0:0:0:0:0:1', 'IPv6', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', 'IPv6', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:0:0:0:1', 'IPv6', '2001:db8:0:1::1'],
    ['::', 'IPv6', '::'],
    ['::1', 'IPv6', '::1'],
    ['fe80::', 'IPv6', 'fe80::'],
    ['1:2:3:4:5:6:7::', 'IPv6', '1:2:3:4:5:6:7:0'],
    ['2001:db8::10.1.2.3', 'IPv6', '2001:db8::a01:203'],
    // IPv4-compatible addresses print as inet_ntop prints them, as the kernel side will.
    ['::10.1.2.3', 'IPv6', '::10.1.2.3'],
    // A single zero group is not compressed (RFC 5952, Go and glibc agree).
    ['1:0:2:3:4:5:6:7', 'IPv6', '1:0:2:3:4:5:6:7'],
    // IPv4-mapped addresses are IPv4 addresses, as Go's To4() makes them.
    ['::ffff:10.0.0.1', 'IPv4', '10.0.0.1'],
  ])('%s is %s %s', (text, family, canonical) => {
    const ip = parseIp(text);
    expect(ip?.family).toBe(family);
    expect(ip?.text).toBe(canonical);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '1.2.3.4.5',
    '10.0.0.1 ',
    'a.b.c.d',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    ':1::',
    'fe80::1%eth0',
    '1.2.3.4::',
    '::1.2.3',
  ])('%j is not an address', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('clears host bits and prints the network', () => {
    expect(parseCidr('10.244.1.7/16')?.text).toBe('10.244.0.0/16');
    expect(parseCidr('2001:db8::1/64')?.text).toBe('2001:db8::/64');
    expect(parseCidr('0.0.0.0/0')?.prefixLength).toBe(0);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '::ffff:10.0.0.0/104', 'x/8'])(
    '%j is not a CIDR',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it('contains the addresses of its family inside it only', () => {
    const cidr = parseCidr('10.1.0.0/23');
    const ip = (t: string) => parseIp(t) ?? loopbackAddress('IPv4');
    expect(cidr && cidrContains(cidr, ip('10.1.1.255'))).toBe(true);
    expect(cidr && cidrContains(cidr, ip('10.1.2.0'))).toBe(false);
    const v6 = parseCidr('::/0');
    expect(v6 && cidrContains(v6, ip('10.1.1.1'))).toBe(false);
  });
});

describe('address classes', () => {
  it('knows loopback and link-local addresses', () => {
    const check = (t: string) => {
      const ip = parseIp(t);
      return ip ? [isLoopback(ip), isLinkLocalUnicast(ip)] : undefined;
    };
    expect(check('127.3.0.1')).toEqual([true, false]);
    expect(check('::1')).toEqual([true, false]);
    expect(check('169.254.1.1')).toEqual([false, true]);
    expect(check('fe80::1')).toEqual([false, true]);
    expect(check('febf::1')).toEqual([false, true]);
    expect(check('fec0::1')).toEqual([false, false]);
    expect(loopbackAddress('IPv6').text).toBe('::1');
  });

  it.each([
    ['0.0.0.0', true],
    ['::', true],
    ['127.0.0.1', true],
    ['169.254.10.1', true],
    ['224.0.0.251', true],
    ['239.255.255.255', true],
    ['ff02::1', true],
    ['fe80::1', true],
    ['10.0.0.1', false],
    ['240.0.0.1', false],
    ['2001:db8::1', false],
  ])('%s is special: %s', (text, special) => {
    const ip = parseIp(text);
    expect(ip && isSpecialAddress(ip)).toBe(special);
  });

  it('orders IPv4 before IPv6, numerically', () => {
    const sorted = ['10.0.0.10', '::1', '10.0.0.9', '9.255.255.255', '2001:db8::']
      .map((t) => parseIp(t) ?? loopbackAddress('IPv4'))
      .sort(compareIps);
    expect(sorted.map((ip) => ip.text)).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', '2001:db8::']);
  });

  it('orders text that is no address after every address, by its text', () => {
    expect(['b', '::1', 'a', '010.0.0.1', '9.0.0.1'].sort(compareIpTexts)).toEqual([
      '9.0.0.1',
      '010.0.0.1',
      '::1',
      'a',
      'b',
    ]);
  });

  // compareIps reads canonical IPv4 text as a number and parses everything else: the same
  // order as comparing the bytes (IPv4's 4 before IPv6's 16, then byte by byte), for any pair.
  it('orders any two addresses as their bytes, sloppy text included', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const v4 = fc
      .tuple(octet, octet, octet, octet, fc.boolean())
      .map(([a, b, c, d, sloppy]) => (sloppy ? `${String(a).padStart(3, '0')}.${b}.${c}.${d}` : `${a}.${b}.${c}.${d}`));
    const v6 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((g) => g.map((x) => x.toString(16)).join(':'));
    const byBytes = (a: Uint8Array, b: Uint8Array): number => {
      if (a.length !== b.length) return a.length - b.length;
      const i = a.findIndex((x, k) => x !== b[k]);
      return i < 0 ? 0 : (a[i] ?? 0) - (b[i] ?? 0);
    };
    fc.assert(
      fc.property(fc.oneof(v4, v6), fc.oneof(v4, v6), (a, b) => {
        const ia = parseIp(a);
        const ib = parseIp(b);
        if (!ia || !ib) throw new Error(`generated a non-address: ${a} ${b}`);
        expect(Math.sign(compareIps(ia, ib))).toBe(Math.sign(byBytes(ipBytes(ia), ipBytes(ib))));
        expect(Math.sign(compareIpTexts(a, b))).toBe(Math.sign(byBytes(ipBytes(ia), ipBytes(ib))));
      }),
    );
  });

  it('keeps canonical IPv4 text as given and rewrites sloppy text', () => {
    const given = ['10.', '1.2.3'].join('');
    expect(parseIp(given)?.text).toBe('10.1.2.3');
    expect(parseIp('10.01.2.3')?.text).toBe('10.1.2.3');
    expect(Array.from(ipBytes({ family: 'IPv4', text: '10.1.2.3' }))).toEqual([10, 1, 2, 3]);
    expect(() => ipBytes({ family: 'IPv4', text: 'nonsense' })).toThrow(TypeError);
  });

  it('finds every special IPv4 address by its octets', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.constantFrom(0, 10, 127, 169, 224, 239, 240, 255), octet, octet, octet, (a, b, c, d) => {
        const ip = parseIp(`${a}.${b}.${c}.${d}`);
        const special =
          (a === 0 && b === 0 && c === 0 && d === 0) || a === 127 || (a === 169 && b === 254) || (a >= 224 && a < 240);
        expect(ip && isSpecialAddress(ip)).toBe(special);
      }),
    );
  });
});
