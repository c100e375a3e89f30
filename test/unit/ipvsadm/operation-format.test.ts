import { expect, test } from '@jest/globals';
import type { IpvsOperation } from '../../../src/ipvs/types.js';
import { formatOperation } from '../../../src/ipvsadm/operation-format.js';
import { NO_FLAGS, fwmark, tcp, udp } from './table.js';

test.each<[IpvsOperation, string]>([
  [
    {
      op: 'add-service',
      service: {
        key: tcp('10.0.0.1', 80),
        scheduler: 'rr',
        flags: { ...NO_FLAGS, persistent: true },
        timeout: 60,
        netmask: 0xffffff00,
      },
    },
    '-A -t 10.0.0.1:80 -s rr -p 60 -M 255.255.255.0',
  ],
  [
    {
      op: 'edit-service',
      service: {
        key: fwmark(5, 'inet6'),
        scheduler: 'sh',
        flags: { ...NO_FLAGS, sched2: true },
        timeout: 0,
        netmask: 128,
      },
    },
    '-E -f 5 -6 -s sh -b sh-port',
  ],
  [{ op: 'delete-service', key: udp('2001:db8::1', 53) }, '-D -u [2001:db8::1]:53'],
  [
    {
      op: 'add-real-server',
      service: tcp('10.0.0.1', 80),
      realServer: {
        family: 'inet',
        address: '10.1.0.1',
        port: 8080,
        forwarding: 'masquerade',
        weight: 2,
        upperThreshold: 100,
        lowerThreshold: 10,
      },
    },
    '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 2 -x 100 -y 10',
  ],
  [
    {
      op: 'edit-real-server',
      service: tcp('10.0.0.1', 80),
      realServer: {
        family: 'inet',
        address: '10.1.0.1',
        port: 80,
        forwarding: 'tunnel',
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
        tunnel: { type: 'gue', port: 6080, flags: 2 },
      },
    },
    '-e -t 10.0.0.1:80 -r 10.1.0.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
  ],
  [
    { op: 'delete-real-server', service: fwmark(7), realServer: { family: 'inet', address: '10.1.0.1', port: 0 } },
    '-d -f 7 -r 10.1.0.1:0',
  ],
  [{ op: 'flush' }, '-C'],
  [{ op: 'zero' }, '-Z'],
  [{ op: 'zero', service: tcp('10.0.0.1', 80) }, '-Z -t 10.0.0.1:80'],
  [{ op: 'set-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }, '--set 900 120 300'],
])('%j is "%s"', (operation, line) => {
  expect(formatOperation(operation)).toBe(line);
});
