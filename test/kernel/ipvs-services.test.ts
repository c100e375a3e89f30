// Virtual services through our client, checked with ipvsadm -Sn; and tables
// built by ipvsadm, read back by our client.
import { describe, expect, test } from '@jest/globals';
import type { ServiceKey, VirtualServer } from '../../src/ipvs/types.js';
import { ownNetns } from '../uml/netns.js';
import { ipvsClientPerFile, kernelSchedulers, noFlags, savedRules, service, tcp, udp } from './ipvs-support.js';

const client = ipvsClientPerFile();

async function addAll(services: VirtualServer[]): Promise<void> {
  const results = await client().apply(services.map((s) => ({ op: 'add-service', service: s })));
  expect(results.filter((r) => !r.ok)).toEqual([]);
}

describe('adding services', () => {
  test('every scheduler this kernel has, by name', async () => {
    const schedulers = kernelSchedulers();
    // Linux 6.1 has every scheduler kipvs names but twos.
    expect(schedulers.length).toBeGreaterThanOrEqual(13);
    await addAll(schedulers.map((s, i) => service(tcp('10.0.0.1', 8000 + i), s)));
    expect(await savedRules()).toEqual(schedulers.map((s, i) => `-A -t 10.0.0.1:${8000 + i} -s ${s}`).sort());
  });

  test('IPv4 and IPv6; TCP, UDP and SCTP; firewall marks', async () => {
    await addAll([
      service(tcp('10.0.0.1', 80)),
      service(udp('2001:db8::1', 53)),
      service({ family: 'inet', protocol: 'sctp', address: '10.0.0.2', port: 3868 }),
      service({ family: 'inet6', protocol: 'sctp', address: '2001:db8::2', port: 3868 }),
      service({ family: 'inet', fwmark: 7 }),
      service({ family: 'inet6', fwmark: 8 }),
    ]);
    expect(await savedRules()).toEqual(
      [
        '-A -t 10.0.0.1:80 -s rr',
        '-A -u [2001:db8::1]:53 -s rr',
        '-A --sctp-service 10.0.0.2:3868 -s rr',
        '-A --sctp-service [2001:db8::2]:3868 -s rr',
        '-A -f 7 -s rr',
        '-A -f 8 -6 -s rr',
      ].sort(),
    );
  });

  test('scheduler flags: sh-fallback, sh-port, mh-fallback, mh-port', async () => {
    await addAll([
      service(tcp('10.0.0.1', 1), 'sh', { flags: { ...noFlags, sched1: true } }),
      service(tcp('10.0.0.1', 2), 'sh', { flags: { ...noFlags, sched2: true } }),
      service(tcp('10.0.0.1', 3), 'sh', { flags: { ...noFlags, sched1: true, sched2: true } }),
      service(tcp('10.0.0.1', 4), 'mh', { flags: { ...noFlags, sched1: true } }),
      service(tcp('2001:db8::1', 5), 'mh', { flags: { ...noFlags, sched1: true, sched2: true } }),
    ]);
    expect(await savedRules()).toEqual(
      [
        '-A -t 10.0.0.1:1 -s sh -b sh-fallback',
        '-A -t 10.0.0.1:2 -s sh -b sh-port',
        '-A -t 10.0.0.1:3 -s sh -b sh-fallback,sh-port',
        '-A -t 10.0.0.1:4 -s mh -b mh-fallback',
        '-A -t [2001:db8::1]:5 -s mh -b mh-fallback,mh-port',
      ].sort(),
    );
  });

  test('persistence with timeout and netmask or prefix, one-packet scheduling, persistence engine', async () => {
    const persistent = { ...noFlags, persistent: true };
    await addAll([
      service(tcp('10.0.0.1', 443), 'wlc', { flags: persistent, timeout: 300, netmask: 0xffffff00 }),
      service(tcp('10.0.0.1', 444), 'wlc', { flags: persistent, timeout: 360, netmask: 0xffffffff }),
      service(tcp('2001:db8::1', 443), 'wlc', { flags: persistent, timeout: 60, netmask: 64 }),
      service(tcp('10.0.0.4', 0), 'rr', { flags: persistent, timeout: 300, netmask: 0xffff0000 }),
      service({ family: 'inet', fwmark: 9 }, 'lc', { flags: persistent, timeout: 30, netmask: 0xffffffff }),
      service(udp('10.0.0.1', 53), 'rr', { flags: { ...noFlags, onePacket: true } }),
      service(udp('10.0.0.3', 5060), 'rr', { flags: persistent, timeout: 360, persistenceEngine: 'sip' }),
    ]);
    expect(await savedRules()).toEqual(
      [
        '-A -t 10.0.0.1:443 -s wlc -p 300 -M 255.255.255.0',
        '-A -t 10.0.0.1:444 -s wlc -p 360',
        '-A -t [2001:db8::1]:443 -s wlc -p 60 -M 64',
        '-A -t 10.0.0.4:0 -s rr -p 300 -M 255.255.0.0',
        '-A -f 9 -s lc -p 30',
        '-A -u 10.0.0.1:53 -s rr -o',
        '-A -u 10.0.0.3:5060 -s rr -p 360 --pe sip',
      ].sort(),
    );
  });
});

describe('editing and deleting services', () => {
  test('edit replaces scheduler, flags, timeout, netmask and persistence engine', async () => {
    const key = udp('10.0.0.3', 5060);
    await client().addService(
      service(key, 'rr', { flags: { ...noFlags, persistent: true }, timeout: 360, persistenceEngine: 'sip' }),
    );
    await client().editService(service(key, 'sh', { flags: { ...noFlags, sched2: true } }));
    expect(await savedRules()).toEqual(['-A -u 10.0.0.3:5060 -s sh -b sh-port']);
    await client().editService(
      service(key, 'wrr', { flags: { ...noFlags, persistent: true }, timeout: 90, netmask: 0xffffff00 }),
    );
    expect(await savedRules()).toEqual(['-A -u 10.0.0.3:5060 -s wrr -p 90 -M 255.255.255.0']);
  });

  test('delete removes only the service named', async () => {
    await addAll([service(tcp('10.0.0.1', 80)), service(tcp('10.0.0.1', 81)), service({ family: 'inet6', fwmark: 3 })]);
    await client().deleteService(tcp('10.0.0.1', 80));
    await client().deleteService({ family: 'inet6', fwmark: 3 });
    expect(await savedRules()).toEqual(['-A -t 10.0.0.1:81 -s rr']);
  });

  test('flush removes everything', async () => {
    await addAll([
      service(tcp('10.0.0.1', 80)),
      service(udp('2001:db8::1', 53)),
      service({ family: 'inet', fwmark: 1 }),
    ]);
    await client().flush();
    expect(await savedRules()).toEqual([]);
    expect(await client().listServices()).toEqual([]);
  });
});

describe('reading services built by ipvsadm', () => {
  // Each ipvsadm rule and the virtual server it means.
  const table: [string, VirtualServer][] = [
    ['-A -t 10.0.0.1:80 -s rr', service(tcp('10.0.0.1', 80))],
    [
      '-A -t 10.0.0.1:443 -s wlc -p 300 -M 255.255.255.0',
      service(tcp('10.0.0.1', 443), 'wlc', {
        flags: { ...noFlags, persistent: true },
        timeout: 300,
        netmask: 0xffffff00,
      }),
    ],
    [
      '-A -u [2001:db8::1]:53 -s sh -b sh-fallback,sh-port',
      service(udp('2001:db8::1', 53), 'sh', { flags: { ...noFlags, sched1: true, sched2: true } }),
    ],
    ['-A -u 10.0.0.1:53 -s nq -o', service(udp('10.0.0.1', 53), 'nq', { flags: { ...noFlags, onePacket: true } })],
    [
      '-A --sctp-service [2001:db8::2]:3868 -s ovf',
      service({ family: 'inet6', protocol: 'sctp', address: '2001:db8::2', port: 3868 }, 'ovf'),
    ],
    [
      '-A -f 7 -6 -s mh -b mh-port -p 60 -M 64',
      service({ family: 'inet6', fwmark: 7 }, 'mh', {
        flags: { ...noFlags, persistent: true, sched2: true },
        timeout: 60,
        netmask: 64,
      }),
    ],
    ['-A -f 8 -s fo', service({ family: 'inet', fwmark: 8 }, 'fo')],
    [
      '-A -u 10.0.0.3:5060 -s rr -p 360 --pe sip',
      service(udp('10.0.0.3', 5060), 'rr', {
        flags: { ...noFlags, persistent: true },
        timeout: 360,
        persistenceEngine: 'sip',
      }),
    ],
  ];

  test('listServices and getService see what ipvsadm -R built', async () => {
    await ownNetns().run('ipvsadm', ['-R'], { input: `${table.map(([rule]) => rule).join('\n')}\n` });
    const live = await client().listServices();
    // The kernel reports every service in its table as hashed (IP_VS_SVC_F_HASHED).
    const expected = table.map(([, vs]) => ({ ...vs, flags: { ...vs.flags, hashed: true } }));
    expect(live.map(({ stats: _stats, ...vs }) => vs)).toEqual(expect.arrayContaining(expected));
    expect(live).toHaveLength(expected.length);
    for (const vs of live) {
      expect(vs.stats.connections).toBe(0n);
      expect(await client().getService(vs.key)).toEqual(vs);
    }
  });

  test('a dump of a service without real servers has none', async () => {
    await ownNetns().run('ipvsadm', ['-A', '-t', '10.0.0.9:80', '-s', 'rr']);
    const key: ServiceKey = tcp('10.0.0.9', 80);
    expect(await client().listRealServers(key)).toEqual([]);
    expect(await client().dump({ stats: true })).toEqual([
      { service: await client().getService(key), realServers: [] },
    ]);
  });
});
