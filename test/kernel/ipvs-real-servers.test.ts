// Real servers through our client, checked with ipvsadm (-Sn for the rules,
// -Ln --thresholds for thresholds, which -Sn does not print); and real servers
// built by ipvsadm, read back by our client.
import { beforeEach, describe, expect, test } from '@jest/globals';
import type { LiveRealServer, RealServer, ServiceKey } from '../../src/ipvs/types.js';
import { ownNetns } from '../uml/netns.js';
import { ipvsadm, ipvsClientPerFile, realServer, savedRules, service, tcp, udp } from './ipvs-support.js';

const client = ipvsClientPerFile();
const web = tcp('10.0.0.1', 80);
const dns6 = udp('2001:db8::1', 53);

async function addAll(key: ServiceKey, servers: RealServer[]): Promise<void> {
  const results = await client().apply(servers.map((rs) => ({ op: 'add-real-server', service: key, realServer: rs })));
  expect(results.filter((r) => !r.ok)).toEqual([]);
}

/** `ipvsadm -Ln --thresholds` as address -> [upper, lower]. */
async function thresholds(): Promise<Map<string, [number, number]>> {
  const rows = (await ipvsadm('-Ln', '--thresholds'))
    .split('\n')
    .filter((l) => l.startsWith('  -> ') && !l.includes('RemoteAddress'));
  return new Map(
    rows.map((row) => {
      const [, address = '', upper = '', lower = ''] = row.trim().split(/\s+/);
      return [address, [Number(upper), Number(lower)]];
    }),
  );
}

/** A live real server without its counters, for comparing with what was added. */
function configured({
  activeConnections: _a,
  inactiveConnections: _i,
  persistentConnections: _p,
  stats: _s,
  ...rs
}: LiveRealServer): RealServer {
  return rs;
}

beforeEach(async () => {
  await client().apply([
    { op: 'add-service', service: service(web) },
    { op: 'add-service', service: service(dns6) },
  ]);
});

describe('adding real servers', () => {
  test('every forwarding method ipvsadm can show, with weights', async () => {
    await addAll(web, [
      realServer('10.1.0.1', 8080, { forwarding: 'masquerade', weight: 3 }),
      realServer('10.1.0.2', 8080, { forwarding: 'route', weight: 0 }),
      realServer('10.1.0.3', 8080, { forwarding: 'tunnel', weight: 100 }),
      realServer('10.1.0.4', 8080, { forwarding: 'local', weight: 1 }),
    ]);
    await addAll(dns6, [realServer('2001:db8::10', 53, { forwarding: 'route', weight: 2 })]);
    expect(await savedRules()).toEqual(
      [
        '-A -t 10.0.0.1:80 -s rr',
        '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3',
        '-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -g -w 0',
        // no tunnel options: the kernel's default type, IPIP
        '-a -t 10.0.0.1:80 -r 10.1.0.3:8080 -i -w 100 --tun-type ipip',
        // -Sn writes the local method as -g; -Ln names it
        '-a -t 10.0.0.1:80 -r 10.1.0.4:8080 -g -w 1',
        '-A -u [2001:db8::1]:53 -s rr',
        '-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g -w 2',
      ].sort(),
    );
    expect(await ipvsadm('-Ln')).toMatch(/-> 10\.1\.0\.4:8080\s+Local\s+1 /);
  });

  test('upper and lower connection thresholds', async () => {
    await addAll(web, [
      realServer('10.1.0.1', 8080, { upperThreshold: 100, lowerThreshold: 10 }),
      realServer('10.1.0.2', 8080, { upperThreshold: 0xffffffff, lowerThreshold: 0 }),
    ]);
    expect(await thresholds()).toEqual(
      new Map([
        ['10.1.0.1:8080', [100, 10]],
        ['10.1.0.2:8080', [0xffffffff, 0]],
      ]),
    );
  });

  test('tunnel types, GUE port and checksum flags', async () => {
    await addAll(web, [
      realServer('10.1.0.1', 80, { forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } }),
      realServer('10.1.0.2', 80, { forwarding: 'tunnel', tunnel: { type: 'gue', port: 6080, flags: 1 } }),
      realServer('10.1.0.3', 80, { forwarding: 'tunnel', tunnel: { type: 'gue', port: 6081, flags: 2 } }),
      realServer('10.1.0.4', 80, { forwarding: 'tunnel', tunnel: { type: 'gre', port: 0, flags: 0 } }),
      realServer('10.1.0.5', 80, { forwarding: 'tunnel', tunnel: { type: 'gre', port: 0, flags: 1 } }),
      // a mixed-family destination: the kernel allows it only for tunnels
      realServer('2001:db8::20', 80, { forwarding: 'tunnel', tunnel: { type: 'gue', port: 5555, flags: 0 } }),
    ]);
    expect((await savedRules()).filter((rule) => rule.startsWith('-a -t 10.0.0.1:80'))).toEqual(
      [
        '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -i -w 1 --tun-type ipip',
        '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
        '-a -t 10.0.0.1:80 -r 10.1.0.3:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum',
        '-a -t 10.0.0.1:80 -r 10.1.0.4:80 -i -w 1 --tun-type gre --tun-nocsum',
        '-a -t 10.0.0.1:80 -r 10.1.0.5:80 -i -w 1 --tun-type gre --tun-csum',
        '-a -t 10.0.0.1:80 -r [2001:db8::20]:80 -i -w 1 --tun-type gue --tun-port 5555 --tun-nocsum',
      ].sort(),
    );
  });
});

describe('editing and deleting real servers', () => {
  test('edit changes forwarding, weight and thresholds in place', async () => {
    await addAll(web, [realServer('10.1.0.1', 8080, { weight: 3 })]);
    await client().editRealServer(
      web,
      realServer('10.1.0.1', 8080, { forwarding: 'route', weight: 7, upperThreshold: 50, lowerThreshold: 5 }),
    );
    expect((await savedRules()).filter((r) => r.startsWith('-a'))).toEqual([
      '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -g -w 7',
    ]);
    expect(await thresholds()).toEqual(new Map([['10.1.0.1:8080', [50, 5]]]));
  });

  test('delete removes only the real server named', async () => {
    await addAll(web, [realServer('10.1.0.1', 8080), realServer('10.1.0.1', 8081)]);
    await addAll(dns6, [realServer('2001:db8::10', 53)]);
    await client().deleteRealServer(web, { family: 'inet', address: '10.1.0.1', port: 8080 });
    await client().deleteRealServer(dns6, { family: 'inet6', address: '2001:db8::10', port: 53 });
    expect((await savedRules()).filter((r) => r.startsWith('-a'))).toEqual([
      '-a -t 10.0.0.1:80 -r 10.1.0.1:8081 -m -w 1',
    ]);
  });
});

describe('reading real servers built by ipvsadm', () => {
  test('listRealServers and dump see every option ipvsadm set', async () => {
    // (ipvsadm itself gives direct-routing and tunnel real servers the service's port)
    const rules = [
      '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3 -x 100 -y 10',
      '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 0',
      '-a -t 10.0.0.1:80 -r 10.1.0.3:80 -i -w 5 --tun-type gue --tun-port 6080 --tun-remcsum',
      '-a -t 10.0.0.1:80 -r 10.1.0.4:80 -i -w 1 --tun-type gre --tun-csum',
      '-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g -w 2 -x 7',
    ];
    await ownNetns().run('ipvsadm', ['-R'], { input: `${rules.join('\n')}\n` });
    const webServers: RealServer[] = [
      realServer('10.1.0.1', 8080, { weight: 3, upperThreshold: 100, lowerThreshold: 10 }),
      realServer('10.1.0.2', 80, { forwarding: 'route', weight: 0 }),
      realServer('10.1.0.3', 80, { forwarding: 'tunnel', weight: 5, tunnel: { type: 'gue', port: 6080, flags: 2 } }),
      realServer('10.1.0.4', 80, { forwarding: 'tunnel', weight: 1, tunnel: { type: 'gre', port: 0, flags: 1 } }),
    ];
    const dnsServers: RealServer[] = [
      realServer('2001:db8::10', 53, { forwarding: 'route', weight: 2, upperThreshold: 7 }),
    ];

    const listed = await client().listRealServers(web);
    expect(listed.map(configured)).toEqual(expect.arrayContaining(webServers));
    expect(listed).toHaveLength(webServers.length);

    const dump = await client().dump();
    const byService = new Map(
      dump.map((entry) => [JSON.stringify(entry.service.key), entry.realServers.map(configured)]),
    );
    expect(byService.size).toBe(2);
    expect(byService.get(JSON.stringify(web))).toEqual(expect.arrayContaining(webServers));
    expect(byService.get(JSON.stringify(dns6))).toEqual(dnsServers);
  });
});
