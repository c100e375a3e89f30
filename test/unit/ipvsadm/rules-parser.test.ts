// Restore lines to operations. The expected operations are what ipvsadm 1.31 -R made of the
// same lines in User-Mode Linux (read back with ipvsadm -Sn and -Ln --thresholds), and the refused
// lines are lines ipvsadm refused too, except where a test says otherwise.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { IpvsOperation, RealServer, ServiceFlags, ServiceKey, VirtualServer } from '../../../src/ipvs/types.js';
import { describeProblem, parseRules, type RuleProblemKind } from '../../../src/ipvsadm/rules-parser.js';
import { NO_FLAGS, fwmark, sctp, tcp, udp } from './table.js';

type ServiceFields = Partial<Omit<VirtualServer, 'key' | 'flags'>> & { readonly flags?: Partial<ServiceFlags> };

/** A service as ipvsadm -A sends it when only `fields` are given. */
function service(key: ServiceKey, fields: ServiceFields = {}): VirtualServer {
  return {
    key,
    scheduler: 'wlc',
    timeout: 0,
    netmask: key.family === 'inet6' ? 128 : 0xffffffff,
    ...fields,
    flags: { ...NO_FLAGS, ...fields.flags },
  };
}

/** A real server as ipvsadm -a sends it when only `fields` are given. */
function server(address: string, port: number, fields: Partial<RealServer> = {}): RealServer {
  return {
    family: address.includes(':') ? 'inet6' : 'inet',
    address,
    port,
    forwarding: 'route',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    ...fields,
  };
}

function operationOf(line: string): IpvsOperation | undefined {
  const parsed = parseRules(line);
  return parsed.ok ? parsed.operations[0]?.operation : undefined;
}

function problemOf(line: string): { kind: RuleProblemKind; message: string } | undefined {
  const parsed = parseRules(line);
  if (parsed.ok) return undefined;
  const [problem] = parsed.problems;
  return problem && { kind: problem.kind, message: problem.message };
}

const masq = { forwarding: 'masquerade' } as const;

describe('services', () => {
  test.each<[string, IpvsOperation]>([
    ['-A -t 1.1.1.1:80', { op: 'add-service', service: service(tcp('1.1.1.1', 80)) }],
    [
      '-A -t 1.1.1.4:80 -p -s rr',
      {
        op: 'add-service',
        service: service(tcp('1.1.1.4', 80), { scheduler: 'rr', flags: { persistent: true }, timeout: 360 }),
      },
    ],
    [
      '-A -t 1.1.1.5:80 -p10',
      { op: 'add-service', service: service(tcp('1.1.1.5', 80), { flags: { persistent: true }, timeout: 10 }) },
    ],
    [
      '-A -t 1.1.1.6:80 --persistent=11',
      { op: 'add-service', service: service(tcp('1.1.1.6', 80), { flags: { persistent: true }, timeout: 11 }) },
    ],
    [
      '-A -t 1.1.1.7:80 -s rr -p 2678400',
      {
        op: 'add-service',
        service: service(tcp('1.1.1.7', 80), { scheduler: 'rr', flags: { persistent: true }, timeout: 2678400 }),
      },
    ],
    [
      '-A -u 1.1.1.8:80 -s rr -p -o',
      {
        op: 'add-service',
        service: service(udp('1.1.1.8', 80), {
          scheduler: 'rr',
          flags: { persistent: true, onePacket: true },
          timeout: 360,
        }),
      },
    ],
    [
      '--add-service --tcp-service 1.1.1.1:80 --scheduler rr --persistent 20 --netmask 255.255.0.0',
      {
        op: 'add-service',
        service: service(tcp('1.1.1.1', 80), {
          scheduler: 'rr',
          flags: { persistent: true },
          timeout: 20,
          netmask: 0xffff0000,
        }),
      },
    ],
    [
      '-A -t 1.1.1.1:80 -M 255.0.0.0',
      { op: 'add-service', service: service(tcp('1.1.1.1', 80), { netmask: 0xff000000 }) },
    ],
    [
      '-A -t 1.1.1.2:80 -p -M 24',
      {
        op: 'add-service',
        service: service(tcp('1.1.1.2', 80), { flags: { persistent: true }, timeout: 360, netmask: 24 }),
      },
    ],
    [
      '-A -t 2001:db8::1 -p',
      { op: 'add-service', service: service(tcp('2001:db8::1', 0), { flags: { persistent: true }, timeout: 360 }) },
    ],
    [
      '-A -t [2001:db8::2]:80 -p -M 64',
      {
        op: 'add-service',
        service: service(tcp('2001:db8::2', 80), { flags: { persistent: true }, timeout: 360, netmask: 64 }),
      },
    ],
    // -M is read before the service is known to be IPv6; the service then resets it to /128.
    [
      '-A -M 0.0.0.64 -t [2001:db8::1]:80 -p',
      { op: 'add-service', service: service(tcp('2001:db8::1', 80), { flags: { persistent: true }, timeout: 360 }) },
    ],
    [
      '-A -t 1.2 -p',
      { op: 'add-service', service: service(tcp('1.0.0.2', 0), { flags: { persistent: true }, timeout: 360 }) },
    ],
    [
      '-A -t [1.2.3.9]:80 -p',
      { op: 'add-service', service: service(tcp('1.2.3.9', 0), { flags: { persistent: true }, timeout: 360 }) },
    ],
    [
      '-A -t 1.2.3.10:81 ipvsadm -s rr',
      { op: 'add-service', service: service(tcp('1.2.3.10', 81), { scheduler: 'rr' }) },
    ],
    [
      '-A --sctp-service 1.1.1.1:80 -s rr --sort',
      { op: 'add-service', service: service(sctp('1.1.1.1', 80), { scheduler: 'rr' }) },
    ],
    ['-A -f +7 -6', { op: 'add-service', service: service(fwmark(7, 'inet6')) }],
    ['-A -f 2147483648', { op: 'add-service', service: service(fwmark(2147483648)) }],
    ['-A -f 3 -o', { op: 'add-service', service: service(fwmark(3), { flags: { onePacket: true } }) }],
    [
      '-E -f 3 -s rr -o -p 5 -M 255.255.255.128',
      {
        op: 'edit-service',
        service: service(fwmark(3), {
          scheduler: 'rr',
          flags: { onePacket: true, persistent: true },
          timeout: 5,
          netmask: 0xffffff80,
        }),
      },
    ],
    // -E replaces the service: the scheduler returns to wlc and the flags to none.
    [
      '-E -t 1.1.1.1:80 -p',
      { op: 'edit-service', service: service(tcp('1.1.1.1', 80), { flags: { persistent: true }, timeout: 360 }) },
    ],
    [
      '-A -t 1.1.1.1:80 -s rr -b flag-1,flag-1',
      { op: 'add-service', service: service(tcp('1.1.1.1', 80), { scheduler: 'rr', flags: { sched1: true } }) },
    ],
    [
      '-A -t 1.1.1.2:80 -b flag-2',
      { op: 'add-service', service: service(tcp('1.1.1.2', 80), { flags: { sched2: true } }) },
    ],
    [
      '-A -t 1.1.1.3:80 -b sh-port -s sh',
      { op: 'add-service', service: service(tcp('1.1.1.3', 80), { scheduler: 'sh', flags: { sched2: true } }) },
    ],
    [
      '-A -t 1.1.1.4:80 -s mh -b ,mh-port',
      { op: 'add-service', service: service(tcp('1.1.1.4', 80), { scheduler: 'mh', flags: { sched2: true } }) },
    ],
    [
      '-A -t 1.1.1.5:80 -s sh -b sh-fallback,sh-port',
      {
        op: 'add-service',
        service: service(tcp('1.1.1.5', 80), { scheduler: 'sh', flags: { sched1: true, sched2: true } }),
      },
    ],
    [
      '-A -t 1.1.1.1:80 -s rr --pe sip',
      { op: 'add-service', service: service(tcp('1.1.1.1', 80), { scheduler: 'rr', persistenceEngine: 'sip' }) },
    ],
    ['-D -t 1.1.1.1:80', { op: 'delete-service', key: tcp('1.1.1.1', 80) }],
    ['--delete-service --udp-service [::1]:53', { op: 'delete-service', key: udp('::1', 53) }],
  ])('%s', (line, operation) => {
    expect(parseRules(line)).toEqual({ ok: true, operations: [{ line: 1, operation }] });
  });

  test('every scheduler of the kernel', () => {
    for (const scheduler of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']) {
      expect(operationOf(`-A -t 10.0.0.1:80 -s ${scheduler}`)).toEqual({
        op: 'add-service',
        service: service(tcp('10.0.0.1', 80), { scheduler }),
      });
    }
  });

  test('a negative -f, as ipvsadm -S prints marks above 2^31 - 1, is that mark (ipvsadm -R refuses it)', () => {
    expect(operationOf('-A -f -1 -s rr')).toEqual({
      op: 'add-service',
      service: service(fwmark(4294967295), { scheduler: 'rr' }),
    });
    expect(operationOf('-A -f -2147483648 -s rr')).toEqual({
      op: 'add-service',
      service: service(fwmark(2147483648), { scheduler: 'rr' }),
    });
  });
});

describe('real servers', () => {
  const svc = tcp('1.1.1.1', 80);
  test.each<[string, IpvsOperation]>([
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2:90 -m -w 4 -x 5 -y 2',
      {
        op: 'add-real-server',
        service: svc,
        realServer: server('2.2.2.2', 90, { ...masq, weight: 4, upperThreshold: 5, lowerThreshold: 2 }),
      },
    ],
    // Direct routing and tunnelling keep the service's port.
    [
      '--add-server --tcp-service 1.1.1.1:80 --real-server 2.2.2.3:90 --gatewaying',
      { op: 'add-real-server', service: svc, realServer: server('2.2.2.3', 80) },
    ],
    [
      '--add-server --tcp-service 1.1.1.1:80 --real-server 2.2.2.4:90 --ipip',
      {
        op: 'add-real-server',
        service: svc,
        realServer: server('2.2.2.4', 80, { forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } }),
      },
    ],
    ['-a -t 1.1.1.1:80 -r 2.2.2.2', { op: 'add-real-server', service: svc, realServer: server('2.2.2.2', 80) }],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2 -mw 3',
      { op: 'add-real-server', service: svc, realServer: server('2.2.2.2', 80, { ...masq, weight: 3 }) },
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.4 -w +5 -m',
      { op: 'add-real-server', service: svc, realServer: server('2.2.2.4', 80, { ...masq, weight: 5 }) },
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.5 -w=6 -m',
      { op: 'add-real-server', service: svc, realServer: server('2.2.2.5', 80, { ...masq, weight: 6 }) },
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.7 -w 2147483647 -m',
      { op: 'add-real-server', service: svc, realServer: server('2.2.2.7', 80, { ...masq, weight: 2147483647 }) },
    ],
    // -r before -t: the service port was still 0.
    ['-a -r 2.2.2.3 -m -t 1.1.1.1:80', { op: 'add-real-server', service: svc, realServer: server('2.2.2.3', 0, masq) }],
    [
      '-a -t 1.1.1.1:80 -r 2001:db8::7 -i',
      {
        op: 'add-real-server',
        service: svc,
        realServer: server('2001:db8::7', 80, { forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } }),
      },
    ],
    [
      '-a -t [2001:db8::1]:80 -r 10.0.0.2:99 -i --tun-type gue --tun-port 5555',
      {
        op: 'add-real-server',
        service: tcp('2001:db8::1', 80),
        realServer: server('10.0.0.2', 80, { forwarding: 'tunnel', tunnel: { type: 'gue', port: 5555, flags: 0 } }),
      },
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2:1234 -i --tun-type gue --tun-port 77 --tun-remcsum',
      {
        op: 'add-real-server',
        service: svc,
        realServer: server('2.2.2.2', 80, { forwarding: 'tunnel', tunnel: { type: 'gue', port: 77, flags: 2 } }),
      },
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2 -i --tun-type gre --tun-csum',
      {
        op: 'add-real-server',
        service: svc,
        realServer: server('2.2.2.2', 80, { forwarding: 'tunnel', tunnel: { type: 'gre', port: 0, flags: 1 } }),
      },
    ],
    // fwmark services keep the real server's port, and 0 when none is given.
    [
      '-a -f 5 -6 -r 10.0.0.1:80 -i',
      {
        op: 'add-real-server',
        service: fwmark(5, 'inet6'),
        realServer: server('10.0.0.1', 80, { forwarding: 'tunnel', tunnel: { type: 'ipip', port: 0, flags: 0 } }),
      },
    ],
    ['-a -f 7 -r 10.2.0.1 -g', { op: 'add-real-server', service: fwmark(7), realServer: server('10.2.0.1', 0) }],
    // -e replaces the real server: forwarding returns to -g, thresholds to 0.
    [
      '-e -u 1.1.1.1:80 -r 3.3.3.3 -w 9',
      { op: 'edit-real-server', service: udp('1.1.1.1', 80), realServer: server('3.3.3.3', 80, { weight: 9 }) },
    ],
    // -d keeps the port as written (ipvsadm fixes ports only for -a and -e).
    [
      '-d -t 1.1.1.1:80 -r 2.2.2.2:1234',
      { op: 'delete-real-server', service: svc, realServer: { family: 'inet', address: '2.2.2.2', port: 1234 } },
    ],
    [
      '-d -t 1.1.1.1:80 -r 2.2.2.2',
      { op: 'delete-real-server', service: svc, realServer: { family: 'inet', address: '2.2.2.2', port: 80 } },
    ],
  ])('%s', (line, operation) => {
    expect(parseRules(line)).toEqual({ ok: true, operations: [{ line: 1, operation }] });
  });
});

describe('table-wide commands', () => {
  test.each<[string, IpvsOperation]>([
    ['-C', { op: 'flush' }],
    ['--clear', { op: 'flush' }],
    ['-Z', { op: 'zero' }],
    ['-Z -u 1.1.1.1:80', { op: 'zero', service: udp('1.1.1.1', 80) }],
    ['--set 10 20 30', { op: 'set-timeouts', timeouts: { tcp: 10, tcpFin: 20, udp: 30 } }],
    ['--set 0 0 2678400', { op: 'set-timeouts', timeouts: { tcp: 0, tcpFin: 0, udp: 2678400 } }],
  ])('%s', (line, operation) => {
    expect(operationOf(line)).toEqual(operation);
  });
});

describe('refused lines', () => {
  test.each<[string, RuleProblemKind, string]>([
    ['-A -t 1.1.1.2:80 -s fastest', 'value', 'unknown scheduler "fastest"'],
    ['-A -t 1.1.1.1:80 -s RR', 'value', 'unknown scheduler "RR"'],
    ['-A -u 1.1.1.3:5060 -s rr -p 5 --pe xyz', 'value', 'unknown persistence engine "xyz"'],
    ['-A -u 1.1.1.9:80 -p 1.1.1.1', 'value', 'invalid persistence timeout "1.1.1.1" for -p (expected 1-2678400)'],
    ['-A -t 1.1.1.2:80 -s rr -p 2678401', 'value', 'invalid persistence timeout "2678401" for -p (expected 1-2678400)'],
    ['-A -t 1.1.1.3:80 -s rr -p 0', 'value', 'invalid persistence timeout "0" for -p (expected 1-2678400)'],
    [
      '-A -t 1.1.1.1:65536 -s rr',
      'value',
      'invalid service address "1.1.1.1:65536" for -t: "65536" is not a port number 0-65535 (service names are not resolved; save with ipvsadm -Sn)',
    ],
    ['-A -t 16909060 -p', 'value', 'invalid service address "16909060" for -t: expected address[:port]'],
    ['-A -f 0x10', 'value', 'invalid firewall mark "0x10" for -f (expected 1-4294967295)'],
    ['-A -f 0', 'value', 'invalid firewall mark "0" for -f (expected 1-4294967295)'],
    ['-A -t [2001:db8::3]:80 -p -M 0', 'value', 'invalid IPv6 persistence prefix length "0" for -M (expected 1-128)'],
    [
      '-A -t [2001:db8::4]:80 -p -M 129',
      'value',
      'invalid IPv6 persistence prefix length "129" for -M (expected 1-128)',
    ],
    ['-A -t 1.1.1.1:80 -p -M 255.255.255.256', 'value', 'invalid persistence netmask "255.255.255.256" for -M'],
    [
      '-A -t 1.1.1.1:80 -s rr -b flag-1,sh-port',
      'combination',
      'scheduler flag "sh-port" is only for the sh scheduler, not rr',
    ],
    ['-A -t 1.1.1.1:80 -s sh -b sh-fast', 'value', 'unknown scheduler flag "sh-fast"'],
    ['-A -t 1.1.1.1:80 -s sh -b ,', 'value', '-b needs at least one scheduler flag'],
    ['-A -t 1.1.1.1:80 -s sh -b', 'syntax', 'option -b needs a value'],
    ['-A -t 1.1.1.1:80 -s rr -s wrr', 'combination', 'more than one scheduler option (-s and -s)'],
    ['-A -t 1.1.1.1:80 -u 1.1.1.1:80', 'combination', 'more than one service-address option (-t and -u)'],
    ['-A -t 1.1.1.1:80 -s rr -6', 'combination', '-6 must follow -f (it makes a fwmark service IPv6)'],
    ['-A -t 1.1.1.1 -s rr', 'combination', 'port 0 is only allowed for a persistent service (-p)'],
    ['-A -t 1.1.1.8:80 -s rr -p -o', 'combination', 'one-packet scheduling (-o) is only for UDP and fwmark services'],
    ['-A -s rr', 'combination', '-A needs a service (-t, -u, --sctp-service or -f)'],
    ['-A -t 1.1.1.3:80 -s rr -A', 'syntax', 'more than one command (-A and -A)'],
    ['-A -t 1.1.1.5:80 -s rr extra', 'syntax', 'unexpected argument "extra"'],
    ['-t 1.1.1.5:80 -A', 'syntax', 'a line must start with a command: -A, -E, -D, -a, -e, -d, -C, -Z or --set'],
    ['hello', 'syntax', 'a line must start with a command: -A, -E, -D, -a, -e, -d, -C, -Z or --set'],
    ['-A -t 1.1.1.1:80 -p -5', 'syntax', 'unknown option "-5"'],
    ['-D -t 1.1.1.1:80 -s rr', 'combination', '-s is not allowed with -D'],
    ['-C -t 1.1.1.1:80', 'combination', '-t is not allowed with -C'],
    ['-A -t 1.1.1.1:80 -w 3', 'combination', '-w is not allowed with -A'],
    ['-A -t 1.1.1.1:80 -n', 'combination', '-n is not allowed with -A'],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.8 -w 2147483648 -m',
      'value',
      'invalid weight "2147483648" for -w (expected 0-2147483647)',
    ],
    ['-a -t 1.1.1.1:80 -r 2.2.2.2 -w -1', 'value', 'invalid weight "-1" for -w (expected 0-2147483647)'],
    ['-a -t 1.1.1.1:80 -r 2.2.2.2 -x y', 'value', 'invalid upper threshold "y" for -x (expected 0-2147483647)'],
    [
      '-a -t 1.1.1.1:80 -r -m',
      'value',
      'invalid real server address "-m" for -r: "-m" is not a numeric IP address (host names are not resolved; save with ipvsadm -Sn)',
    ],
    [
      '-a -t 1.1.1.1:80 -r [2001:db8::5] -i',
      'value',
      'invalid real server address "[2001:db8::5]" for -r: expected address[:port]',
    ],
    ['-a -t 1.1.1.1:80 -r 1.1.1.2:80 -m -x 1 -y 2 -x 4', 'combination', 'more than one u-threshold option (-x and -x)'],
    ['-a -t 1.1.1.1:80 -r 1.1.1.1:80 -m -g', 'combination', 'more than one forwarding-method option (-m and -g)'],
    [
      '-a -t 1.1.1.1:80 -r 2001:db8::1 -m',
      'combination',
      'a real server of another address family than its service needs tunnelling (-i)',
    ],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2:1234 -m --tun-type gue --tun-port 77',
      'combination',
      '--tun-type needs tunnelling (-i)',
    ],
    ['-a -t 1.1.1.1:80 -r 2.2.2.3:1234 -i --tun-type gue', 'combination', 'tunnel type gue needs --tun-port'],
    [
      '-a -t 1.1.1.1:80 -r 2.2.2.2 -i --tun-type gre --tun-csum --tun-nocsum',
      'combination',
      '--tun-nocsum conflicts with --tun-csum',
    ],
    [
      '-a -t 1.1.1.1:80 -r 10.1.0.4 -i --tun-type gre --tun-remcsum',
      'combination',
      '--tun-remcsum is not allowed with tunnel type gre',
    ],
    ['-a -t 1.1.1.1:80 -r 10.1.0.4 -i --tun-port 5', 'combination', '--tun-port is not allowed with tunnel type ipip'],
    [
      '-a -t 1.1.1.1:80 -r 10.1.0.4 -i --tun-type vxlan',
      'value',
      'unknown tunnel type "vxlan" (expected ipip, gue or gre)',
    ],
    ['-a -t 1.1.1.1:80 -m', 'combination', '-a needs a real server (-r)'],
    ['-d --sctp-service 1.1.1.1:80', 'combination', '-d needs a real server (-r)'],
    ['-d -t 1.1.1.1:80 -r 2.2.2.2:1234 -m', 'combination', '-m is not allowed with -d'],
    ['--set 1 2', 'syntax', '--set needs three timeouts: tcp tcpfin udp'],
    ['--set 1 2 3 4', 'syntax', 'unexpected argument "4"'],
    ['--set 1 2 x', 'value', 'invalid timeout "x" (expected 0-2678400)'],
    ['-L -n', 'unsupported', '-L (list) cannot be used in a restore file'],
    ['-S', 'unsupported', '-S (save) cannot be used in a restore file'],
    ['-R', 'unsupported', '-R (restore) cannot be used in a restore file'],
    ['--start-daemon master', 'unsupported', '--start-daemon (start-daemon) cannot be used in a restore file'],
  ])('%s', (line, kind, message) => {
    expect(problemOf(line)).toEqual({ kind, message });
  });
});

describe('a whole file', () => {
  test('gives the operations in order with their line numbers; comments and blank lines are skipped', () => {
    const parsed = parseRules('# saved\n-A -t 10.0.0.1:80 -s rr\n\n-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m\r\n-C\n');
    expect(parsed).toEqual({
      ok: true,
      operations: [
        { line: 2, operation: { op: 'add-service', service: service(tcp('10.0.0.1', 80), { scheduler: 'rr' }) } },
        {
          line: 4,
          operation: {
            op: 'add-real-server',
            service: tcp('10.0.0.1', 80),
            realServer: server('10.1.0.1', 8080, masq),
          },
        },
        { line: 5, operation: { op: 'flush' } },
      ],
    });
  });

  test('reports every bad line, with its number, and no operations', () => {
    const parsed = parseRules(
      '-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s fastest\n-a -t 10.0.0.1:80 -r 10.1.0.1 -m\n-a -t 10.0.0.1:80 -r 10.1.0.2 -w heavy\n',
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems.map(describeProblem)).toEqual([
      'line 2: unknown scheduler "fastest"',
      'line 4: invalid weight "heavy" for -w (expected 0-2147483647)',
    ]);
  });

  test('an empty file is no operations', () => {
    expect(parseRules('')).toEqual({ ok: true, operations: [] });
  });
});

describe('any input', () => {
  const words = fc.constantFrom(
    '-A',
    '-E',
    '-D',
    '-a',
    '-e',
    '-d',
    '-C',
    '-Z',
    '--set',
    '-t',
    '-u',
    '-f',
    '-6',
    '-s',
    'rr',
    'sh',
    '-p',
    '-M',
    '-r',
    '-m',
    '-i',
    '-g',
    '-w',
    '-x',
    '-y',
    '-b',
    'sh-port',
    'flag-3',
    '-o',
    '--pe',
    'sip',
    '--tun-type',
    'gue',
    '--tun-port',
    '--tun-csum',
    '10.0.0.1:80',
    '[::1]:80',
    '::1',
    '1.2',
    '0',
    '-1',
    '4294967296',
    '255.255.0.0',
    '64',
    '--',
    '=',
    '-w=3',
    'ipvsadm',
    '#',
  );
  const line = fc.oneof(
    fc.array(words, { maxLength: 12 }).map((w) => w.join(' ')),
    fc.string({ maxLength: 60 }),
    fc.stringMatching(/^[-a-z0-9:.[\] =#]{0,40}$/),
  );

  test('gives operations or line problems, never an exception', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const parsed = parseRules(lines.join('\n'));
        if (parsed.ok) {
          for (const { line: n } of parsed.operations) expect(n).toBeGreaterThanOrEqual(1);
        } else {
          expect(parsed.problems.length).toBeGreaterThan(0);
          for (const problem of parsed.problems) {
            expect(problem.line).toBeGreaterThanOrEqual(1);
            expect(problem.line).toBeLessThanOrEqual(lines.length);
            expect(['syntax', 'value', 'combination', 'unsupported']).toContain(problem.kind);
            expect(problem.message).not.toBe('');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
