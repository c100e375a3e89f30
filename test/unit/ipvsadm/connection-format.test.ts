// The connection table: the kernel's /proc/net/ip_vs_conn text in, ipvsadm -Lnc's text out.
// The lines below are the kernel's formats (ip_vs_conn_seq_show); test/kernel/dump-connections
// checks the whole path against ipvsadm on a real table.
import { describe, expect, it } from '@jest/globals';
import { ConnectionTableError, parseConnectionTable } from '../../../src/ipvs/connection-table.js';
import { formatConnections, formatConnectionsJson } from '../../../src/ipvsadm/connection-format.js';

const TABLE = [
  'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
  'TCP C0A80006 C816 AC100064 01BB 0A000011 01BB ESTABLISHED     899',
  'UDP 0A000001 D431 0A600001 0035 0AF40102 0035 UDP             299',
  'IP  C0A80006 0000 AC100064 01BB 0A000011 01BB NONE          10799',
  'TCP 2001:0db8:0000:0000:0000:0000:0000:0001 9C40 fd00:0000:0000:0000:0000:0000:0000:0010 0050 fd00:0010:0244:0000:0000:0000:0000:0005 1F90 SYN_RECV         59',
  '',
].join('\n');

describe('parseConnectionTable', () => {
  it("reads each line's protocol, endpoints, state and seconds left", () => {
    const [tcp, , template, v6] = parseConnectionTable(TABLE);
    expect(tcp).toEqual({
      protocol: 'TCP',
      client: { family: 'inet', address: '192.168.0.6', port: 51222 },
      virtual: { family: 'inet', address: '172.16.0.100', port: 443 },
      destination: { family: 'inet', address: '10.0.0.17', port: 443 },
      state: 'ESTABLISHED',
      expiresSeconds: 899,
    });
    expect(template).toMatchObject({ protocol: 'IP', state: 'NONE', expiresSeconds: 10799, client: { port: 0 } });
    expect(v6).toMatchObject({
      client: { family: 'inet6', address: '2001:db8::1', port: 40000 },
      destination: { address: 'fd00:10:244::5', port: 8080 },
    });
  });

  it('keeps a persistence engine and its data', () => {
    const [sip] = parseConnectionTable(
      'header\nUDP 0A000001 13C4 0A600001 13C4 0AF40102 13C4 UDP             179 sip call-1@example\n',
    );
    expect(sip?.persistenceEngine).toEqual({ name: 'sip', data: 'call-1@example' });
  });

  it('refuses a line the kernel would not write, naming it', () => {
    expect(() => parseConnectionTable('header\nTCP C0A80006 C816 nonsense\n')).toThrow(ConnectionTableError);
    expect(() => parseConnectionTable('header\nTCP C0A80006 C816 nonsense\n')).toThrow(
      '/proc/net/ip_vs_conn line 2: unexpected "TCP C0A80006 C816 nonsense"',
    );
  });

  it('reads an empty table', () => {
    expect(
      parseConnectionTable('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n'),
    ).toEqual([]);
  });
});

describe('formatConnections', () => {
  it("prints ipvsadm -Lnc's columns: %-3s %-6s %-11s %-18s %-18s %s, expiry as MM:SS", () => {
    expect(formatConnections(parseConnectionTable(TABLE))).toBe(
      [
        'IPVS connection entries',
        'pro expire state       source             virtual            destination',
        'TCP 14:59  ESTABLISHED 192.168.0.6:51222  172.16.0.100:443   10.0.0.17:443',
        'UDP 04:59  UDP         10.0.0.1:54321     10.96.0.1:53       10.244.1.2:53',
        'IP  179:59 NONE        192.168.0.6:0      172.16.0.100:443   10.0.0.17:443',
        'TCP 00:59  SYN_RECV    [2001:db8::1]:40000 [fd00::10]:80      [fd00:10:244::5]:8080',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with the same facts', () => {
    const json = JSON.parse(formatConnectionsJson(parseConnectionTable(TABLE))) as { connections: unknown[] };
    expect(json.connections).toHaveLength(4);
    expect(json.connections[1]).toEqual({
      protocol: 'UDP',
      client: { family: 'inet', address: '10.0.0.1', port: 54321 },
      virtual: { family: 'inet', address: '10.96.0.1', port: 53 },
      destination: { family: 'inet', address: '10.244.1.2', port: 53 },
      state: 'UDP',
      expiresSeconds: 299,
    });
  });
});
