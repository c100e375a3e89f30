// `kipvs dump` as far as it goes without a kernel that has IPVS: option checks, and the one
// sentence when IPVS is missing (this test host's kernel has none; see ../../kernel for the rest).
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { runKipvs } from './run-kipvs.js';

describe('kipvs dump', () => {
  test('refuses column options with -o save or json before touching the kernel', async () => {
    expect(await runKipvs(['dump', '-o', 'save', '--stats'])).toEqual({ status: 1, stdout: '', stderr: 'kipvs: --stats applies to the text output only, not to -o save\n' });
    expect(await runKipvs(['dump', '-o', 'json', '--tun-info'])).toEqual({ status: 1, stdout: '', stderr: 'kipvs: --tun-info applies to the text output only, not to -o json\n' });
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
  ])('refuses %j', async (args, message) => {
    const result = await runKipvs(['dump', ...args]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  // Where the kernel has IPVS (a real node), this case is covered by the kernel tests instead.
  (existsSync('/proc/net/ip_vs') ? test.skip : test)('on a kernel without IPVS: one sentence saying what to do, exit status 1', async () => {
    for (const output of ['text', 'save', 'json']) {
      expect(await runKipvs(['dump', '-o', output])).toEqual({ status: 1, stdout: '', stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n' });
    }
    expect(await runKipvs(['restore'], '-A -t 10.0.0.1:80 -s rr\n')).toEqual({ status: 1, stdout: '', stderr: 'kipvs: IPVS is not available in this kernel; load it with: modprobe ip_vs\n' });
  });
});
