// The save format against what ipvsadm 1.31 printed (`ipvsadm -Sn`, Debian bookworm, in
// User-Mode Linux) for the same tables built with ipvsadm.
import { describe, expect, test } from '@jest/globals';
import type { LiveService } from '../../../src/ipvs/types.js';
import { formatSave } from '../../../src/ipvsadm/save-format.js';
import { fwmark, live, realServer, sctp, tcp, udp } from './table.js';

describe('formatSave prints services as ipvsadm -Sn does', () => {
  test.each<[string, LiveService, string]>([
    ['a plain TCP service', live({ key: tcp('192.168.1.1', 80), scheduler: 'wrr' }), '-A -t 192.168.1.1:80 -s wrr'],
    [
      'sh with both flags',
      live({ key: tcp('200.0.0.1', 80), scheduler: 'sh', flags: { sched1: true, sched2: true } }),
      '-A -t 200.0.0.1:80 -s sh -b sh-fallback,sh-port',
    ],
    [
      'persistence with the default timeout',
      live({ key: tcp('10.0.0.1', 80), flags: { persistent: true }, timeout: 360 }),
      '-A -t 10.0.0.1:80 -s rr -p 360',
    ],
    [
      'port 0, persistent',
      live({ key: tcp('10.0.0.9', 0), scheduler: 'ovf', flags: { persistent: true }, timeout: 360 }),
      '-A -t 10.0.0.9:0 -s ovf -p 360',
    ],
    [
      'sh with flag-3, which ipvsadm has no name for',
      live({ key: tcp('10.0.0.14', 85), scheduler: 'sh', flags: { sched3: true } }),
      '-A -t 10.0.0.14:85 -s sh -b ',
    ],
    [
      'UDP, one-packet, mh-port',
      live({ key: udp('10.0.0.2', 53), scheduler: 'mh', flags: { onePacket: true, sched2: true } }),
      '-A -u 10.0.0.2:53 -s mh -o -b mh-port',
    ],
    [
      'SCTP with a persistence netmask',
      live({
        key: sctp('10.0.0.3', 5000),
        scheduler: 'lc',
        flags: { persistent: true },
        timeout: 60,
        netmask: 0xffffff00,
      }),
      '-A --sctp-service 10.0.0.3:5000 -s lc -p 60 -M 255.255.255.0',
    ],
    [
      'a netmask that is not a prefix',
      live({
        key: tcp('1.1.1.1', 80),
        scheduler: 'wlc',
        flags: { persistent: true },
        timeout: 360,
        netmask: 0xff00ff00,
      }),
      '-A -t 1.1.1.1:80 -s wlc -p 360 -M 255.0.255.0',
    ],
    [
      'a netmask without persistence is not printed',
      live({ key: tcp('1.1.1.1', 80), scheduler: 'wlc', netmask: 0xff000000 }),
      '-A -t 1.1.1.1:80 -s wlc',
    ],
    [
      'IPv6, a prefix length and a persistence engine',
      live({
        key: tcp('2001:db8::1', 443),
        scheduler: 'nq',
        flags: { persistent: true },
        timeout: 20,
        netmask: 64,
        persistenceEngine: 'sip',
      }),
      '-A -t [2001:db8::1]:443 -s nq -p 20 -M 64 --pe sip',
    ],
    [
      'a persistence engine without persistence',
      live({ key: tcp('1.1.1.1', 80), persistenceEngine: 'sip' }),
      '-A -t 1.1.1.1:80 -s rr --pe sip',
    ],
    [
      'generic scheduler flags',
      live({ key: udp('2001:db8::1', 443), scheduler: 'fo', flags: { sched1: true, sched2: true, sched3: true } }),
      '-A -u [2001:db8::1]:443 -s fo -b flag-1,flag-2,flag-3',
    ],
    ['fwmark', live({ key: fwmark(7), scheduler: 'dh' }), '-A -f 7 -s dh'],
    [
      'IPv6 fwmark',
      live({ key: fwmark(8, 'inet6'), scheduler: 'sed', flags: { persistent: true }, timeout: 100, netmask: 64 }),
      '-A -f 8 -6 -s sed -p 100 -M 64',
    ],
    ['fwmark 4294967295 comes out as -1 (%d)', live({ key: fwmark(4294967295), scheduler: 'wlc' }), '-A -f -1 -s wlc'],
    ['fwmark 2^31 comes out negative', live({ key: fwmark(2147483648), scheduler: 'wlc' }), '-A -f -2147483648 -s wlc'],
    ['IPv4-compatible IPv6 is dotted', live({ key: tcp('::1.2.3.4', 80) }), '-A -t [::1.2.3.4]:80 -s rr'],
  ])('%s', (_, service, expected) => {
    expect(formatSave([service])).toBe(`${expected}\n`);
  });
});

describe('formatSave prints real servers as ipvsadm -Sn does', () => {
  const svc = tcp('10.0.0.1', 80);
  test.each<[string, Parameters<typeof realServer>[0], string]>([
    ['masquerading with a port of its own', { address: '10.1.0.1', port: 8080, weight: 3 }, '-r 10.1.0.1:8080 -m -w 3'],
    ['direct routing', { address: '10.1.0.2', forwarding: 'route' }, '-r 10.1.0.2:80 -g -w 1'],
    ['local delivery is saved as -g', { address: '127.0.0.1', forwarding: 'local' }, '-r 127.0.0.1:80 -g -w 1'],
    [
      'GUE with checksums',
      { address: '10.1.0.3', forwarding: 'tunnel', tunnel: { type: 'gue', port: 6080, flags: 1 } },
      '-r 10.1.0.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
    ],
    [
      'GUE without checksums',
      { address: '10.1.0.7', forwarding: 'tunnel', tunnel: { type: 'gue', port: 99, flags: 0 } },
      '-r 10.1.0.7:80 -i -w 1 --tun-type gue --tun-port 99 --tun-nocsum',
    ],
    [
      'GUE with remote checksum offload',
      { address: '10.1.0.4', forwarding: 'tunnel', tunnel: { type: 'gue', port: 77, flags: 2 } },
      '-r 10.1.0.4:80 -i -w 1 --tun-type gue --tun-port 77 --tun-remcsum',
    ],
    [
      'GRE',
      { address: '10.1.0.5', forwarding: 'tunnel', tunnel: { type: 'gre', port: 0, flags: 1 } },
      '-r 10.1.0.5:80 -i -w 1 --tun-type gre --tun-csum',
    ],
    [
      'IPIP',
      { address: '10.1.0.6', forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } },
      '-r 10.1.0.6:80 -i -w 1 --tun-type ipip',
    ],
    [
      'a tunnel without tunnel attributes (old kernels) is IPIP',
      { address: '10.1.0.6', forwarding: 'tunnel' },
      '-r 10.1.0.6:80 -i -w 1 --tun-type ipip',
    ],
    [
      'an IPv6 real server of an IPv4 service (tunnel)',
      { address: '2001:db8::7', forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } },
      '-r [2001:db8::7]:80 -i -w 1 --tun-type ipip',
    ],
    ['weight 0', { address: '10.1.0.8', weight: 0 }, '-r 10.1.0.8:80 -m -w 0'],
    ['a large weight', { address: '10.1.0.9', weight: 2147483647 }, '-r 10.1.0.9:80 -m -w 2147483647'],
    [
      'thresholds are not saved',
      { address: '10.1.0.10', upperThreshold: 100, lowerThreshold: 50 },
      '-r 10.1.0.10:80 -m -w 1',
    ],
    [
      'the bypass method, which ipvsadm prints through a NULL pointer',
      { address: '10.1.0.11', forwarding: 'bypass' },
      '-r 10.1.0.11:80 (null) -w 1',
    ],
  ])('%s', (_, fields, expected) => {
    expect(formatSave([live({ key: svc }, realServer(fields))])).toBe(
      `-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 ${expected}\n`,
    );
  });

  test('real servers of fwmark services name the fwmark service', () => {
    expect(formatSave([live({ key: fwmark(8, 'inet6') }, realServer({ address: '2001:db8::9', port: 99 }))])).toBe(
      '-A -f 8 -6 -s rr\n-a -f 8 -6 -r [2001:db8::9]:99 -m -w 1\n',
    );
  });

  test('an empty table is empty output', () => {
    expect(formatSave([])).toBe('');
  });
});

test('formatSave orders a whole table as ipvsadm did', () => {
  // ipvsadm -Sn printed the lines below for this table. The addresses of each kind compare
  // consistently here, so the order does not depend on the kernel's (see ipvsadm-order.test.ts).
  const table = [
    live(
      { key: tcp('10.0.0.1', 80), flags: { persistent: true }, timeout: 360 },
      realServer({ address: '127.0.0.1', weight: 0 }),
      realServer({ address: '10.1.0.1', port: 8080, weight: 3 }),
      realServer({ address: '10.1.0.2', forwarding: 'route' }),
    ),
    live({ key: tcp('192.168.1.1', 80), scheduler: 'wrr' }),
    live({ key: fwmark(7), scheduler: 'dh' }, realServer({ address: '10.2.0.1', port: 99 })),
    live({ key: udp('2001:db8::1', 443), scheduler: 'fo' }),
    live({ key: tcp('200.0.0.1', 80), scheduler: 'sh' }),
    live({ key: sctp('10.0.0.3', 5000), scheduler: 'lc' }),
    live({ key: udp('10.0.0.2', 53), scheduler: 'mh' }),
    live({ key: tcp('2001:db8::1', 443), scheduler: 'nq' }),
    live({ key: tcp('10.0.0.14', 85), scheduler: 'sh' }),
  ];
  expect(formatSave(table)).toBe(
    [
      '-A -t 192.168.1.1:80 -s wrr',
      '-A -t 200.0.0.1:80 -s sh',
      '-A -t 10.0.0.1:80 -s rr -p 360',
      '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3',
      '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 1',
      '-a -t 10.0.0.1:80 -r 127.0.0.1:80 -m -w 0',
      '-A -t 10.0.0.14:85 -s sh',
      '-A -u 10.0.0.2:53 -s mh',
      '-A --sctp-service 10.0.0.3:5000 -s lc',
      '-A -t [2001:db8::1]:443 -s nq',
      '-A -u [2001:db8::1]:443 -s fo',
      '-A -f 7 -s dh',
      '-a -f 7 -r 10.2.0.1:99 -m -w 1',
      '',
    ].join('\n'),
  );
});
