// How one restore line splits into options, as popt splits it for ipvsadm -R.
import { describe, expect, test } from '@jest/globals';
import { ruleLines, scanOptions } from '../../../src/ipvsadm/rule-options.js';

function scanned(line: string) {
  const result = scanOptions(line.split(' '));
  if (!result.ok) return result;
  return { options: result.options.map((o) => [o.written, o.spec.long, o.value]), positionals: result.positionals };
}

describe('scanOptions', () => {
  test.each([
    [
      '-A -t 1.1.1.1:80 -s rr',
      [
        ['-A', 'add-service', undefined],
        ['-t', 'tcp-service', '1.1.1.1:80'],
        ['-s', 'scheduler', 'rr'],
      ],
    ],
    [
      '--add-service --tcp-service 1.1.1.1:80 --scheduler=rr',
      [
        ['--add-service', 'add-service', undefined],
        ['--tcp-service', 'tcp-service', '1.1.1.1:80'],
        ['--scheduler', 'scheduler', 'rr'],
      ],
    ],
    [
      '-mw 3',
      [
        ['-m', 'masquerading', undefined],
        ['-w', 'weight', '3'],
      ],
    ],
    [
      '-w3 -m',
      [
        ['-w', 'weight', '3'],
        ['-m', 'masquerading', undefined],
      ],
    ],
    ['-w=6', [['-w', 'weight', '6']]],
    ['-p10', [['-p', 'persistent', '10']]],
    ['--persistent=11', [['--persistent', 'persistent', '11']]],
    ['--persistent 12', [['--persistent', 'persistent', '12']]],
    [
      '-p -s rr',
      [
        ['-p', 'persistent', undefined],
        ['-s', 'scheduler', 'rr'],
      ],
    ],
    [
      '-s rr -p',
      [
        ['-s', 'scheduler', 'rr'],
        ['-p', 'persistent', undefined],
      ],
    ],
    // A required value is the next word, whatever it looks like.
    ['-r -m', [['-r', 'real-server', '-m']]],
    [
      '-f 5 -6',
      [
        ['-f', 'fwmark-service', '5'],
        ['-6', 'ipv6', undefined],
      ],
    ],
  ])('%s', (line, options) => {
    expect(scanned(line)).toEqual({ options, positionals: [] });
  });

  test('positional arguments, and everything after --', () => {
    expect(scanned('--set 1 2 3')).toEqual({ options: [['--set', 'set', undefined]], positionals: ['1', '2', '3'] });
    expect(scanned('-A -t 1.1.1.3:80 -s rr -- -p 5')).toEqual({
      options: [
        ['-A', 'add-service', undefined],
        ['-t', 'tcp-service', '1.1.1.3:80'],
        ['-s', 'scheduler', 'rr'],
      ],
      positionals: ['-p', '5'],
    });
  });

  test.each([
    ['-A -t 1.1.1.1:80 -p -5', 'unknown option "-5"'],
    ['--set -1 2 3', 'unknown option "-1"'],
    ['-A --fastest', 'unknown option "--fastest"'],
    ['-A -t 1.1.1.1:80 -s', 'option -s needs a value'],
    ['-A --tcp-service', 'option --tcp-service needs a value'],
    ['-A -t 1.1.1.1:80 --ops=1', 'option --ops takes no value'],
  ])('%s: %s', (line, reason) => {
    expect(scanOptions(line.split(' '))).toEqual({ ok: false, reason });
  });
});

test('ruleLines splits lines into words and keeps their numbers', () => {
  const text = '-A -t 1.1.1.1:80\r\n\n   \n ipvsadm -A\t-t 1.1.1.3:80 -s rr\n# a comment\n  #another\n-C';
  expect([...ruleLines(text)]).toEqual([
    { line: 1, words: ['-A', '-t', '1.1.1.1:80'] },
    { line: 4, words: ['-A', '-t', '1.1.1.3:80', '-s', 'rr'] },
    { line: 7, words: ['-C'] },
  ]);
});
