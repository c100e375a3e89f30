// The ipset save text, line for line as `ipset save` (ipset 7.17, Linux 6.1)
// printed these sets after `ipset restore` of the same members.
import { describe, expect, it } from '@jest/globals';
import { formatIpSetCreate, formatIpSetMember, formatIpSetSave } from '../../../src/contracts/ipset-text.js';
import type { DesiredIpset, DesiredIpsetEntry } from '../../../src/proxy/index.js';

const HASH = { kind: 'hash', hashSize: 1024, maxElem: 65536 } as const;
const BITMAP = { kind: 'bitmap', portFrom: 0, portTo: 65535 } as const;

function set(
  name: string,
  type: DesiredIpset['type'],
  entries: DesiredIpsetEntry[],
  family: DesiredIpset['family'] = 'inet',
): DesiredIpset {
  return { name, type, family, comment: 'not printed', options: type === 'bitmap:port' ? BITMAP : HASH, entries };
}

describe('formatIpSetCreate', () => {
  it("writes kube-proxy's create options in ipset's order", () => {
    expect(formatIpSetCreate(set('KUBE-CLUSTER-IP', 'hash:ip,port', []))).toBe(
      'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
    );
    expect(formatIpSetCreate(set('KUBE-6-IPVS-IPS', 'hash:ip', [], 'inet6'))).toBe(
      'create KUBE-6-IPVS-IPS hash:ip family inet6 hashsize 1024 maxelem 65536',
    );
  });

  it('gives a bitmap:port set its range and no family', () => {
    expect(formatIpSetCreate(set('KUBE-6-NODE-PORT-TCP', 'bitmap:port', [], 'inet6'))).toBe(
      'create KUBE-6-NODE-PORT-TCP bitmap:port range 0-65535',
    );
  });
});

describe('formatIpSetMember', () => {
  it.each<[DesiredIpsetEntry, string]>([
    [{ ip: '10.96.0.1' }, '10.96.0.1'],
    [{ port: 30080 }, '30080'],
    [{ ip: '10.96.0.10', protocol: 'udp', port: 53 }, '10.96.0.10,udp:53'],
    [{ ip: '10.96.0.10', protocol: 'sctp', port: 53 }, '10.96.0.10,sctp:53'],
    [{ ip: '10.244.1.5', protocol: 'tcp', port: 8080, ip2: '10.244.1.5' }, '10.244.1.5,tcp:8080,10.244.1.5'],
    [{ ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '10.0.0.0/8' }, '203.0.113.10,tcp:80,10.0.0.0/8'],
    [{ ip: '2001:db8::10', protocol: 'tcp', port: 80, net: '2001:db8:1::/48' }, '2001:db8::10,tcp:80,2001:db8:1::/48'],
  ])('%j as %s', (entry, text) => {
    expect(formatIpSetMember(entry)).toBe(text);
  });

  it('prints a network of one address as the address, as ipset does', () => {
    expect(formatIpSetMember({ ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '192.0.2.7/32' })).toBe(
      '203.0.113.10,tcp:80,192.0.2.7',
    );
    expect(formatIpSetMember({ ip: '2001:db8::10', protocol: 'tcp', port: 80, net: '2001:db8:2::1/128' })).toBe(
      '2001:db8::10,tcp:80,2001:db8:2::1',
    );
    // A /32 prefix on an IPv6 network is not a host prefix.
    expect(formatIpSetMember({ ip: '2001:db8::10', protocol: 'tcp', port: 80, net: '2001:db8::/32' })).toBe(
      '2001:db8::10,tcp:80,2001:db8::/32',
    );
  });
});

describe('formatIpSetSave', () => {
  it('writes each set, then its members, set after set', () => {
    const sets = [
      set('KUBE-CLUSTER-IP', 'hash:ip,port', [
        { ip: '10.96.0.1', protocol: 'tcp', port: 443 },
        { ip: '10.96.0.10', protocol: 'udp', port: 53 },
      ]),
      set('KUBE-NODE-PORT-UDP', 'bitmap:port', []),
      set('KUBE-NODE-PORT-TCP', 'bitmap:port', [{ port: 443 }, { port: 30080 }]),
      set(
        'KUBE-6-LOAD-BALANCER-SOURCE-CID',
        'hash:ip,port,net',
        [{ ip: '2001:db8::10', protocol: 'tcp', port: 80, net: '2001:db8:2::1/128' }],
        'inet6',
      ),
    ];
    expect(formatIpSetSave(sets)).toBe(
      [
        'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
        'add KUBE-CLUSTER-IP 10.96.0.1,tcp:443',
        'add KUBE-CLUSTER-IP 10.96.0.10,udp:53',
        'create KUBE-NODE-PORT-UDP bitmap:port range 0-65535',
        'create KUBE-NODE-PORT-TCP bitmap:port range 0-65535',
        'add KUBE-NODE-PORT-TCP 443',
        'add KUBE-NODE-PORT-TCP 30080',
        'create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536',
        'add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::10,tcp:80,2001:db8:2::1',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing for no sets', () => {
    expect(formatIpSetSave([])).toBe('');
  });
});
