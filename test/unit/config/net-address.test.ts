import { describe, expect, it } from '@jest/globals';
import { isCidr, isIp, isValidPort, parseCidr, parseIp, splitHostPort } from '../../../src/config/net-address.js';
import { joinHostPort } from '../../../src/net/host-port.js';

describe('parseIp (ParseIPSloppy)', () => {
  it.each([
    '0.0.0.0',
    '10.0.0.1',
    '255.255.255.255',
    '010.001.0.1',
    '::',
    '::1',
    'fd00::1',
    '2001:db8::8a2e:370:7334',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::ffff:1.2.3.4',
    '1:2:3:4:5:6:1.2.3.4',
    'FE80::A',
  ])('accepts %s', (ip) => {
    expect(isIp(ip)).toBe(true);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.-1',
    '1.2.3.4 ',
    'a.b.c.d',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    'fe80::1%eth0',
    '12345::1',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '[::1]',
    'localhost',
  ])('refuses %p', (ip) => {
    expect(isIp(ip)).toBe(false);
  });

  it('knows families and IPv4-mapped addresses', () => {
    expect(parseIp('10.1.2.3')).toMatchObject({ family: 4, isIPv4Like: true });
    expect(parseIp('::ffff:10.1.2.3')).toMatchObject({ family: 6, isIPv4Like: true });
    expect(parseIp('fd00::1')).toMatchObject({ family: 6, isIPv4Like: false });
    expect(Array.from(parseIp('1::2')?.bytes ?? [])).toEqual([0, 1, ...new Array<number>(12).fill(0), 0, 2]);
  });
});

describe('parseCidr (ParseCIDRSloppy)', () => {
  it.each(['10.0.0.0/8', '10.0.0.1/8', '0.0.0.0/0', '1.2.3.4/32', '::/0', 'fd00:10:244::/56', '::1/128'])(
    'accepts %s',
    (c) => {
      expect(isCidr(c)).toBe(true);
    },
  );
  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/8/8',
    'fd00::/x',
    '10.0.0.0/ 8',
  ])('refuses %p', (c) => {
    expect(isCidr(c)).toBe(false);
  });
  it('keeps the prefix length and family', () => {
    expect(parseCidr('fd00::/64')).toMatchObject({ prefixLength: 64, family: 6 });
  });
});

describe('splitHostPort and friends (net.SplitHostPort)', () => {
  it.each([
    ['1.2.3.4:80', '1.2.3.4', '80'],
    ['[::1]:10256', '::1', '10256'],
    [':80', '', '80'],
    ['host:', 'host', ''],
  ])('splits %s', (text, host, port) => {
    expect(splitHostPort(text)).toEqual({ ok: true, host, port });
  });
  it.each(['1.2.3.4', '::1:80', '[::1]', '[::1]x:80', '[::1:80', 'a]:80'])('refuses %p', (text) => {
    expect(splitHostPort(text).ok).toBe(false);
  });
  it('joins, bracketing IPv6', () => {
    expect(joinHostPort('::', 10256)).toBe('[::]:10256');
    expect(joinHostPort('0.0.0.0', 10256)).toBe('0.0.0.0:10256');
  });
  it('checks ports', () => {
    expect(isValidPort('1')).toBe(true);
    expect(isValidPort('65535')).toBe(true);
    expect(isValidPort('0')).toBe(false);
    expect(isValidPort('65536')).toBe(false);
    expect(isValidPort('http')).toBe(false);
  });
});
