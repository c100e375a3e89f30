// The list format against what ipvsadm 1.31 printed (`ipvsadm -Ln` and its column options,
// Debian bookworm, in User-Mode Linux) for the same table built with ipvsadm.
import { describe, expect, test } from '@jest/globals';
import type { CountedService } from '../../../src/ipvs/types.js';
import { formatList, type ListColumns } from '../../../src/ipvsadm/list-format.js';
import { NO_TRAFFIC, fwmark, live, realServer, tcp, udp } from './table.js';

const INFO = { version: 0x010201, connectionTableSize: 4096 };

const TABLE: CountedService[] = [
  live(
    { key: tcp('10.0.0.1', 80), flags: { persistent: true }, timeout: 360 },
    realServer({ address: '10.1.0.1', port: 8080, weight: 3, upperThreshold: 100, lowerThreshold: 50 }),
    realServer({ address: '10.1.0.2', forwarding: 'route' }),
    realServer({ address: '10.1.0.3', forwarding: 'tunnel', tunnel: { type: 'gue', port: 6080, flags: 1 } }),
    realServer({ address: '10.1.0.5', forwarding: 'tunnel', tunnel: { type: 'gre', port: 0, flags: 1 } }),
    realServer({ address: '10.1.0.6', forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } }),
  ),
  live({ key: tcp('200.0.0.1', 80), scheduler: 'sh', flags: { sched1: true, sched2: true } }),
  live({ key: tcp('10.0.0.14', 85), scheduler: 'sh', flags: { sched3: true } }),
  live({ key: udp('10.0.0.2', 53), scheduler: 'mh', flags: { onePacket: true, sched2: true } }),
  live(
    {
      key: tcp('2001:db8::1', 443),
      scheduler: 'nq',
      flags: { persistent: true },
      timeout: 20,
      netmask: 64,
      persistenceEngine: 'sip',
    },
    realServer({ address: '2001:db8::10', port: 8443, upperThreshold: 5 }),
  ),
  live(
    { key: fwmark(8, 'inet6'), scheduler: 'sed', flags: { persistent: true }, timeout: 100, netmask: 64 },
    realServer({ address: '2001:db8::9', port: 99 }),
  ),
  live({ key: fwmark(7), scheduler: 'dh' }, realServer({ address: '10.2.0.1', port: 99 })),
];

const SERVICES = [
  'TCP  200.0.0.1:80 sh (sh-fallback,sh-port)',
  'TCP  10.0.0.1:80 rr persistent 360',
  '*10.1.0.1:8080',
  '*10.1.0.2:80',
  '*10.1.0.3:80',
  '*10.1.0.5:80',
  '*10.1.0.6:80',
  'TCP  10.0.0.14:85 sh ()',
  'UDP  10.0.0.2:53 mh (mh-port) ops',
  'TCP  [2001:db8::1]:443 nq persistent 20 mask 64 pe sip',
  '*[2001:db8::10]:8443',
  'FWM  7 dh',
  '*10.2.0.1:99',
  'FWM  8 IPv6 sed persistent 100 mask 64',
  '*[2001:db8::9]:99',
];

/** ipvsadm's output: service lines as above, real server lines ("*" above) from the given columns. */
function expected(
  title: string,
  realServerColumns: Record<string, string>,
  serviceLine: (line: string) => string = (line) => line,
): string {
  const rows = SERVICES.map((line) =>
    line.startsWith('*') ? `  -> ${realServerColumns[line.slice(1)]}` : serviceLine(line),
  );
  return `IP Virtual Server version 1.2.1 (size=4096)\n${title}${rows.join('\n')}\n`;
}

describe('formatList prints what ipvsadm -Ln printed', () => {
  test.each<[ListColumns, string]>([
    [
      'default',
      expected(
        'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n',
        {
          '10.1.0.1:8080': '10.1.0.1:8080                Masq    3      0          0         ',
          '10.1.0.2:80': '10.1.0.2:80                  Route   1      0          0         ',
          '10.1.0.3:80': '10.1.0.3:80                  Tunnel  1      0          0         ',
          '10.1.0.5:80': '10.1.0.5:80                  Tunnel  1      0          0         ',
          '10.1.0.6:80': '10.1.0.6:80                  Tunnel  1      0          0         ',
          '[2001:db8::10]:8443': '[2001:db8::10]:8443          Masq    1      0          0         ',
          '10.2.0.1:99': '10.2.0.1:99                  Masq    1      0          0         ',
          '[2001:db8::9]:99': '[2001:db8::9]:99             Masq    1      0          0         ',
        },
      ),
    ],
    [
      'thresholds',
      expected(
        'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n',
        {
          '10.1.0.1:8080': '10.1.0.1:8080                100        50         0          0         ',
          '10.1.0.2:80': '10.1.0.2:80                  0          0          0          0         ',
          '10.1.0.3:80': '10.1.0.3:80                  0          0          0          0         ',
          '10.1.0.5:80': '10.1.0.5:80                  0          0          0          0         ',
          '10.1.0.6:80': '10.1.0.6:80                  0          0          0          0         ',
          '[2001:db8::10]:8443': '[2001:db8::10]:8443          5          0          0          0         ',
          '10.2.0.1:99': '10.2.0.1:99                  0          0          0          0         ',
          '[2001:db8::9]:99': '[2001:db8::9]:99             0          0          0          0         ',
        },
      ),
    ],
    [
      'persistent-conn',
      expected(
        'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n',
        {
          '10.1.0.1:8080': '10.1.0.1:8080                3         0           0          0         ',
          '10.1.0.2:80': '10.1.0.2:80                  1         0           0          0         ',
          '10.1.0.3:80': '10.1.0.3:80                  1         0           0          0         ',
          '10.1.0.5:80': '10.1.0.5:80                  1         0           0          0         ',
          '10.1.0.6:80': '10.1.0.6:80                  1         0           0          0         ',
          '[2001:db8::10]:8443': '[2001:db8::10]:8443          1         0           0          0         ',
          '10.2.0.1:99': '10.2.0.1:99                  1         0           0          0         ',
          '[2001:db8::9]:99': '[2001:db8::9]:99             1         0           0          0         ',
        },
      ),
    ],
    [
      'tun-info',
      expected(
        'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n',
        {
          '10.1.0.1:8080': '10.1.0.1:8080                Masq    n/a           3      0          0         ',
          '10.1.0.2:80': '10.1.0.2:80                  Route   n/a           1      0          0         ',
          '10.1.0.3:80': '10.1.0.3:80                  Tunnel  gue:6080:+c   1      0          0         ',
          '10.1.0.5:80': '10.1.0.5:80                  Tunnel  gre:+c        1      0          0         ',
          '10.1.0.6:80': '10.1.0.6:80                  Tunnel  ipip          1      0          0         ',
          '[2001:db8::10]:8443': '[2001:db8::10]:8443          Masq    n/a           1      0          0         ',
          '10.2.0.1:99': '10.2.0.1:99                  Masq    n/a           1      0          0         ',
          '[2001:db8::9]:99': '[2001:db8::9]:99             Masq    n/a           1      0          0         ',
        },
      ),
    ],
  ])('%s columns', (columns, text) => {
    expect(formatList(INFO, TABLE, { columns, exact: false })).toBe(text);
  });

  const zeros = '        0        0        0        0        0';
  const labelOnly = (line: string) =>
    `${
      line.startsWith('FWM')
        ? line
            .split(' ')
            .slice(0, line.includes('IPv6') ? 4 : 3)
            .join(' ')
        : line.split(' ').slice(0, 3).join(' ')
    }`.padEnd(33) + zeros;
  const realServerZeros = Object.fromEntries(
    SERVICES.filter((l) => l.startsWith('*')).map((l) => [l.slice(1), l.slice(1).padEnd(28) + zeros]),
  );
  test.each<[ListColumns, string]>([
    [
      'stats',
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n',
    ],
    [
      'rate',
      'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n',
    ],
  ])('%s columns of an idle table', (columns, title) => {
    expect(formatList(INFO, TABLE, { columns, exact: false })).toBe(expected(title, realServerZeros, labelOnly));
  });
});

describe('counters', () => {
  const stats = {
    ...NO_TRAFFIC,
    connections: 5n,
    inPackets: 123_456_789n,
    outPackets: 2_000_000_000n,
    inBytes: 300_000_000_000n,
    outBytes: 9n,
    cps: 150_000_000n,
    inPps: 7n,
    outPps: 8n,
    inBps: 1_500_000_000n,
    outBps: 10n,
  };
  const table = [live({ key: tcp('10.0.0.1', 80), stats }, realServer({ address: '10.1.0.1', stats }))];

  /** printf("%9llu") or "%8lluK": nine columns, right-aligned. */
  const columns = (...values: string[]) => values.map((v) => v.padStart(9)).join('');

  test('--stats divides large counters down with a suffix, for services and real servers alike', () => {
    expect(formatList(INFO, table, { columns: 'stats', exact: false }).split('\n').slice(3, 5)).toEqual([
      'TCP  10.0.0.1:80'.padEnd(33) + columns('5', '123456K', '2000M', '300G', '9'),
      '  -> 10.1.0.1:80'.padEnd(33) + columns('5', '123456K', '2000M', '300G', '9'),
    ]);
  });

  test('--rate: a real server prints its connection and packet rates in full, only byte rates divided', () => {
    expect(formatList(INFO, table, { columns: 'rate', exact: false }).split('\n').slice(3, 5)).toEqual([
      'TCP  10.0.0.1:80'.padEnd(33) + columns('150000K', '7', '8', '1500M', '10'),
      `${'  -> 10.1.0.1:80'.padEnd(33)} 150000000${columns('7', '8', '1500M', '10')}`,
    ]);
  });

  test('--exact prints every digit, a space before each', () => {
    expect(formatList(INFO, table, { columns: 'stats', exact: true }).split('\n')[3]).toBe(
      `${'TCP  10.0.0.1:80'.padEnd(33) + columns('5')} 123456789 2000000000 300000000000${columns('9')}`,
    );
  });
});

test('an empty table is the header alone', () => {
  expect(
    formatList({ version: 0x010203, connectionTableSize: 1 << 20 }, [], { columns: 'default', exact: false }),
  ).toBe(
    'IP Virtual Server version 1.2.3 (size=1048576)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n',
  );
});

test('--services: a label follows its service line as a comment; unlabelled lines are unchanged', () => {
  const plain = formatList(INFO, TABLE, { columns: 'default', exact: false }).split('\n');
  const labelled = formatList(INFO, TABLE, {
    columns: 'default',
    exact: false,
    label: (service) =>
      'address' in service.key && service.key.port === 80 ? `default/web:http (cluster-ip)` : undefined,
  }).split('\n');
  expect(labelled).toHaveLength(plain.length);
  const changed = labelled.flatMap((line, i) => (line === plain[i] ? [] : [[plain[i], line]]));
  expect(changed.length).toBeGreaterThan(0);
  for (const [before, after] of changed) expect(after).toBe(`${before}  # default/web:http (cluster-ip)`);
});
