// The audit line of each kind of change: what an operator reads in the log.
import type { KernelChange } from '../../../src/contracts/kernel-port.js';
import { describe, expect, it } from '@jest/globals';
import type { RealServer, ServiceKey, VirtualServer } from '../../../src/ipvs/index.js';
import { describeChange } from '../../../src/kernel/index.js';

const dns: ServiceKey = { family: 'inet', protocol: 'udp', address: '10.96.0.10', port: 53 };
const web6: ServiceKey = { family: 'inet6', protocol: 'tcp', address: 'fd00::10', port: 443 };
const flags = { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false };
const service = (key: ServiceKey, extra: Partial<VirtualServer> = {}): VirtualServer => ({
  key,
  scheduler: 'rr',
  flags,
  timeout: 0,
  netmask: 0xffffffff,
  ...extra,
});
const backend = (address: string, port: number, weight = 1): RealServer => ({
  family: address.includes(':') ? 'inet6' : 'inet',
  address,
  port,
  forwarding: 'masquerade',
  weight,
  upperThreshold: 0,
  lowerThreshold: 0,
});

const CASES: [KernelChange, string][] = [
  [{ kind: 'link', name: 'kube-ipvs0' }, 'create dummy link kube-ipvs0 (down)'],
  [
    { kind: 'ipvs-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } },
    'set IPVS timeouts tcp 900 tcpfin 120 udp 300',
  ],
  [
    { kind: 'ipvs', op: { op: 'add-service', service: service(dns) } },
    'add virtual server UDP 10.96.0.10:53 scheduler rr',
  ],
  [
    {
      kind: 'ipvs',
      op: {
        op: 'edit-service',
        service: service(web6, { scheduler: 'sh', flags: { ...flags, persistent: true }, timeout: 10800 }),
      },
    },
    'update virtual server TCP [fd00::10]:443 scheduler sh persistent 10800s',
  ],
  [
    {
      kind: 'ipvs',
      op: {
        op: 'edit-service',
        service: service(dns, { scheduler: 'mh', flags: { ...flags, sched1: true, sched2: true } }),
      },
    },
    'update virtual server UDP 10.96.0.10:53 scheduler mh (mh-fallback,mh-port)',
  ],
  [{ kind: 'ipvs', op: { op: 'delete-service', key: { family: 'inet', fwmark: 5 } } }, 'delete virtual server FWM 5'],
  [
    { kind: 'ipvs', op: { op: 'add-real-server', service: dns, realServer: backend('10.244.1.5', 53) } },
    'add real server UDP 10.96.0.10:53 -> 10.244.1.5:53 weight 1',
  ],
  [
    { kind: 'ipvs', op: { op: 'edit-real-server', service: web6, realServer: backend('fd00:1::5', 8443, 0) } },
    'set real server TCP [fd00::10]:443 -> [fd00:1::5]:8443 weight 0',
  ],
  [
    { kind: 'ipvs', op: { op: 'delete-real-server', service: dns, realServer: backend('10.244.1.5', 53) } },
    'delete real server UDP 10.96.0.10:53 -> 10.244.1.5:53',
  ],
  [
    {
      kind: 'ipset',
      op: {
        op: 'create-set',
        set: {
          name: 'KUBE-CLUSTER-IP',
          type: 'hash:ip,port',
          family: 'inet',
          options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
        },
      },
    },
    'create set KUBE-CLUSTER-IP hash:ip,port family inet',
  ],
  [
    {
      kind: 'ipset',
      op: {
        op: 'create-set',
        set: {
          name: 'KUBE-NODE-PORT-TCP',
          type: 'bitmap:port',
          options: { kind: 'bitmap', portFrom: 0, portTo: 65535 },
        },
      },
    },
    'create set KUBE-NODE-PORT-TCP bitmap:port',
  ],
  [
    {
      kind: 'ipset',
      op: { op: 'add-entry', set: 'KUBE-CLUSTER-IP', entry: { ip: '10.96.0.10', protocol: 'udp', port: 53 } },
    },
    'add 10.96.0.10,udp:53 to set KUBE-CLUSTER-IP',
  ],
  [
    { kind: 'ipset', op: { op: 'delete-entry', set: 'KUBE-NODE-PORT-TCP', entry: { port: 30080 } } },
    'delete 30080 from set KUBE-NODE-PORT-TCP',
  ],
  [{ kind: 'ipset', op: { op: 'destroy-set', set: 'KUBE-X' } }, 'destroy set KUBE-X'],
  [
    { kind: 'address', op: { op: 'add-address', address: '10.96.0.10', prefixLength: 32 }, linkName: 'kube-ipvs0' },
    'bind 10.96.0.10/32 to kube-ipvs0',
  ],
  [
    { kind: 'address', op: { op: 'delete-address', address: 'fd00::10', prefixLength: 128 }, linkName: 'kube-ipvs0' },
    'unbind fd00::10/128 from kube-ipvs0',
  ],
  [
    {
      kind: 'iptables',
      rewrite: {
        family: 'inet6',
        table: 'nat',
        restore: '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n',
        cause: { reason: 'rules changed' },
      },
    },
    'rewrite ip6tables nat table: 2 chains, 1 rule',
  ],
  [
    {
      kind: 'conntrack',
      deletion: {
        family: 'inet',
        protocol: 'udp',
        destination: '10.96.0.10',
        destinationPort: 53,
        replySource: '10.244.1.5',
        replySourcePort: 53,
      },
    },
    'delete UDP conntrack flows to 10.96.0.10:53 answered by 10.244.1.5:53',
  ],
  [
    { kind: 'conntrack', deletion: { family: 'inet6', protocol: 'sctp', destination: 'fd00::10', destinationPort: 9 } },
    'delete SCTP conntrack flows to [fd00::10]:9',
  ],
];

describe('describeChange', () => {
  it.each(CASES)('%j', (change, line) => {
    expect(describeChange(change)).toBe(line);
  });
});
