// The model's settings from a configuration resolved exactly as `kipvs proxy`
// resolves its command line, and the node IPs kube-proxy would detect.
import { describe, expect, it } from '@jest/globals';
import { resolveProxyConfig } from '../../../src/config/index.js';
import { modelConfigFrom } from '../../../src/proxy/config-adapter.js';
import { nodeHostIPs, withBindAddress } from '../../../src/proxy/host-facts.js';

const resolve = (args: Record<string, string>) =>
  resolveProxyConfig({ flags: new Map(Object.entries(args).map(([k, v]) => [k, [v]])), hostname: () => 'Node-A' });

describe('modelConfigFrom', () => {
  it("gives kube-proxy's defaults for an empty command line", async () => {
    expect(modelConfigFrom(await resolve({}), ['IPv4', 'IPv6'])).toEqual({
      nodeName: 'node-a',
      ipFamilies: ['IPv4', 'IPv6'],
      scheduler: 'rr',
      strictARP: false,
      excludeCIDRs: [],
      ipvsTimeouts: { tcp: 0, tcpFin: 0, udp: 0 },
      masqueradeAll: false,
      masqueradeBit: 14,
      detectLocalMode: 'ClusterCIDR',
      clusterCIDRs: [],
      detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
      nodePortAddresses: [],
    });
  });

  it('carries every model flag', async () => {
    const config = await resolve({
      'hostname-override': 'worker-7',
      'ipvs-scheduler': 'wlc',
      'ipvs-strict-arp': 'true',
      'ipvs-exclude-cidrs': '10.0.0.0/8,fd00::/8',
      'ipvs-tcp-timeout': '15m',
      'ipvs-tcpfin-timeout': '2m',
      'ipvs-udp-timeout': '5m',
      'masquerade-all': 'true',
      'iptables-masquerade-bit': '10',
      'cluster-cidr': '10.244.0.0/16,fd00:10:244::/56',
      'detect-local-mode': 'InterfaceNamePrefix',
      'pod-interface-name-prefix': 'veth',
      'pod-bridge-interface': 'cbr0',
      'nodeport-addresses': '192.168.1.0/24,2001:db8::/64',
    });
    expect(modelConfigFrom(config, ['IPv6'])).toEqual({
      nodeName: 'worker-7',
      ipFamilies: ['IPv6'],
      scheduler: 'wlc',
      strictARP: true,
      excludeCIDRs: ['10.0.0.0/8', 'fd00::/8'],
      ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
      masqueradeAll: true,
      masqueradeBit: 10,
      detectLocalMode: 'InterfaceNamePrefix',
      clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
      detectLocal: { bridgeInterface: 'cbr0', interfaceNamePrefix: 'veth' },
      nodePortAddresses: ['192.168.1.0/24', '2001:db8::/64'],
    });
  });

  it("takes kipvs's node-wide scheduler flags (--ipvs-scheduler-flags) and the kernel's schedulers when given", async () => {
    const config = await resolve({ 'ipvs-scheduler': 'mh', 'ipvs-scheduler-flags': 'mh-fallback, mh-port' });
    expect(config.configuration.ipvs.schedulerFlags).toBe('mh-fallback, mh-port');
    const model = modelConfigFrom(config, ['IPv4'], ['rr', 'mh']);
    expect(model.schedulerFlags).toEqual({ sched1: true, sched2: true, sched3: false });
    expect(model.kernelSchedulers).toEqual(['rr', 'mh']);
    expect(modelConfigFrom(await resolve({ 'ipvs-scheduler': 'mh' }), ['IPv4']).schedulerFlags).toBeUndefined();
  });

  it('drops fractions of a second from the IPVS timeouts, as the kernel takes whole seconds', async () => {
    const config = await resolve({ 'ipvs-tcp-timeout': '1m30.9s', 'ipvs-udp-timeout': '900ms' });
    expect(modelConfigFrom(config, ['IPv4']).ipvsTimeouts).toEqual({ tcp: 90, tcpFin: 0, udp: 0 });
  });

  it.each([
    ['all', ['0.0.0.0/0', '::/0']],
    ['localhost', ['127.0.0.0/8', '::1/128']],
    ['primary', ['primary']],
    ['10.0.0.0/8,all', ['10.0.0.0/8', '0.0.0.0/0', '::/0']],
  ])('turns nodePortAddresses %s into %j', async (flag, expected) => {
    expect(modelConfigFrom(await resolve({ 'nodeport-addresses': flag }), ['IPv4']).nodePortAddresses).toEqual(
      expected,
    );
  });
});

const node = (...addresses: [string, string][]) => ({
  status: { addresses: addresses.map(([type, address]) => ({ type, address })) },
});

describe('nodeHostIPs', () => {
  it('takes the first InternalIP, then the first address of the other family', () => {
    expect(
      nodeHostIPs(
        node(
          ['Hostname', 'node-a'],
          ['InternalIP', '192.168.1.10'],
          ['InternalIP', '192.168.1.11'],
          ['InternalIP', 'fd00::10'],
        ),
      ),
    ).toEqual(['192.168.1.10', 'fd00::10']);
  });

  it('puts InternalIPs before ExternalIPs, whatever their order in the list', () => {
    expect(
      nodeHostIPs(node(['ExternalIP', '203.0.113.5'], ['InternalIP', '10.0.0.5'], ['ExternalIP', '2001:db8::5'])),
    ).toEqual(['10.0.0.5', '2001:db8::5']);
  });

  it('skips what is not an address, and finds nothing in a Node without addresses', () => {
    expect(nodeHostIPs(node(['InternalIP', 'node-a.example'], ['InternalIP', '10.0.0.5']))).toEqual(['10.0.0.5']);
    expect(nodeHostIPs({ metadata: { name: 'node-a' } })).toEqual([]);
    expect(nodeHostIPs(undefined)).toEqual([]);
    expect(nodeHostIPs({ status: { addresses: [null, 'x', { type: 'InternalIP' }] } })).toEqual([]);
  });

  it('writes addresses canonically', () => {
    expect(nodeHostIPs(node(['InternalIP', 'FD00:0:0::10']))).toEqual(['fd00::10']);
  });
});

describe('withBindAddress', () => {
  it('leaves the node IPs alone for an unspecified bind address', () => {
    expect(withBindAddress(['10.0.0.5', 'fd00::5'], '0.0.0.0')).toEqual(['10.0.0.5', 'fd00::5']);
    expect(withBindAddress(['10.0.0.5'], '::')).toEqual(['10.0.0.5']);
  });

  it("replaces its family's node IP with a specified bind address", () => {
    expect(withBindAddress(['10.0.0.5', 'fd00::5'], '10.0.0.9')).toEqual(['10.0.0.9', 'fd00::5']);
    expect(withBindAddress(['10.0.0.5', 'fd00::5'], 'fd00::9')).toEqual(['fd00::9', '10.0.0.5']);
    expect(withBindAddress([], '10.0.0.9')).toEqual(['10.0.0.9']);
  });
});
