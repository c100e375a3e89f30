// `kipvs dump -c` against `ipvsadm -Lnc` on a real connection table: TCP connections to a real
// server that never answers, UDP "connections", a persistence template and IPv6, made from this
// namespace through IPVS (LOCAL_OUT). The seconds left tick while the two commands run, so a
// comparison counts only when ipvsadm printed the same before and after kipvs.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { freshNetnsPerFile } from '../uml/jest-netns.js';
import type { FreshNetns } from '../uml/netns.js';
import { kipvs, type CliResult } from './kipvs-cli.js';

/** kipvs's result for `args`, with ipvsadm's output for `theirs` in the same second. */
async function sameSecond(ns: FreshNetns, args: readonly string[], theirs: readonly string[]): Promise<{ ours: CliResult; expected: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = (await ns.run('ipvsadm', theirs)).stdout;
    const ours = await kipvs(ns, args);
    const after = (await ns.run('ipvsadm', theirs)).stdout;
    if (before === after) return { ours, expected: before };
  }
  throw new Error('the connection table kept changing under ipvsadm and kipvs');
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
        '-A -t 10.200.0.1:80 -s rr',
        '-a -t 10.200.0.1:80 -r 10.200.0.2:8080 -m',
        '-A -t 10.200.0.1:443 -s rr -p 600',
        '-a -t 10.200.0.1:443 -r 10.200.0.3:8443 -m',
        '-A -u 10.200.0.1:53 -s rr',
        '-a -u 10.200.0.1:53 -r 10.200.0.4:53 -m',
        '-A -t [fd00:200::1]:80 -s rr',
        '-a -t [fd00:200::1]:80 -r [fd00:200::2]:8080 -m',
        '',
      ].join('\n'),
    });
    // SYNs that are never answered (the client gives up after a second), and UDP datagrams.
    await ns.run('bash', [
      '-c',
      'for t in 10.200.0.1/80 10.200.0.1/80 10.200.0.1/443 [fd00:200::1]/80; do timeout 1 bash -c "exec 3<>/dev/tcp/$t"; done; ' +
        'for i in 1 2; do echo x > /dev/udp/10.200.0.1/53; done; true',
    ]);
  });

  test('kipvs dump -c, -Lnc and -lnc print what ipvsadm -Lnc prints', async () => {
    for (const args of [['-c'], ['-Lnc'], ['-lnc']]) {
      const { ours, expected } = await sameSecond(netns(), ['dump', ...args], ['-Lnc']);
      expect(expected).toMatch(/^TCP .*\[fd00:200::1\]:80 /m);
      expect(expected).toMatch(/^UDP .* 10\.200\.0\.1:53 /m);
      expect(expected).toMatch(/^\S+ +\S+ +NONE /m);
      expect(ours).toEqual({ status: 0, stdout: expected, stderr: '' });
    }
  });

  test('-o json holds every connection of the table, and -t keeps those of one service', async () => {
    const ns = netns();
    const lines = (await ns.run('ipvsadm', ['-Lnc'])).stdout.trimEnd().split('\n').slice(2);
    const json = JSON.parse((await kipvs(ns, ['dump', '-c', '-o', 'json'])).stdout) as { connections: { protocol: string; virtual: { port: number } }[] };
    expect(json.connections).toHaveLength(lines.length);
    const web = JSON.parse((await kipvs(ns, ['dump', '-c', '-o', 'json', '-t', '10.200.0.1:80'])).stdout) as typeof json;
    expect(web.connections.length).toBe(lines.filter((l) => /^TCP .* 10\.200\.0\.1:80 /.test(l)).length);
    expect(web.connections.every((c) => c.protocol === 'TCP' && c.virtual.port === 80)).toBe(true);
  });
});
