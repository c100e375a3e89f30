// Rules as iptables-save 1.8.9 prints them. The expected lines are what
// iptables-legacy-save printed (Linux 6.1) after iptables-restore of the rules
// as kube-proxy writes them; test/kernel/plan-iptables.test.ts checks a whole plan.
import type { IpFamily } from '../../../src/net/ip-family.js';
import { describe, expect, it } from '@jest/globals';
import { formatIptablesRule, formatIptablesSave, saveString } from '../../../src/contracts/iptables-text.js';
import type { IptablesRule, IptablesState, RuleMatch, RuleTarget } from '../../../src/proxy/index.js';

const rule = (chain: string, matches: RuleMatch[], target: RuleTarget): IptablesRule => ({ chain, matches, target });
const comment = (text: string): RuleMatch => ({ match: 'comment', comment: text });
const set = (name: string, ...directions: ('src' | 'dst')[]): RuleMatch => ({ match: 'set', set: name, directions });
const jump = (chain: string): RuleTarget => ({ target: 'jump', chain });
const line = (r: IptablesRule, family: IpFamily = 'IPv4') => formatIptablesRule(r, family);

describe('saveString', () => {
  it('leaves words of letters, digits, _ and - bare', () => {
    expect(saveString('x')).toBe('x');
    expect(saveString('kube_x-y')).toBe('kube_x-y');
  });

  it('quotes everything else, escaping quotes and backslashes', () => {
    expect(saveString('kubernetes service portals')).toBe('"kubernetes service portals"');
    expect(saveString('a.b')).toBe('"a.b"');
    expect(saveString('')).toBe('""');
    expect(saveString(`say "hi" it's a\\b`)).toBe(`"say \\"hi\\" it\\'s a\\\\b"`);
  });
});

describe('formatIptablesRule', () => {
  it('puts -s, -i and -p before the -m matches, in that order', () => {
    const r = rule(
      'KUBE-SERVICES',
      [
        { match: 'protocol', protocol: 'tcp' },
        comment('Kubernetes service cluster ip + port for masquerade purpose'),
        set('KUBE-CLUSTER-IP', 'dst', 'dst'),
        { match: 'in-interface', name: 'veth+', negate: true },
        { match: 'source', cidr: '10.244.0.0/16', negate: true },
      ],
      jump('KUBE-MARK-MASQ'),
    );
    expect(line(r)).toBe(
      '-A KUBE-SERVICES ! -s 10.244.0.0/16 ! -i veth+ -p tcp -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
    );
  });

  it('gives a source address its prefix length', () => {
    const drop = rule('KUBE-IPVS-OUT-FILTER', [{ match: 'source', cidr: '203.0.113.10', negate: false }], {
      target: 'DROP',
    });
    expect(line(drop)).toBe('-A KUBE-IPVS-OUT-FILTER -s 203.0.113.10/32 -j DROP');
    expect(line({ ...drop, matches: [{ match: 'source', cidr: '2001:db8::10', negate: false }] }, 'IPv6')).toBe(
      '-A KUBE-IPVS-OUT-FILTER -s 2001:db8::10/128 -j DROP',
    );
    expect(
      line(rule('KUBE-SERVICES', [{ match: 'source', cidr: '::1/128', negate: false }], { target: 'RETURN' }), 'IPv6'),
    ).toBe('-A KUBE-SERVICES -s ::1/128 -j RETURN');
  });

  it('writes the ipvs match with a protocol number and no full-length mask', () => {
    const r = rule('KUBE-IPVS-OUT-FILTER', [{ match: 'ipvs', vaddr: '203.0.113.10', vproto: 'tcp', vport: 80 }], {
      target: 'DROP',
    });
    expect(line(r)).toBe('-A KUBE-IPVS-OUT-FILTER -m ipvs --vproto 6 --vaddr 203.0.113.10 --vport 80 -j DROP');
    expect(
      line(rule('C', [{ match: 'ipvs', vaddr: '2001:db8::10', vproto: 'sctp', vport: 9 }], { target: 'DROP' }), 'IPv6'),
    ).toBe('-A C -m ipvs --vproto 132 --vaddr 2001:db8::10 --vport 9 -j DROP');
  });

  it('writes addrtype, physdev, mark and conntrack matches, negated or not', () => {
    const r = rule(
      'KUBE-SERVICES',
      [
        { match: 'physdev-is-in', negate: true },
        { match: 'addrtype', direction: 'src', addressType: 'LOCAL', negate: true },
        { match: 'addrtype', direction: 'dst', addressType: 'LOCAL', negate: false },
        { match: 'mark', value: 0x4000, mask: 0x4000, negate: true },
        { match: 'mark', value: 0x80000000, mask: 0xffffffff, negate: false },
        { match: 'conntrack', states: ['ESTABLISHED', 'RELATED'] },
      ],
      { target: 'ACCEPT' },
    );
    expect(line(r)).toBe(
      '-A KUBE-SERVICES -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -m addrtype --dst-type LOCAL -m mark ! --mark 0x4000/0x4000 -m mark --mark 0x80000000 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    );
  });

  it.each<[RuleTarget, IpFamily, string]>([
    [{ target: 'MARK', op: 'or', value: 0x4000 }, 'IPv4', '-j MARK --set-xmark 0x4000/0x4000'],
    [{ target: 'MARK', op: 'xor', value: 0x4000 }, 'IPv4', '-j MARK --set-xmark 0x4000/0x0'],
    [{ target: 'MARK', op: 'or', value: 0x80000000 }, 'IPv4', '-j MARK --set-xmark 0x80000000/0x80000000'],
    [{ target: 'MASQUERADE', randomFully: true }, 'IPv4', '-j MASQUERADE --random-fully'],
    [{ target: 'MASQUERADE', randomFully: false }, 'IPv4', '-j MASQUERADE'],
    [{ target: 'REJECT' }, 'IPv4', '-j REJECT --reject-with icmp-port-unreachable'],
    [{ target: 'REJECT' }, 'IPv6', '-j REJECT --reject-with icmp6-port-unreachable'],
    [{ target: 'RETURN' }, 'IPv4', '-j RETURN'],
    [jump('KUBE-NODE-PORT'), 'IPv6', '-j KUBE-NODE-PORT'],
  ])('writes the target %j (%s) as %s', (target, family, text) => {
    expect(line(rule('X', [], target), family)).toBe(`-A X ${text}`);
  });
});

describe('formatIptablesSave', () => {
  const state: IptablesState = {
    jumps: [
      { table: 'nat', chain: 'OUTPUT', target: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
      { table: 'filter', chain: 'INPUT', target: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
      { table: 'filter', chain: 'INPUT', target: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
      { table: 'nat', chain: 'PREROUTING', target: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
    ],
    nat: {
      chains: ['KUBE-SERVICES', 'KUBE-MARK-MASQ'],
      rules: [
        rule('KUBE-SERVICES', [{ match: 'source', cidr: '127.0.0.0/8', negate: false }], { target: 'RETURN' }),
        rule('KUBE-MARK-MASQ', [], { target: 'MARK', op: 'or', value: 0x4000 }),
        rule('KUBE-SERVICES', [set('KUBE-CLUSTER-IP', 'dst', 'dst')], { target: 'ACCEPT' }),
      ],
    },
    filter: {
      chains: ['KUBE-NODE-PORT', 'KUBE-IPVS-FILTER'],
      rules: [
        rule('KUBE-IPVS-FILTER', [{ match: 'conntrack', states: ['NEW'] }, set('KUBE-IPVS-IPS', 'dst')], {
          target: 'REJECT',
        }),
      ],
    },
  };

  it("lists nat, then filter: built-in chains, then kube-proxy's in name order, each chain's rules in order", () => {
    expect(formatIptablesSave(state, 'IPv4')).toBe(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':KUBE-MARK-MASQ - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
        '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
        'COMMIT',
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':KUBE-IPVS-FILTER - [0:0]',
        ':KUBE-NODE-PORT - [0:0]',
        // Each jump is inserted first when missing: the last one ensured comes first.
        '-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
        '-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT',
        '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});
