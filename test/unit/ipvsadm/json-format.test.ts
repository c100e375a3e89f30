import { expect, test } from '@jest/globals';
import { formatJson, jsonCounter } from '../../../src/ipvsadm/json-format.js';
import { NO_TRAFFIC, fwmark, live, realServer, tcp } from './table.js';

test('counters are numbers while exact in a double, decimal strings above', () => {
  expect(jsonCounter(0n)).toBe(0);
  expect(jsonCounter(9007199254740991n)).toBe(9007199254740991);
  expect(jsonCounter(9007199254740992n)).toBe('9007199254740992');
  expect(jsonCounter(18446744073709551615n)).toBe('18446744073709551615');
});

test('the table is the domain model, services in ipvsadm order, each with its real servers', () => {
  const stats = { ...NO_TRAFFIC, connections: 3n, inBytes: 2n ** 60n };
  const text = formatJson([
    live({ key: fwmark(7) }),
    live({ key: tcp('10.0.0.1', 80), stats }, realServer({ address: '10.1.0.1', port: 8080, stats })),
  ]);
  const parsed: unknown = JSON.parse(text);
  expect(text.endsWith('}\n')).toBe(true);
  expect(parsed).toEqual({
    services: [
      {
        key: { family: 'inet', protocol: 'tcp', address: '10.0.0.1', port: 80 },
        scheduler: 'rr',
        flags: { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false },
        timeout: 0,
        netmask: 4294967295,
        stats: {
          connections: 3,
          inPackets: 0,
          outPackets: 0,
          inBytes: '1152921504606846976',
          outBytes: 0,
          cps: 0,
          inPps: 0,
          outPps: 0,
          inBps: 0,
          outBps: 0,
        },
        realServers: [
          {
            family: 'inet',
            address: '10.1.0.1',
            port: 8080,
            forwarding: 'masquerade',
            weight: 1,
            upperThreshold: 0,
            lowerThreshold: 0,
            activeConnections: 0,
            inactiveConnections: 0,
            persistentConnections: 0,
            stats: {
              connections: 3,
              inPackets: 0,
              outPackets: 0,
              inBytes: '1152921504606846976',
              outBytes: 0,
              cps: 0,
              inPps: 0,
              outPps: 0,
              inBps: 0,
              outBps: 0,
            },
          },
        ],
      },
      {
        key: { family: 'inet', fwmark: 7 },
        scheduler: 'rr',
        flags: { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false },
        timeout: 0,
        netmask: 4294967295,
        stats: {
          connections: 0,
          inPackets: 0,
          outPackets: 0,
          inBytes: 0,
          outBytes: 0,
          cps: 0,
          inPps: 0,
          outPps: 0,
          inBps: 0,
          outBps: 0,
        },
        realServers: [],
      },
    ],
  });
});

test('--services: each service gets a "kubernetes" member, null where no Service port is found', () => {
  const web = { namespace: 'default', name: 'web', port: 'http', protocol: 'tcp', role: 'cluster-ip' };
  const text = formatJson([live({ key: fwmark(7) }), live({ key: tcp('10.0.0.1', 80) })], (service) =>
    'fwmark' in service.key ? undefined : web,
  );
  const parsed = JSON.parse(text) as { services: { kubernetes: unknown }[] };
  expect(parsed.services.map((s) => s.kubernetes)).toEqual([web, null]);
});
