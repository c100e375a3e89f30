// `kipvs restore` on a real kernel, with ipvsadm as the independent judge: a saved table comes
// back exactly, a rules file means the same as to ipvsadm -R, a bad file changes nothing.
import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshNetnsPerTest } from '../uml/jest-netns.js';
import { withFreshNetns, type Netns } from '../uml/netns.js';
import { FEATURES } from './ipvsadm-tables.js';
import { KIPVS, kipvs } from './kipvs-cli.js';

/**
 * The same table, whatever order ipvsadm lists it in: with fwmarks of 2^31 and above its sort is
 * not even antisymmetric, so its output order follows the kernel's internal order, which depends
 * on the order the services were added in.
 */
const sortedLines = (text: string) => text.split('\n').sort();

/** What ipvsadm shows of a table: the saved rules and the thresholds the save format leaves out. */
async function tableOf(netns: Netns): Promise<{ save: string; thresholds: string }> {
  return { save: await netns.ipvsSave(), thresholds: (await netns.run('ipvsadm', ['-Ln', '--thresholds'])).stdout };
}

describe('kipvs restore', () => {
  const netns = freshNetnsPerTest('restore');

  test('of an ipvsadm -Sn output rebuilds the table exactly, from a file or standard input', async () => {
    // ipvsadm -S prints "-b " with nothing after it for sh with flag-3, a line no tool reads back.
    const features = FEATURES.split('\n')
      .filter((line) => !line.includes('-b flag-3'))
      .join('\n');
    const saved = await withFreshNetns('restore-source', async (source) => {
      await source.run('ipvsadm', ['-R'], { input: features });
      return source.ipvsSave();
    });
    expect(saved).toContain('-A -f -1 -s rr\n'); // fwmark 4294967295, which ipvsadm -R cannot read back

    expect(await kipvs(netns(), ['restore'], { input: saved })).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(sortedLines(await netns().ipvsSave())).toEqual(sortedLines(saved));

    const dir = await mkdtemp(join(tmpdir(), 'kipvs-restore-'));
    try {
      await writeFile(join(dir, 'rules'), saved);
      await withFreshNetns('restore-file', async (other) => {
        expect(await kipvs(other, ['restore', join(dir, 'rules')])).toEqual({ status: 0, stdout: '', stderr: '' });
        expect(sortedLines(await other.ipvsSave())).toEqual(sortedLines(saved));
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('builds the same table as ipvsadm -R from the same rules, defaults and shorthand included', async () => {
    const rules = [
      'ipvsadm -A -t 10.0.0.1:80',
      '-A -t 10.0.0.2:80 -p -s rr',
      '--add-service --udp-service [2001:db8::1]:53 --scheduler sh --sched-flags sh-port --persistent=30 --netmask 96',
      '-A -t 1.2 -p',
      '-A -f 9 -6 -p',
      '-a -t 10.0.0.1:80 -r 10.1.0.1',
      '-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -mw 3 -x 20 -y 10',
      '-a -t 10.0.0.1:80 -r 10.1.0.3:8080 -g',
      '-a -r 10.1.0.4 -m -t 10.0.0.1:80',
      '-a -t 10.0.0.2:80 -r 2001:db8::2 -i --tun-type gue --tun-port 6080 --tun-csum',
      '--add-server --udp-service [2001:db8::1]:53 --real-server [2001:db8::3]:5353 --masquerading --weight=7',
      '-a -f 9 -6 -r 2001:db8::4 -m',
      '-e -t 10.0.0.1:80 -r 10.1.0.2:8080 -m -w 5',
      '-E -t 10.0.0.2:80 -s wrr',
      '-d -t 10.0.0.1:80 -r 10.1.0.3',
      '-A -t 10.0.0.9:80 -s lc',
      '-D -t 10.0.0.9:80',
      '--set 600 60 120',
      '',
    ].join('\n');
    await withFreshNetns('restore-ipvsadm', async (reference) => {
      await reference.run('ipvsadm', ['-R'], { input: rules });
      expect(await kipvs(netns(), ['restore'], { input: rules })).toEqual({ status: 0, stdout: '', stderr: '' });
      const ours = await tableOf(netns());
      expect(ours).toEqual(await tableOf(reference));
      expect(ours.save.trimEnd().split('\n')).toHaveLength(11);
    });
    // Timeouts are per namespace too.
    expect((await netns().run('ipvsadm', ['-Ln', '--timeout'])).stdout).toBe('Timeout (tcp tcpfin udp): 600 60 120\n');
  });

  test('with bad lines reports each with its line number, exits 1 and changes nothing', async () => {
    await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    const before = await netns().ipvsSave();
    const result = await kipvs(netns(), ['restore'], {
      input:
        '-C\n-A -t 10.0.0.2:80 -s fastest\n-a -t 10.0.0.1:80 -r 10.1.0.1 -m\n-a -t 10.0.0.1:80 -r 10.1.0.2 -w heavy\n',
    });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        'kipvs: standard input: line 2: unknown scheduler "fastest"',
        'kipvs: standard input: line 4: invalid weight "heavy" for -w (expected 0-2147483647)',
        'kipvs: 2 invalid lines in standard input; nothing was applied',
        '',
      ].join('\n'),
    });
    expect(await netns().ipvsSave()).toBe(before);
  });

  test('reports what the kernel refuses, line by line, applies the rest (as ipvsadm -R does) and exits 1', async () => {
    // The failed lines are read again to name their operations: a comment, a blank line and a
    // CRLF line before them must not shift which line is read.
    const rules = [
      '-A -t 10.0.0.1:80 -s rr',
      '# a comment kipvs skips',
      '',
      '-A -t 10.0.0.1:80 -s wrr\r',
      '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m',
      '-a -t 10.0.0.9:80 -r 10.1.0.1:8080 -m',
      '-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -m -x 1 -y 2',
      '-d -t 10.0.0.1:80 -r 10.1.0.3:8080',
      '-A -u 10.0.0.1:53 -s sh',
      '',
    ].join('\n');
    const result = await kipvs(netns(), ['restore'], { input: rules });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'kipvs: line 4: add-service tcp 10.0.0.1:80: service already exists (EEXIST)',
      expect.stringMatching(
        /^kipvs: line 6: add-real-server tcp 10\.0\.0\.9:80 -> 10\.1\.0\.1:8080: no such service \(ESRCH/,
      ),
      expect.stringMatching(/^kipvs: line 7: add-real-server tcp 10\.0\.0\.1:80 -> 10\.1\.0\.2:8080: .*\(ERANGE/),
      expect.stringMatching(
        /^kipvs: line 8: delete-real-server tcp 10\.0\.0\.1:80 -> 10\.1\.0\.3:8080: no such real server \(ENOENT/,
      ),
      'kipvs: 4 operations of 7 failed; the others were applied',
      '',
    ]);
    await withFreshNetns('restore-refusals', async (reference) => {
      // ipvsadm -R stops at a comment line: the reference gets the rules without it.
      await reference.run('ipvsadm', ['-R'], { input: rules.replace('# a comment kipvs skips\n', '') });
      expect(await tableOf(netns())).toEqual(await tableOf(reference));
    });
  });

  test('--dry-run prints the operations and leaves the kernel alone', async () => {
    const result = await kipvs(netns(), ['restore', '--dry-run'], {
      input: '-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1 -i\n-C\n',
    });
    expect(result).toEqual({
      status: 0,
      stdout: '-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -i -w 1 --tun-type ipip\n-C\n',
      stderr: '',
    });
    expect(await netns().ipvsSave()).toBe('');
  });
});

describe('without root', () => {
  const netns = freshNetnsPerTest('restore-nobody');
  const asNobody = (args: string[], input = '') =>
    netns().run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', KIPVS, ...args], {
      input,
      allowFailure: true,
    });
  const DENIED = {
    status: 1,
    stdout: '',
    stderr: 'kipvs: permission denied: IPVS needs root (CAP_NET_ADMIN); run kipvs as root\n',
  };

  test('kipvs dump and restore say so in one sentence and change nothing', async () => {
    await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
    for (const args of [['dump'], ['dump', '-o', 'save'], ['dump', '-o', 'json']]) {
      expect(await asNobody(args)).toMatchObject(DENIED);
    }
    expect(
      await asNobody(['restore'], '-C\n-A -t 10.0.0.2:80 -s rr\n-a -t 10.0.0.2:80 -r 10.1.0.1 -m\n'),
    ).toMatchObject(DENIED);
    expect(await netns().ipvsSave()).toBe('-A -t 10.0.0.1:80 -s rr\n');
  });
});
