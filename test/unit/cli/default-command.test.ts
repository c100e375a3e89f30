// kube-proxy's command line (flags alone) is `kipvs proxy`'s.
import { describe, expect, it } from '@jest/globals';
import { withDefaultCommand } from '../../../src/cli/default-command.js';

describe('withDefaultCommand', () => {
  it.each<[string, readonly string[], readonly string[]]>([
    [
      'kube-proxy flags alone',
      ['--config=/var/lib/kube-proxy/config.conf', '--hostname-override=n1'],
      ['proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=n1'],
    ],
    ['a short flag first', ['-v=4', '--proxy-mode=ipvs'], ['proxy', '-v=4', '--proxy-mode=ipvs']],
    ['a sub-command', ['dump', '-L', '-n'], ['dump', '-L', '-n']],
    ['an unknown word, for commander to name', ['fastest'], ['fastest']],
    ['nothing, for the help', [], []],
    ['--help', ['--help'], ['--help']],
    ['-h', ['-h'], ['-h']],
    ['--version', ['--version'], ['--version']],
  ])('%s', (_name, args, expected) => {
    expect(withDefaultCommand(args)).toEqual(expected);
  });
});
