// `kipvs dump` against ipvsadm 1.31 on the same kernel table: tables are built with ipvsadm, and
// every output format must be byte for byte what ipvsadm prints for them.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { freshNetnsPerFile, freshNetnsPerTest } from '../uml/jest-netns.js';
import { FEATURES, randomTable } from './ipvsadm-tables.js';
import { kipvs, ipvsadmLines } from './kipvs-cli.js';
import type { FreshNetns } from '../uml/netns.js';

describe('a table with every feature, built with ipvsadm', () => {
  const netns = freshNetnsPerFile('dump-features');
  beforeAll(async () => {
    await netns().run('ipvsadm', ['-R'], { input: FEATURES });
    // ipvsadm -R goes on after a failed line: make sure every line made it.
    expect((await netns().ipvsSave()).split('\n').filter((l) => l.startsWith('-A'))).toHaveLength(
      FEATURES.split('\n').filter((l) => l.startsWith('-A')).length,
    );
  });

  test.each([
    [['-o', 'save'], ['-Sn']],
    [[], ['-Ln']],
    [['--stats'], ['-Ln', '--stats']],
    [['--rate'], ['-Ln', '--rate']],
    [['--thresholds'], ['-Ln', '--thresholds']],
    [['--persistent-conn'], ['-Ln', '--persistent-conn']],
    [['--tun-info'], ['-Ln', '--tun-info']],
    [
      ['--stats', '--exact'],
      ['-Ln', '--stats', '--exact'],
    ],
  ])('kipvs dump %j prints what ipvsadm %j prints', async (ours, theirs) => {
    const expected = (await netns().run('ipvsadm', theirs)).stdout;
    expect(expected.split('\n').length).toBeGreaterThan(40);
    expect(await kipvs(netns(), ['dump', ...ours])).toEqual({ status: 0, stdout: expected, stderr: '' });
  });

  // ipvsadm's own spellings: the same output as ipvsadm given the same arguments.
  test.each([
    [['-Ln']],
    [['-L', '-n']],
    [['-ln', '--exact', '--stats']],
    [['-Sn']],
    [['-Ln', '-t', '10.0.0.1:80']],
    [['-Ln', '--rate', '-t', '10.0.0.1:80']],
    [['-Ln', '-u', '10.0.0.2:53']],
    [['-Ln', '--sctp-service', '10.0.0.3:5000']],
    [['-Ln', '-f', '7']],
    [['-Ln', '-f', '8', '-6']],
    [['-Ln', '-f', '4294967295']],
  ])('kipvs dump %j prints what ipvsadm prints for it', async (args) => {
    const expected = (await netns().run('ipvsadm', args)).stdout;
    expect(expected).not.toBe('');
    expect(await kipvs(netns(), ['dump', ...args])).toEqual({ status: 0, stdout: expected, stderr: '' });
  });

  test('a service that is not there is an error, as in ipvsadm -L -t', async () => {
    expect((await netns().run('ipvsadm', ['-Ln', '-t', '10.9.9.9:80'], { allowFailure: true })).status).not.toBe(0);
    expect(await kipvs(netns(), ['dump', '-Ln', '-t', '10.9.9.9:80'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'kipvs: no such service: tcp 10.9.9.9:80\n',
    });
  });

  test('--address, --port and --protocol select what ipvsadm -Ln -t lists (below its version line)', async () => {
    const expected = (await netns().run('ipvsadm', ['-Ln', '-t', '10.0.0.1:80'])).stdout;
    const ours = await kipvs(netns(), ['dump', '--address', '10.0.0.1', '--port', '80', '--protocol', 'tcp']);
    expect(ours.stdout.split('\n').slice(1).join('\n')).toBe(expected);
    expect(ours.stdout.split('\n')[0]).toMatch(/^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/);
  });

  test('-o save with filters prints the matching lines of ipvsadm -Sn', async () => {
    const save = await ipvsadmLines(netns(), ['-Sn']);
    const onMark = save.filter((l) => /^-[Aa] -f 8 -6 /.test(l));
    expect(await kipvs(netns(), ['dump', '-o', 'save', '--fwmark', '8'])).toEqual({
      status: 0,
      stdout: onMark.map((l) => `${l}\n`).join(''),
      stderr: '',
    });
    const onAddress = save.filter((l) => /^-[Aa] (-t|-u|--sctp-service) \[2001:db8::1\]:\d+ /.test(l));
    expect(onAddress.length).toBeGreaterThan(2);
    expect(await kipvs(netns(), ['dump', '-o', 'save', '--address', '2001:DB8::1'])).toEqual({
      status: 0,
      stdout: onAddress.map((l) => `${l}\n`).join(''),
      stderr: '',
    });
  });

  test('-o json holds the same services and real servers', async () => {
    const result = await kipvs(netns(), ['dump', '-o', 'json']);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const json = JSON.parse(result.stdout) as {
      services: {
        key: Record<string, unknown>;
        scheduler: string;
        realServers: { address: string; port: number; weight: number; upperThreshold: number }[];
      }[];
    };
    const save = await ipvsadmLines(netns(), ['-Sn']);
    expect(json.services).toHaveLength(save.filter((l) => l.startsWith('-A ')).length);
    expect(json.services.flatMap((s) => s.realServers)).toHaveLength(save.filter((l) => l.startsWith('-a ')).length);
    const first = json.services.find((s) => s.key.address === '10.0.0.1' && s.key.port === 80);
    expect(first?.scheduler).toBe('rr');
    expect(first?.realServers.find((rs) => rs.port === 8080)).toMatchObject({
      address: '10.1.0.1',
      weight: 3,
      upperThreshold: 100,
    });
  });
});

/**
 * `ipvsadm -Ln --stats` once the counters stop moving. Linux 6.1 publishes a
 * service's counters every 2 s (the estimator), so a read right after the
 * traffic may still change: two reads a period apart must agree.
 */
async function settledStats(ns: FreshNetns): Promise<string> {
  let previous = (await ns.run('ipvsadm', ['-Ln', '--stats'])).stdout;
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const current = (await ns.run('ipvsadm', ['-Ln', '--stats'])).stdout;
    if (current === previous) return current;
    previous = current;
  }
  throw new Error(`IPVS counters still changing after 25 s:\n${previous}`);
}

describe('counters after traffic', () => {
  const netns = freshNetnsPerTest('dump-traffic');

  test('--stats and --stats --exact print what ipvsadm prints', async () => {
    const ns = netns();
    // A virtual address on a dummy link; connections from this namespace to it go through IPVS
    // (LOCAL_OUT) to a real server that never answers, and stop when the client is killed.
    await ns.run('ip', ['link', 'add', 'vip0', 'type', 'dummy']);
    await ns.run('ip', ['addr', 'add', '10.200.0.1/24', 'dev', 'vip0']);
    await ns.run('ip', ['link', 'set', 'vip0', 'up']);
    await ns.run('ipvsadm', ['-R'], {
      input:
        '-A -t 10.200.0.1:80 -s rr\n-a -t 10.200.0.1:80 -r 10.200.0.2:8080 -m\n-a -t 10.200.0.1:80 -r 10.200.0.3:8080 -m\n',
    });
    await ns.run('bash', ['-c', 'for i in 1 2 3; do timeout 1 bash -c "exec 3<>/dev/tcp/10.200.0.1/80"; done; true']);
    const stats = await settledStats(ns);
    expect(stats).toMatch(/^TCP {2}10\.200\.0\.1:80 +[1-9]/m);
    expect(await kipvs(ns, ['dump', '--stats'])).toEqual({ status: 0, stdout: stats, stderr: '' });
    const exact = (await ns.run('ipvsadm', ['-Ln', '--stats', '--exact'])).stdout;
    expect(await kipvs(ns, ['dump', '--stats', '--exact'])).toEqual({ status: 0, stdout: exact, stderr: '' });
  });
});

describe('a table whose order trips ipvsadm', () => {
  const netns = freshNetnsPerTest('dump-order');

  // Addresses, ports and marks all over their ranges: libipvs's wrapping comparison is then not
  // transitive, and only the same sort over the same kernel order gives the same output.
  test("300 services x 3 real servers over the whole address space: -o save and the list are ipvsadm's", async () => {
    await netns().run('ipvsadm', ['-R'], { input: randomTable(300, 3) });
    const save = (await netns().run('ipvsadm', ['-Sn'])).stdout;
    expect(save.split('\n').filter((l) => l.startsWith('-A '))).toHaveLength(300);
    expect(await kipvs(netns(), ['dump', '-o', 'save'])).toEqual({ status: 0, stdout: save, stderr: '' });
    const list = (await netns().run('ipvsadm', ['-Ln'])).stdout;
    expect(await kipvs(netns(), ['dump'])).toEqual({ status: 0, stdout: list, stderr: '' });
  });
});
