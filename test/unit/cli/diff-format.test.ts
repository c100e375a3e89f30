// `kipvs diff`'s text: the plan of the pure diff, one section per tool, each line in that
// tool's own input format; nothing at all when the kernel is in the desired state.
import { describe, expect, it } from '@jest/globals';
import { conntrackLine, formatDiffText, inSync, ipsetLine } from '../../../src/cli/diff-format.js';
import type { LiveRealServer } from '../../../src/ipvs/types.js';
import type { LiveFamilyState } from '../../../src/contracts/live-state.js';
import type { Plan } from '../../../src/contracts/plan.js';
import {
  bitmapSet,
  desiredOf,
  desiredServer,
  diffAt,
  family,
  hashSet,
  liveOf,
  KERNEL_TIMEOUTS,
} from '../reconcile/states.js';

const WEB = desiredServer('web', '10.96.0.10', 80, 'tcp', ['10.244.1.2:8080', '10.244.1.3:8080']);
const DNS = desiredServer('dns', '10.96.0.53', 53, 'udp', ['10.244.1.4:53']);

const desired = desiredOf(
  family({
    virtualServers: [WEB, DNS],
    linkAddresses: ['10.96.0.10', '10.96.0.53'],
    ipsets: [
      hashSet('KUBE-CLUSTER-IP', 'hash:ip,port', [
        { ip: '10.96.0.10', protocol: 'tcp', port: 80 },
        { ip: '10.96.0.53', protocol: 'udp', port: 53 },
      ]),
      bitmapSet('KUBE-NODE-PORT-TCP'),
    ],
  }),
);

const diffText = (plan: Plan): string => formatDiffText({ nodeName: 'node-a', linkName: 'kube-ipvs0', plan });

describe('kipvs diff text', () => {
  it('prints nothing when the kernel is in the desired state', () => {
    const { plan } = diffAt(desired, liveOf(desired));
    expect(inSync(plan)).toBe(true);
    expect(diffText(plan)).toBe('');
  });

  it('an empty kernel: the link, the virtual and real servers, the addresses and the sets, per tool in plan order', () => {
    const empty = {
      families: [
        {
          ...(liveOf(desiredOf(family())).families[0] as LiveFamilyState),
          virtualServers: [],
          linkAddresses: [],
          ipsets: [],
        },
      ],
      ipvsTimeouts: KERNEL_TIMEOUTS,
    };
    const { plan } = diffAt(desired, empty);
    expect(inSync(plan)).toBe(false);
    expect(diffText(plan)).toBe(
      [
        '# kipvs diff for node node-a: create link | ipset create-set=2 add-entry=2 | ipvs add-service=2 add-real-server=3 | address add-address=2',
        '',
        '# IPVS (ipvsadm commands)',
        '-A -t 10.96.0.10:80 -s rr',
        '-a -t 10.96.0.10:80 -r 10.244.1.2:8080 -m -w 1',
        '-a -t 10.96.0.10:80 -r 10.244.1.3:8080 -m -w 1',
        '-A -u 10.96.0.53:53 -s rr',
        '-a -u 10.96.0.53:53 -r 10.244.1.4:53 -m -w 1',
        '',
        '# kube-ipvs0 addresses (ip -batch)',
        'link add kube-ipvs0 type dummy',
        'addr add 10.96.0.10/32 dev kube-ipvs0',
        'addr add 10.96.0.53/32 dev kube-ipvs0',
        '',
        '# ipsets (ipset restore)',
        'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
        'create KUBE-NODE-PORT-TCP bitmap:port range 0-65535',
        'add KUBE-CLUSTER-IP 10.96.0.10,tcp:80',
        'add KUBE-CLUSTER-IP 10.96.0.53,udp:53',
        '',
      ].join('\n'),
    );
  });

  it('drift: a lost real server, a stray address and member, a wrong weight, and an endpoint gone with its UDP flows', () => {
    const live = liveOf(desired);
    const [ipv4] = live.families;
    if (!ipv4) throw new Error('one family');
    const [web, dns] = ipv4.virtualServers;
    if (!web || !dns) throw new Error('two services');
    const [clusterIps, nodePorts] = ipv4.ipsets;
    if (!clusterIps || !nodePorts) throw new Error('two sets');
    const drifted = {
      ...live,
      families: [
        {
          ...ipv4,
          virtualServers: [
            { ...web, realServers: web.realServers.slice(1).map((rs) => ({ ...rs, weight: 3 })) },
            {
              ...dns,
              realServers: [...dns.realServers, { ...(dns.realServers[0] as LiveRealServer), address: '10.244.1.9' }],
            },
          ],
          linkAddresses: [...ipv4.linkAddresses, { address: '10.96.0.99', prefixLength: 32 }],
          ipsets: [
            {
              ...clusterIps,
              entries: [...clusterIps.entries, { ip: '10.96.0.99', protocol: 'tcp' as const, port: 80 }],
            },
            nodePorts,
          ],
        },
      ],
    };
    const text = diffText(diffAt(desired, drifted).plan);
    const sections = text.split('\n\n');
    expect(sections.slice(1)).toEqual([
      [
        '# IPVS (ipvsadm commands)',
        '-a -t 10.96.0.10:80 -r 10.244.1.2:8080 -m -w 1',
        '-e -t 10.96.0.10:80 -r 10.244.1.3:8080 -m -w 1',
        '-d -u 10.96.0.53:53 -r 10.244.1.9:53',
      ].join('\n'),
      ['# kube-ipvs0 addresses (ip -batch)', 'addr del 10.96.0.99/32 dev kube-ipvs0'].join('\n'),
      ['# ipsets (ipset restore)', 'del KUBE-CLUSTER-IP 10.96.0.99,tcp:80'].join('\n'),
      [
        '# conntrack flows (conntrack arguments)',
        '-D -f ipv4 -p udp --orig-dst 10.96.0.53 --orig-port-dst 53 --reply-src 10.244.1.9 --reply-port-src 53',
        '',
      ].join('\n'),
    ]);
  });

  it("ipset lines in ipset restore syntax, without the plan's -exist", () => {
    expect(
      ipsetLine({
        op: 'add-entry',
        set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
        entry: { ip: '203.0.113.7', protocol: 'tcp', port: 80, net: '10.0.0.0/8' },
        exist: true,
      }),
    ).toBe('add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.7,tcp:80,10.0.0.0/8');
    expect(
      ipsetLine({
        op: 'create-set',
        set: {
          name: 'KUBE-6-CLUSTER-IP',
          type: 'hash:ip,port',
          family: 'inet6',
          options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
        },
      }),
    ).toBe('create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536');
    expect(ipsetLine({ op: 'swap-sets', set: 'A', other: 'B' })).toBe('swap A B');
    expect(ipsetLine({ op: 'destroy-set', set: 'KUBE-LOOP-BACK' })).toBe('destroy KUBE-LOOP-BACK');
  });

  it('conntrack arguments for a removed service address (no reply source) and in IPv6', () => {
    expect(conntrackLine({ family: 'inet6', protocol: 'udp', destination: 'fd00:96::10', destinationPort: 53 })).toBe(
      '-D -f ipv6 -p udp --orig-dst fd00:96::10 --orig-port-dst 53',
    );
  });

  it('iptables rewrites whole, per family, and IPVS timeouts as ipvsadm --set', () => {
    const plan: Plan = {
      createLink: false,
      ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 60 },
      phases: [
        {
          kind: 'iptables',
          rewrites: [
            {
              family: 'inet',
              table: 'nat',
              restore: '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN\nCOMMIT\n',
              cause: { reason: 'rules differ' },
            },
            {
              family: 'inet6',
              table: 'filter',
              restore: '*filter\n:KUBE-FORWARD - [0:0]\nCOMMIT\n',
              cause: { reason: 'rules differ' },
            },
          ],
        },
      ],
    };
    expect(diffText(plan).split('\n\n').slice(1)).toEqual([
      '# IPVS (ipvsadm commands)\n--set 900 120 60',
      '# iptables (iptables-restore --noflush)\n*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN\nCOMMIT',
      '# ip6tables (ip6tables-restore --noflush)\n*filter\n:KUBE-FORWARD - [0:0]\nCOMMIT\n',
    ]);
  });
});
