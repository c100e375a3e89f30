import { describe, expect, it } from '@jest/globals';
import { renderProblem, validateEndpointSlice, validateNode, validateService } from '../../../src/proxy/index.js';
import { endpoint, endpointSlice, node, NODE, port, service } from '../../fixtures/proxy/objects.js';

describe('validateService', () => {
  it('reads a Service with the API server defaults for what is unset', () => {
    const result = validateService(service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] }));
    expect(result.problems).toEqual([]);
    expect(result.value).toMatchObject({
      namespace: 'default',
      name: 'web',
      type: 'ClusterIP',
      ports: [{ name: '', protocol: 'tcp', port: 80, nodePort: 0 }],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      healthCheckNodePort: 0,
    });
    expect(result.value?.affinityTimeoutSeconds).toBeUndefined();
    expect([...(result.value?.clusterIPs.entries() ?? [])].map(([f, ip]) => [f, ip.text])).toEqual([
      ['IPv4', '10.96.0.20'],
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['headless', { clusterIP: 'None', ports: [port('a', 80)] }, 'headless (clusterIP None): no virtual server'],
    [
      'ExternalName',
      { type: 'ExternalName', externalName: 'example.com' },
      'type ExternalName: a DNS name, nothing to proxy',
    ],
    ['without a cluster IP', { ports: [port('a', 80)] }, 'no cluster IP'],
  ])('skips a Service %s without a problem, saying why', (_name, spec, reason) => {
    expect(validateService(service('s', spec))).toEqual({ problems: [], skipped: reason });
  });

  it('skips a Service another proxy serves, saying which label', () => {
    const raw = service('s', { clusterIP: '10.96.0.1', ports: [port('a', 80)] });
    raw['metadata'] = {
      name: 's',
      namespace: 'default',
      labels: { 'service.kubernetes.io/service-proxy-name': 'other' },
    };
    expect(validateService(raw).skipped).toBe(
      'label service.kubernetes.io/service-proxy-name: served by another proxy',
    );
  });

  it('pairs cluster IPs with spec.ipFamilies', () => {
    const result = validateService(
      service('dual', {
        clusterIP: 'fd00::10',
        clusterIPs: ['fd00::10', '10.96.0.10'],
        ipFamilies: ['IPv6', 'IPv4'],
        ports: [port('a', 80)],
      }),
    );
    expect([...(result.value?.clusterIPs.entries() ?? [])].map(([f, ip]) => [f, ip.text])).toEqual([
      ['IPv6', 'fd00::10'],
      ['IPv4', '10.96.0.10'],
    ]);
  });

  it.each([
    [
      'a port out of range',
      { clusterIP: '10.96.0.1', ports: [{ port: 70000 }] },
      'spec.ports[0].port',
      'Too big: expected number to be <=65535',
    ],
    [
      'an unknown protocol',
      { clusterIP: '10.96.0.1', ports: [{ port: 80, protocol: 'ICMP' }] },
      'spec.ports[0].protocol',
      'Invalid option: expected one of "TCP"|"UDP"|"SCTP"',
    ],
    [
      'a port of the wrong type',
      { clusterIP: '10.96.0.1', ports: [{ port: '80' }] },
      'spec.ports[0].port',
      'Invalid input: expected number, received string',
    ],
    [
      'a bad cluster IP',
      { clusterIP: '10.96.0.300', ports: [port('a', 80)] },
      'spec.clusterIP',
      '"10.96.0.300" is not an IP address',
    ],
    [
      'a cluster IP of the wrong family',
      { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv6'], ports: [port('a', 80)] },
      'spec.clusterIPs[0]',
      '"10.96.0.1" is not an IPv6 address',
    ],
    // The API server refuses these; binding one to kube-ipvs0 would break the node.
    [
      'an unspecified cluster IP',
      { clusterIP: '0.0.0.0', ports: [port('a', 80)] },
      'spec.clusterIP',
      '"0.0.0.0" is an unspecified, loopback, link-local or multicast address',
    ],
    [
      'a loopback cluster IP',
      { clusterIP: '::1', ports: [port('a', 80)] },
      'spec.clusterIP',
      '"::1" is an unspecified, loopback, link-local or multicast address',
    ],
    [
      'an unknown type',
      { type: 'Magic', clusterIP: '10.96.0.1' },
      'spec.type',
      'Invalid option: expected one of "ClusterIP"|"NodePort"|"LoadBalancer"|"ExternalName"',
    ],
    [
      'an affinity timeout out of range',
      {
        clusterIP: '10.96.0.1',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
      },
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
      'Too small: expected number to be >=1',
    ],
  ])('skips a Service with %s and says why', (_what, spec, path, message) => {
    const result = validateService(service('bad', spec, { namespace: 'shop' }));
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([{ subject: 'Service', namespace: 'shop', name: 'bad', path, message }]);
  });

  it('names objects whose metadata is broken as well as it can', () => {
    const result = validateService({ metadata: { namespace: 'ns' }, spec: {} });
    expect(result.problems.map(renderProblem)).toEqual([
      'ns/<unnamed>: Service metadata.name: Invalid input: expected string, received undefined',
    ]);
    expect(validateService(null).problems.map(renderProblem)).toEqual([
      '<unnamed>: Service: Invalid input: expected object, received null',
    ]);
  });

  it('drops bad externalIPs, source ranges and ingress IPs one by one, as kube-proxy filters them', () => {
    const result = validateService(
      service(
        'lb',
        {
          type: 'LoadBalancer',
          clusterIP: '10.96.0.5',
          ports: [port('a', 80, 'TCP', 30080)],
          externalIPs: ['203.0.113.9', 'nope', '224.0.0.1'],
          // Whitespace around a range is trimmed, as kube-proxy trims it.
          loadBalancerSourceRanges: [' 198.51.100.0/24 ', '300.0.0.0/8'],
        },
        {
          status: {
            loadBalancer: {
              ingress: [
                { ip: '192.0.2.1' },
                { ip: 'x' },
                { hostname: 'lb.example.com' },
                { ip: '192.0.2.2', ipMode: 'Proxy' },
              ],
            },
          },
        },
      ),
    );
    expect(result.value?.externalIPs.map((ip) => ip.text)).toEqual(['203.0.113.9']);
    expect(result.value?.loadBalancerSourceRanges.map((c) => c.text)).toEqual(['198.51.100.0/24']);
    // Proxy-mode ingress IPs are the load balancer's own business.
    expect(result.value?.loadBalancerIPs.map((ip) => ip.text)).toEqual(['192.0.2.1']);
    expect(result.problems.map(renderProblem)).toEqual([
      'default/lb: Service spec.externalIPs[1]: "nope" is not an IP address; ignored',
      'default/lb: Service spec.externalIPs[2]: "224.0.0.1" is an unspecified, loopback, link-local or multicast address; ignored',
      'default/lb: Service spec.loadBalancerSourceRanges[1]: "300.0.0.0/8" is not a CIDR; ignored',
      'default/lb: Service status.loadBalancer.ingress[1].ip: "x" is not an IP address; ignored',
    ]);
  });

  it('keeps the first of two ports with the same name and protocol', () => {
    const result = validateService(
      service('dup', { clusterIP: '10.96.0.1', ports: [port('a', 80), port('a', 81), port('a', 81, 'UDP')] }),
    );
    expect(result.value?.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`)).toEqual(['a/tcp/80', 'a/udp/81']);
    expect(result.problems.map(renderProblem)).toEqual([
      'default/dup: Service spec.ports[1]: repeats port name "a" for TCP; ignored',
    ]);
  });
});

describe('validateEndpointSlice', () => {
  it('reads conditions with the API meaning of absent values, and hints', () => {
    const result = validateEndpointSlice(
      endpointSlice(
        'web',
        [port('http', 8080)],
        [
          endpoint('10.244.1.1'),
          endpoint('10.244.1.2', {
            ready: false,
            serving: true,
            terminating: true,
            node: NODE,
            forZones: ['z1'],
            forNodes: [NODE],
          }),
        ],
      ),
    );
    expect(result.problems).toEqual([]);
    expect(result.value?.serviceName).toBe('web');
    expect(result.value?.ports).toEqual([{ name: 'http', protocol: 'tcp', port: 8080 }]);
    expect(result.value?.endpoints.map((e) => ({ ...e, address: e.address.text }))).toEqual([
      { address: '10.244.1.1', ready: true, serving: true, terminating: false, zoneHints: [], nodeHints: [] },
      {
        address: '10.244.1.2',
        nodeName: NODE,
        ready: false,
        serving: true,
        terminating: true,
        zoneHints: ['z1'],
        nodeHints: [NODE],
      },
    ]);
  });

  it('drops ports without a name or number and endpoints without a usable address', () => {
    const raw = endpointSlice(
      'web',
      [{ port: 80 }, { name: 'zero', port: 0 }, { name: 'none' }, port('ok', 8080)],
      [{ addresses: [] }, endpoint('fd00::1'), endpoint('169.254.0.9'), endpoint('10.244.1.1')],
    );
    const result = validateEndpointSlice(raw);
    expect(result.value?.ports.map((p) => p.name)).toEqual(['ok']);
    expect(result.value?.endpoints.map((e) => e.address.text)).toEqual(['10.244.1.1']);
    expect(result.problems.map(renderProblem)).toEqual([
      'default/web-abcde: EndpointSlice ports[0].name: port has no name; ignored',
      'default/web-abcde: EndpointSlice ports[1].port: port has no number; ignored',
      'default/web-abcde: EndpointSlice ports[2].port: port has no number; ignored',
      'default/web-abcde: EndpointSlice endpoints[0].addresses: endpoint has no address; ignored',
      'default/web-abcde: EndpointSlice endpoints[1].addresses[0]: "fd00::1" is not an IPv4 address; ignored',
      'default/web-abcde: EndpointSlice endpoints[2].addresses[0]: "169.254.0.9" is an unspecified, loopback, link-local or multicast address; ignored',
    ]);
  });

  it('accepts null lists, as Go writes empty ones', () => {
    const result = validateEndpointSlice({ ...endpointSlice('web', [], []), ports: null, endpoints: null });
    expect(result.value?.ports).toEqual([]);
    expect(result.value?.endpoints).toEqual([]);
  });

  it('skips FQDN slices without a problem (saying why) and slices without a service name with a problem', () => {
    expect(validateEndpointSlice(endpointSlice('web', [], [], { addressType: 'FQDN' }))).toEqual({
      problems: [],
      skipped: 'addressType FQDN: no addresses to proxy to',
    });
    const orphan = endpointSlice('web', [], []);
    orphan['metadata'] = { name: 'orphan', namespace: 'default' };
    expect(validateEndpointSlice(orphan).problems.map(renderProblem)).toEqual([
      'default/orphan: EndpointSlice metadata.labels: has no kubernetes.io/service-name label; ignored',
    ]);
  });
});

describe('validateNode', () => {
  it('reads the zone and pod CIDRs of this node only', () => {
    const result = validateNode(node({ 'topology.kubernetes.io/zone': 'z1' }, ['10.244.1.0/24', 'bad']), NODE);
    expect(result.value?.zone).toBe('z1');
    expect(result.value?.podCIDRs.map((c) => c.text)).toEqual(['10.244.1.0/24']);
    expect(result.problems.map(renderProblem)).toEqual(['node-a: Node spec.podCIDRs[1]: "bad" is not a CIDR; ignored']);
    expect(validateNode(node(), 'node-z').problems.map(renderProblem)).toEqual([
      'node-a: Node metadata.name: is not this node ("node-z"); ignored',
    ]);
  });
});
