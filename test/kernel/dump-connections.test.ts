// `kipvs dump -c` against `ipvsadm -Lnc` on a real connection table: UDP "connections" over
// IPv4 and IPv6, and a persistence template with the TCP connection that made it, all made from
// this namespace through IPVS (LOCAL_OUT). The seconds left tick while the commands run (a
// kipvs start alone takes more than a second in User-Mode Linux), so ipvsadm is run before and
// after kipvs: every line must be byte for byte ipvsadm's but for the expiry, which must be in
// ipvsadm's MM:SS form and between the two readings.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { freshNetnsPerFile } from '../uml/jest-netns.js';
import type { FreshNetns } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

/** A -Lnc line without its expiry ("%-6s" after the protocol), and the seconds it showed. */
function split(line: string): { readonly rest: string; readonly seconds: number } {
  const match = /^(.{3} )(\d{2,}):(\d{2})( *)( .*)$/.exec(line);
  if (!match) throw new Error(`not a connection line: ${JSON.stringify(line)}`);
  const [, protocol = '', minutes = '', seconds = '', pad = '', rest = ''] = match;
  return {
    rest: `${protocol}${'x'.repeat(minutes.length + 3)}${pad}${rest}`,
    seconds: Number(minutes) * 60 + Number(seconds),
  };
}

/** kipvs's -Lnc output checked against ipvsadm's before and after it; false when the table changed meanwhile. */
async function matchesIpvsadm(ns: FreshNetns, args: readonly string[]): Promise<boolean> {
  const before = (await ns.run('ipvsadm', ['-Lnc'])).stdout.split('\n');
  const ours = await kipvs(ns, ['dump', ...args]);
  const after = (await ns.run('ipvsadm', ['-Lnc'])).stdout.split('\n');
  expect({ status: ours.status, stderr: ours.stderr }).toEqual({ status: 0, stderr: '' });
  const lines = ours.stdout.split('\n');
  if (before.length !== after.length || lines.length !== before.length) return false;
  expect(lines.slice(0, 2)).toEqual(before.slice(0, 2));
  for (let i = 2; i < lines.length - 1; i++) {
    const [b, o, a] = [split(before[i] ?? ''), split(lines[i] ?? ''), split(after[i] ?? '')];
    if (b.rest !== a.rest) return false;
    expect(o.rest).toBe(b.rest);
    expect(o.seconds).toBeLessThanOrEqual(b.seconds);
    expect(o.seconds).toBeGreaterThanOrEqual(a.seconds);
  }
  return true;
}

describe('the connection table', () => {
  const netns = freshNetnsPerFile('dump-conns');
  beforeAll(async () => {
    const ns = netns();
    await ns.run('ip', ['link', 'add', 'vip0', 'type', 'dummy']);
    await ns.run('ip', ['addr', 'add', '10.200.0.1/24', 'dev', 'vip0']);
    await ns.run('ip', ['addr', 'add', 'fd00:200::1/64', 'dev', 'vip0', 'nodad']);
    await ns.run('ip', ['link', 'set', 'vip0', 'up']);
    await ns.run('ipvsadm', ['-R'], {
      input: [
        '-A -t 10.200.0.1:443 -s rr -p 600',
        '-a -t 10.200.0.1:443 -r 10.200.0.3:8443 -m',
        '-A -u 10.200.0.1:53 -s rr',
        '-a -u 10.200.0.1:53 -r 10.200.0.4:53 -m',
        '-A -u [fd00:200::1]:53 -s rr',
        '-a -u [fd00:200::1]:53 -r [fd00:200::2]:53 -m',
        '',
      ].join('\n'),
    });
    // A SYN never answered (the client gives up after a second), and UDP datagrams (300 s each).
    await ns.run('bash', [
      '-c',
      'timeout 1 bash -c "exec 3<>/dev/tcp/10.200.0.1/443"; ' +
        'for i in 1 2; do echo x > /dev/udp/10.200.0.1/53; echo x > /dev/udp/fd00:200::1/53; done; true',
    ]);
  });

  test('kipvs dump -c, -Lnc and -lnc print what ipvsadm -Lnc prints', async () => {
    const table = (await netns().run('ipvsadm', ['-Lnc'])).stdout;
    expect(table).toMatch(/^UDP .* \[fd00:200::1\]:53 /m);
    expect(table).toMatch(/^UDP .* 10\.200\.0\.1:53 /m);
    expect(table).toMatch(/^TCP +\S+ +NONE /m);
    for (const args of [['-c'], ['-Lnc'], ['-lnc']]) {
      let matched = false;
      for (let attempt = 0; attempt < 5 && !matched; attempt++) matched = await matchesIpvsadm(netns(), args);
      expect(matched).toBe(true);
    }
  });

  test('-o json holds every connection of the table, and -t keeps those of one service', async () => {
    const ns = netns();
    const lines = (await ns.run('ipvsadm', ['-Lnc'])).stdout.trimEnd().split('\n').slice(2);
    const json = JSON.parse((await kipvs(ns, ['dump', '-c', '-o', 'json'])).stdout) as {
      connections: { protocol: string; virtual: { port: number } }[];
    };
    expect(json.connections).toHaveLength(lines.length);
    const dns = JSON.parse(
      (await kipvs(ns, ['dump', '-c', '-o', 'json', '-u', '10.200.0.1:53'])).stdout,
    ) as typeof json;
    expect(dns.connections.length).toBe(lines.filter((l) => /^UDP .* 10\.200\.0\.1:53 /.test(l)).length);
    expect(dns.connections.every((c) => c.protocol === 'UDP' && c.virtual.port === 53)).toBe(true);
  });
});
