import { describe, expect, it } from '@jest/globals';
import { endpoint, endpointSlice, port, service } from '../../fixtures/proxy/objects.js';
import { familyOf, ipsetMembers, run, virtualServerLines } from './summary.js';

const dns = service('dns', {
  type: 'ClusterIP',
  clusterIP: '10.96.0.10',
  clusterIPs: ['10.96.0.10'],
  ipFamilies: ['IPv4'],
  ports: [port('dns', 53, 'UDP'), port('dns-tcp', 53, 'TCP'), port('metrics', 9153, 'TCP')],
});
const dnsSlice = endpointSlice(
  'dns',
  [port('dns', 53, 'UDP'), port('dns-tcp', 53, 'TCP'), port('metrics', 9153, 'TCP')],
  [endpoint('10.244.2.7', { node: 'node-b' }), endpoint('10.244.1.5', { node: 'node-a' })],
);

describe('ClusterIP services', () => {
  it('program one virtual server per port with every ready endpoint, and bind the cluster IP', () => {
    const state = run({ services: [dns], slices: [dnsSlice] });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.10:53 default/dns:dns-tcp -> 10.244.1.5:53 10.244.2.7:53',
      'cluster-ip udp 10.96.0.10:53 default/dns:dns -> 10.244.1.5:53 10.244.2.7:53',
      'cluster-ip tcp 10.96.0.10:9153 default/dns:metrics -> 10.244.1.5:9153 10.244.2.7:9153',
    ]);
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.10']);
    expect(ipsetMembers(state)).toEqual({
      // Only the endpoint on this node can hairpin through its own service.
      'KUBE-LOOP-BACK': [
        '10.244.1.5,tcp:53,10.244.1.5',
        '10.244.1.5,udp:53,10.244.1.5',
        '10.244.1.5,tcp:9153,10.244.1.5',
      ],
      'KUBE-CLUSTER-IP': ['10.96.0.10,tcp:53', '10.96.0.10,udp:53', '10.96.0.10,tcp:9153'],
      'KUBE-IPVS-IPS': ['10.96.0.10'],
    });
    expect(state.problems).toEqual([]);
  });

  it('set every field of the virtual and real servers as kube-proxy does', () => {
    const state = run({
      services: [service('web', { clusterIP: '10.96.0.20', ports: [port('', 80)] })],
      slices: [endpointSlice('web', [port('', 8080)], [endpoint('10.244.1.9', { node: 'node-a' })])],
    });
    expect(familyOf(state).virtualServers).toEqual([
      {
        virtualServer: {
          key: { family: 'inet', protocol: 'tcp', address: '10.96.0.20', port: 80 },
          scheduler: 'rr',
          flags: { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false },
          timeout: 0,
          netmask: 0xffffffff,
        },
        realServers: [
          {
            family: 'inet',
            address: '10.244.1.9',
            port: 8080,
            forwarding: 'masquerade',
            weight: 1,
            upperThreshold: 0,
            lowerThreshold: 0,
          },
        ],
        service: { namespace: 'default', name: 'web', port: '', protocol: 'tcp' },
        role: 'cluster-ip',
      },
    ]);
  });

  it('support SCTP like TCP and UDP', () => {
    const state = run({
      services: [service('sig', { clusterIP: '10.96.0.30', ports: [port('sctp', 3868, 'SCTP')] })],
      slices: [endpointSlice('sig', [port('sctp', 3868, 'SCTP')], [endpoint('10.244.3.3')])],
    });
    expect(virtualServerLines(state)).toEqual(['cluster-ip sctp 10.96.0.30:3868 default/sig:sctp -> 10.244.3.3:3868']);
    expect(ipsetMembers(state)['KUBE-CLUSTER-IP']).toEqual(['10.96.0.30,sctp:3868']);
  });

  it('make ClientIP affinity persistent with its timeout, or the 3 hour default', () => {
    const sticky = (name: string, ip: string, config?: Record<string, unknown>) =>
      service(name, {
        clusterIP: ip,
        ports: [port('http', 80)],
        sessionAffinity: 'ClientIP',
        ...(config ? { sessionAffinityConfig: config } : {}),
      });
    const state = run({
      services: [sticky('a', '10.96.1.1', { clientIP: { timeoutSeconds: 600 } }), sticky('b', '10.96.1.2')],
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.1.1:80 persistent 600 default/a:http ->',
      'cluster-ip tcp 10.96.1.2:80 persistent 10800 default/b:http ->',
    ]);
  });

  it('make every virtual server of a sticky Service persistent, not only the cluster IP', () => {
    const state = run({
      services: [
        service('np', {
          type: 'NodePort',
          clusterIP: '10.96.1.3',
          ports: [port('http', 80, 'TCP', 30080)],
          externalIPs: ['203.0.113.7'],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        }),
      ],
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.1.3:80 persistent 60 default/np:http ->',
      'node-port tcp 192.168.1.10:30080 persistent 60 default/np:http ->',
      'external-ip tcp 203.0.113.7:80 persistent 60 default/np:http ->',
    ]);
  });

  it('use the configured scheduler, with the source-port flag for mh', () => {
    const web = service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)] });
    const flagsWith = (scheduler: string) => {
      const vs = familyOf(run({ services: [web], config: { scheduler } })).virtualServers[0]?.virtualServer;
      return [vs?.scheduler, vs?.flags.sched2];
    };
    expect(flagsWith('')).toEqual(['rr', false]);
    expect(flagsWith('lc')).toEqual(['lc', false]);
    expect(flagsWith('mh')).toEqual(['mh', true]);
  });

  it('keep the virtual server of a service without endpoints, with no real servers', () => {
    const state = run({ services: [service('empty', { clusterIP: '10.96.0.40', ports: [port('http', 80)] })] });
    expect(virtualServerLines(state)).toEqual(['cluster-ip tcp 10.96.0.40:80 default/empty:http ->']);
    expect(ipsetMembers(state)['KUBE-CLUSTER-IP']).toEqual(['10.96.0.40,tcp:80']);
  });

  it('match endpoints by port name and protocol, not by number', () => {
    const state = run({
      services: [service('two', { clusterIP: '10.96.0.50', ports: [port('a', 80), port('b', 81)] })],
      slices: [endpointSlice('two', [port('b', 9081), port('a', 9080, 'UDP')], [endpoint('10.244.1.1')])],
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.50:80 default/two:a ->',
      'cluster-ip tcp 10.96.0.50:81 default/two:b -> 10.244.1.1:9081',
    ]);
  });

  it('merge the slices of a service and count an endpoint in two slices once', () => {
    const ports = [port('http', 8080)];
    const state = run({
      services: [service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)] })],
      slices: [
        endpointSlice('web', ports, [endpoint('10.244.1.2'), endpoint('10.244.1.3')], { name: 'web-1' }),
        endpointSlice('web', ports, [endpoint('10.244.1.3'), endpoint('10.244.1.4')], { name: 'web-2' }),
        // Same service name in another namespace: another Service.
        endpointSlice('web', ports, [endpoint('10.244.9.9')], { name: 'web-x', namespace: 'other' }),
      ],
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.20:80 default/web:http -> 10.244.1.2:8080 10.244.1.3:8080 10.244.1.4:8080',
    ]);
  });

  it('skip headless services, ExternalName services and services without a cluster IP', () => {
    const state = run({
      services: [
        service('headless', { clusterIP: 'None', ports: [port('http', 80)] }),
        service('pending', { ports: [port('http', 80)] }),
        service('alias', {
          type: 'ExternalName',
          externalName: 'example.com',
          clusterIP: '10.96.0.99',
          ports: [port('http', 80)],
        }),
      ],
      slices: [endpointSlice('headless', [port('http', 80)], [endpoint('10.244.1.1')])],
    });
    expect(familyOf(state).virtualServers).toEqual([]);
    expect(familyOf(state).linkAddresses).toEqual([]);
    expect(ipsetMembers(state)).toEqual({});
    expect(state.problems).toEqual([]);
  });

  it('skip Services and EndpointSlices labelled for another proxy or as headless', () => {
    const labelled = (labels: Record<string, string>) =>
      service('other', { clusterIP: '10.96.0.60', ports: [port('http', 80)] }, { labels });
    const state = run({
      services: [
        labelled({ 'service.kubernetes.io/service-proxy-name': 'cilium' }),
        labelled({ 'service.kubernetes.io/headless': '' }),
        service('mine', { clusterIP: '10.96.0.61', ports: [port('http', 80)] }),
      ],
      slices: [
        endpointSlice('mine', [port('http', 80)], [endpoint('10.244.1.1')], { name: 'a' }),
        endpointSlice('mine', [port('http', 80)], [endpoint('10.244.1.2')], {
          name: 'b',
          labels: { 'service.kubernetes.io/headless': '' },
        }),
      ],
    });
    expect(virtualServerLines(state)).toEqual(['cluster-ip tcp 10.96.0.61:80 default/mine:http -> 10.244.1.1:80']);
  });

  it('keep the first claim when two services want the same virtual server, and report the other', () => {
    const state = run({
      services: [
        service('b', { clusterIP: '10.96.0.70', ports: [port('http', 80)] }),
        service('a', { clusterIP: '10.96.0.70', ports: [port('web', 80)] }),
      ],
    });
    expect(virtualServerLines(state)).toEqual(['cluster-ip tcp 10.96.0.70:80 default/a:web ->']);
    expect(state.problems).toEqual([
      {
        subject: 'Service',
        namespace: 'default',
        name: 'b',
        path: '',
        message: 'port "http" wants virtual server 10.96.0.70:80/tcp, which default/a:web already has; ignored',
      },
    ]);
  });
});
