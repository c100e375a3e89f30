// `kipvs dump` as far as it goes without a kernel that has IPVS: option checks, and the one
// sentence when IPVS is missing (this test host's kernel has none; see ../../kernel for the rest).
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { runKipvs } from './run-kipvs.js';

describe('kipvs dump', () => {
  test('refuses column options with -o save or json before touching the kernel', async () => {
    expect(await runKipvs(['dump', '-o', 'save', '--stats'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'kipvs: --stats applies to the text output only, not to -o save\n',
    });
    expect(await runKipvs(['dump', '-o', 'json', '--tun-info'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'kipvs: --tun-info applies to the text output only, not to -o json\n',
    });
  });

  test('refuses two column options together', async () => {
    const result = await runKipvs(['dump', '--stats', '--rate']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: option '--stats' cannot be used with option '--rate'/);
  });

  test.each([
    [['--port', '70000'], /a port must be a number 0-65535/],
    [['--fwmark', '0'], /a firewall mark must be a number 1-4294967295/],
    [['--address', '10.0.0'], /not an IPv4 or IPv6 address/],
    [['--protocol', 'icmp'], /Allowed choices are tcp, udp, sctp/],
    [['-o', 'yaml'], /Allowed choices are text, save, json/],
    [['-S', '-o', 'json'], /-S prints ipvsadm -Sn's format, not -o json/],
    [['-Sc'], /-c lists connections: as text \(ipvsadm -Lnc\) or -o json, not in the save format/],
    [['-t', '10.0.0.1:80', '-u', '10.0.0.1:53'], /-t, -u, --sctp-service and -f each name one service/],
    [['-Ln', '-t', 'web:80'], /"web" is not a numeric IP address/],
    [['-Ln', '-t', '10.0.0.1:http'], /"http" is not a port number 0-65535/],
    [['-Ln', '-f', '0'], /a firewall mark must be a number 1-4294967295/],
    [['-Ln', '-6'], /-6 applies to -f MARK/],
    [['-c', '-f', '8'], /the connection table does not show firewall marks/],
  ])('refuses %j', async (args, message) => {
    const result = await runKipvs(['dump', ...args]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  test("takes ipvsadm's spellings together as ipvsadm does (-Lnc, -lnt VIP:PORT)", async () => {
    // Parsed and checked before the kernel is read: the only failure left is this host's kernel.
    for (const args of [
      ['-Ln'],
      ['-lnc'],
      ['-Lnt', '10.0.0.1:80', '--stats'],
      ['-Sn', '-f', '8', '-6'],
      ['-L', '--sctp-service', '[2001:db8::1]:9'],
    ]) {
      expect((await runKipvs(['dump', ...args])).stderr).not.toMatch(/error: (unknown|option)/);
    }
  });

  // Where the kernel has IPVS (a real node), this case is covered by the kernel tests instead.
  (existsSync('/proc/net/ip_vs') ? test.skip : test)(
    'on a kernel without IPVS: one sentence saying what to do, exit status 1',
    async () => {
      for (const output of ['text', 'save', 'json']) {
        expect(await runKipvs(['dump', '-o', output])).toEqual({
          status: 1,
          stdout: '',
          stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n',
        });
      }
      expect(await runKipvs(['restore'], '-A -t 10.0.0.1:80 -s rr\n')).toEqual({
        status: 1,
        stdout: '',
        stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n',
      });
    },
  );
});
