import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { AddressFamily } from '../../../src/net/ip-address.js';
import { isFwmarkKey, type LiveService, type Protocol } from '../../../src/ipvs/types.js';
import { addressWords, glibcMergeSort, inIpvsadmOrder } from '../../../src/ipvsadm/ipvsadm-order.js';
import { address, serviceKey } from './arbitraries.js';
import { fwmark, live, realServer, sctp, tcp, udp } from './table.js';

const keysOf = (services: readonly LiveService[]) => services.map(({ service }) => service.key);

describe('glibcMergeSort', () => {
  test('sorts like a stable sort when the comparison is a consistent order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.nat())), (pairs) => {
        const byFirst = (a: [number, number], b: [number, number]) => a[0] - b[0];
        expect(glibcMergeSort(pairs, byFirst)).toEqual([...pairs].sort(byFirst));
      }),
    );
  });

  // With ipvsadm's wrapping comparison a=0 < b=0x70000000 < c=0xe0000000 < a: a cycle. glibc's
  // merge sort (first half floor(n/2), merged taking the left element on ties) gives these orders;
  // the same inputs through glibc 2.36's qsort gave the same (checked with a C program).
  const wrapping = (x: number, y: number) => (x - y) | 0;
  test.each([
    [
      [0, 0x70000000, 0xe0000000],
      [0, 0x70000000, 0xe0000000],
    ],
    [
      [0xe0000000, 0x70000000, 0],
      [0xe0000000, 0, 0x70000000],
    ],
    [
      [0x70000000, 0xe0000000, 0],
      [0x70000000, 0xe0000000, 0],
    ],
  ])('follows glibc on a comparison that is not transitive: %j', (input, expected) => {
    expect(glibcMergeSort(input, wrapping)).toEqual(expected);
  });
});

describe('inIpvsadmOrder', () => {
  test('compares addresses as ipvsadm does: wrapped 32-bit differences', () => {
    // Observed with ipvsadm -Ln: 192.168.1.1, 200.0.0.1, then 10.0.0.1 (0x0a000001 - 0xc8000001 wraps positive).
    const sorted = inIpvsadmOrder([
      live({ key: tcp('10.0.0.1', 80) }),
      live({ key: tcp('200.0.0.1', 80) }),
      live({ key: tcp('192.168.1.1', 80) }),
    ]);
    expect(keysOf(sorted)).toEqual([tcp('192.168.1.1', 80), tcp('200.0.0.1', 80), tcp('10.0.0.1', 80)]);
  });

  test('puts fwmark services after address services, except marks above 2^31, which come first', () => {
    // Observed with ipvsadm -Sn: "-f -1" (4294967295) before every address service.
    const sorted = inIpvsadmOrder([
      live({ key: fwmark(1) }),
      live({ key: tcp('10.0.0.1', 80) }),
      live({ key: fwmark(4294967295) }),
    ]);
    expect(keysOf(sorted)).toEqual([fwmark(4294967295), tcp('10.0.0.1', 80), fwmark(1)]);
  });

  test('keeps mark 2^31 and an address service in input order: each compares as less than the other', () => {
    // (0x80000000 - 0) and (0 - 0x80000000) are both INT_MIN as a C int.
    const both = [live({ key: fwmark(2147483648) }), live({ key: tcp('10.0.0.1', 80) })];
    expect(keysOf(inIpvsadmOrder(both))).toEqual(keysOf(both));
    expect(keysOf(inIpvsadmOrder([...both].reverse()))).toEqual(keysOf([...both].reverse()));
  });

  test('orders by family, then protocol, then address, then port', () => {
    const sorted = inIpvsadmOrder([
      live({ key: sctp('10.0.0.1', 80) }),
      live({ key: tcp('2001:db8::1', 80) }),
      live({ key: udp('10.0.0.1', 80) }),
      live({ key: tcp('10.0.0.2', 79) }),
      live({ key: tcp('10.0.0.1', 81) }),
      live({ key: tcp('10.0.0.1', 80) }),
      live({ key: fwmark(5, 'inet6') }),
      live({ key: fwmark(5) }),
    ]);
    expect(keysOf(sorted)).toEqual([
      tcp('10.0.0.1', 80),
      tcp('10.0.0.1', 81),
      tcp('10.0.0.2', 79),
      udp('10.0.0.1', 80),
      sctp('10.0.0.1', 80),
      tcp('2001:db8::1', 80),
      fwmark(5),
      fwmark(5, 'inet6'),
    ]);
  });

  test('compares IPv6 addresses word by word, each wrapping', () => {
    // Observed with ipvsadm -Sn on these services.
    const sorted = inIpvsadmOrder(
      ['2001:db8::1:0:0:1', '2001:db8::1', '2001:0:0:1::1', '1::', '::ffff:1.2.3.4', '::1.2.3.4', '::1'].map((a) =>
        live({ key: tcp(a, 80) }),
      ),
    );
    expect(keysOf(sorted).map((key) => ('address' in key ? key.address : ''))).toEqual([
      '::1',
      '::1.2.3.4',
      '::ffff:1.2.3.4',
      '1::',
      '2001:0:0:1::1',
      '2001:db8::1',
      '2001:db8::1:0:0:1',
    ]);
  });

  test("sorts real servers by address and port, comparing as many words as the first one's family has", () => {
    // Observed: an IPv4 tunnel real server listed before an IPv6 one of the same IPv6 fwmark service.
    const [sorted] = inIpvsadmOrder([
      live(
        { key: fwmark(5, 'inet6') },
        realServer({ address: '2001:db8::1' }),
        realServer({ address: '10.0.0.1', port: 81 }),
        realServer({ address: '10.0.0.1' }),
      ),
    ]);
    expect(sorted?.realServers.map((rs) => `${rs.address}:${rs.port}`)).toEqual([
      '10.0.0.1:80',
      '10.0.0.1:81',
      '2001:db8::1:80',
    ]);
  });
});

test('addressWords lays addresses out as union nf_inet_addr in host order', () => {
  expect(addressWords('inet', '10.0.0.1')).toEqual([0x0a000001, 0, 0, 0]);
  expect(addressWords('inet6', '2001:db8::ff00:42:8329')).toEqual([0x20010db8, 0, 0xff00, 0x00428329]);
});

/**
 * The order as it was computed before the sort read its keys from typed arrays: a key object
 * per entry, compared field by field (libipvs's ipvs_cmp_services and ipvs_cmp_dests). Kept as
 * the reference the faster sort must agree with on any table.
 */
function referenceOrder(services: readonly LiveService[]): LiveService[] {
  interface Key {
    readonly fwmark: number;
    readonly af: number;
    readonly family: AddressFamily;
    readonly protocol: number;
    readonly words: readonly number[];
    readonly port: number;
  }
  const AF = { inet: 2, inet6: 10 };
  const PROTOCOL: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };
  const diff = (a: number, b: number) => (a - b) | 0;
  const addresses = (family: AddressFamily, a: readonly number[], b: readonly number[]) => {
    let r = 0;
    for (let i = 0; r === 0 && i < (family === 'inet6' ? 4 : 1); i++) r = diff(a[i] ?? 0, b[i] ?? 0);
    return r;
  };
  const sortBy = <T>(items: readonly T[], key: (item: T) => Key, cmp: (a: Key, b: Key) => number): T[] =>
    glibcMergeSort(
      items.map((item) => ({ item, key: key(item) })),
      (a, b) => cmp(a.key, b.key),
    ).map((k) => k.item);
  return sortBy(
    services,
    ({ service: { key } }): Key =>
      isFwmarkKey(key)
        ? { fwmark: key.fwmark, af: AF[key.family], family: key.family, protocol: 0, words: [0, 0, 0, 0], port: 0 }
        : {
            fwmark: 0,
            af: AF[key.family],
            family: key.family,
            protocol: PROTOCOL[key.protocol],
            words: addressWords(key.family, key.address),
            port: key.port,
          },
    (a, b) =>
      diff(a.fwmark, b.fwmark) ||
      a.af - b.af ||
      a.protocol - b.protocol ||
      addresses(a.family, a.words, b.words) ||
      a.port - b.port,
  ).map(({ service, realServers }) => ({
    service,
    realServers: sortBy(
      realServers,
      (rs): Key => ({
        fwmark: 0,
        af: AF[rs.family],
        family: rs.family,
        protocol: 0,
        words: addressWords(rs.family, rs.address),
        port: rs.port,
      }),
      (a, b) => addresses(a.family, a.words, b.words) || a.port - b.port,
    ),
  }));
}

describe('inIpvsadmOrder agrees with the key-object sort it replaced', () => {
  // Few addresses and ports, so that ties and wrapped comparisons (cycles) are common.
  const nearby = fc.constantFrom('10.0.0.1', '200.0.0.1', '192.168.1.1', '0.0.0.0', '255.255.255.255', '127.0.0.1');
  const nearby6 = fc.constantFrom('::1', '2001:db8::1', 'ffff::', '::ffff:10.0.0.1', '8000::1');
  const anyAddress = (family: AddressFamily) => fc.oneof(family === 'inet' ? nearby : nearby6, address(family));
  const smallPort = fc.oneof(fc.constantFrom(0, 80, 81), fc.integer({ min: 0, max: 65535 }));
  const key = fc.oneof(
    serviceKey,
    fc.constantFrom<AddressFamily>('inet', 'inet6').chain((family) =>
      fc.oneof(
        fc.record({
          family: fc.constant(family),
          protocol: fc.constantFrom<Protocol>('tcp', 'udp', 'sctp'),
          address: anyAddress(family),
          port: smallPort,
        }),
        fc.record({
          family: fc.constant(family),
          fwmark: fc.constantFrom(1, 2, 0x7fffffff, 0x80000000, 0xffffffff),
        }),
      ),
    ),
  );
  const realServers = fc.array(
    fc
      .constantFrom<AddressFamily>('inet', 'inet6')
      .chain((family) => fc.record({ family: fc.constant(family), address: anyAddress(family), port: smallPort })),
    { maxLength: 30 },
  );
  // Weights and timeouts number the entries, so that equal keys in a different order would show.
  const table = fc
    .array(fc.tuple(key, realServers), { maxLength: 40 })
    .map((entries) =>
      entries.map(([k, rss], i) =>
        live({ key: k, timeout: i }, ...rss.map((rs, w) => realServer({ ...rs, weight: w }))),
      ),
    );

  test('services and real servers in the same order, for any table in any dump order', () => {
    fc.assert(
      fc.property(table, (services) => {
        expect(inIpvsadmOrder(services)).toEqual(referenceOrder(services));
      }),
      { numRuns: 500 },
    );
  });
});
