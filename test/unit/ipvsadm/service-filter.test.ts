import { describe, expect, test } from '@jest/globals';
import { InvalidAddressError } from '../../../src/net/ip-address.js';
import { filterAddress, filterServices, type ServiceFilter } from '../../../src/ipvsadm/service-filter.js';
import { fwmark, live, sctp, tcp, udp } from './table.js';

const TABLE = [
  live({ key: tcp('10.0.0.1', 80) }),
  live({ key: udp('10.0.0.1', 53) }),
  live({ key: tcp('10.0.0.2', 80) }),
  live({ key: sctp('2001:db8::1', 80) }),
  live({ key: fwmark(7) }),
  live({ key: fwmark(7, 'inet6') }),
];

describe('filterServices', () => {
  test.each<[string, ServiceFilter, string[]]>([
    [
      'no filter: everything',
      {},
      ['tcp 10.0.0.1:80', 'udp 10.0.0.1:53', 'tcp 10.0.0.2:80', 'sctp 2001:db8::1:80', 'fwmark 7', 'fwmark 7'],
    ],
    ['an address', { address: filterAddress('10.0.0.1') }, ['tcp 10.0.0.1:80', 'udp 10.0.0.1:53']],
    ['an IPv6 address however written', { address: filterAddress('[2001:DB8:0::1]') }, ['sctp 2001:db8::1:80']],
    ['a port', { port: 80 }, ['tcp 10.0.0.1:80', 'tcp 10.0.0.2:80', 'sctp 2001:db8::1:80']],
    ['a protocol', { protocol: 'udp' }, ['udp 10.0.0.1:53']],
    ['all three', { address: filterAddress('10.0.0.1'), port: 80, protocol: 'tcp' }, ['tcp 10.0.0.1:80']],
    ['criteria that exclude each other', { address: filterAddress('10.0.0.2'), protocol: 'udp' }, []],
    ['a fwmark: both families', { fwmark: 7 }, ['fwmark 7', 'fwmark 7']],
    ['a fwmark and a port: nothing', { fwmark: 7, port: 80 }, []],
  ])('%s', (_, filter, expected) => {
    const names = filterServices(TABLE, filter).map(({ service: { key } }) =>
      'fwmark' in key ? `fwmark ${key.fwmark}` : `${key.protocol} ${key.address}:${key.port}`,
    );
    expect(names).toEqual(expected);
  });
});

test('filterAddress refuses what is not an address', () => {
  expect(() => filterAddress('10.0.0')).toThrow(InvalidAddressError);
  expect(() => filterAddress('example.com')).toThrow(InvalidAddressError);
});
