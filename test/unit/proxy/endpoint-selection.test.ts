import { describe, expect, it } from '@jest/globals';
import {
  endpoint,
  endpointSlice,
  node,
  NODE,
  port,
  service,
  type EndpointOptions,
  type Json,
} from '../../fixtures/proxy/objects.js';
import { familyOf, ipsetMembers, run, virtualServerLines } from './summary.js';

/** The real servers of the cluster IP virtual server of a one-port Service with these endpoints. */
function realServers(endpoints: [string, EndpointOptions][], spec: Json = {}, nodeObject?: Json): string[] {
  const state = run({
    services: [service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)], ...spec })],
    slices: [
      endpointSlice(
        'web',
        [port('http', 8080)],
        endpoints.map(([ip, options]) => endpoint(ip, options)),
      ),
    ],
    ...(nodeObject ? { node: nodeObject } : {}),
  });
  const line = virtualServerLines(state).find((l) => l.startsWith('cluster-ip'));
  return (
    line
      ?.split(' -> ')[1]
      ?.trim()
      .split(' ')
      .filter((s) => s !== '') ?? []
  );
}

describe('ready, serving and terminating endpoints', () => {
  it('use ready endpoints only, while there are any', () => {
    expect(
      realServers([
        ['10.244.1.1', {}],
        ['10.244.1.2', { ready: false }],
        ['10.244.1.3', { ready: false, serving: true, terminating: true }],
      ]),
    ).toEqual(['10.244.1.1:8080']);
  });

  it('fall back to terminating endpoints that still serve when none is ready', () => {
    expect(
      realServers([
        ['10.244.1.2', { ready: false, serving: false }],
        ['10.244.1.3', { ready: false, serving: true, terminating: true }],
        ['10.244.1.4', { ready: false, serving: false, terminating: true }],
      ]),
    ).toEqual(['10.244.1.3:8080']);
  });

  it('have no real server when nothing is ready or serving', () => {
    expect(realServers([['10.244.1.2', { ready: false, serving: false }]])).toEqual([]);
  });

  it('prefer the running endpoint when a terminating one has the same address in another slice', () => {
    const state = run({
      services: [service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)] })],
      slices: [
        endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.5')], { name: 'web-new' }),
        endpointSlice(
          'web',
          [port('http', 8080)],
          [endpoint('10.244.1.5', { ready: false, serving: true, terminating: true })],
          { name: 'web-old' },
        ),
        endpointSlice(
          'web',
          [port('http', 8080)],
          [endpoint('10.244.1.6', { ready: false, terminating: true, serving: false })],
          { name: 'web-a' },
        ),
      ],
    });
    expect(virtualServerLines(state)).toEqual(['cluster-ip tcp 10.96.0.20:80 default/web:http -> 10.244.1.5:8080']);
  });

  it('hairpin-masquerade every local endpoint, ready or not', () => {
    const state = run({
      services: [service('web', { clusterIP: '10.96.0.20', ports: [port('http', 80)] })],
      slices: [
        endpointSlice(
          'web',
          [port('http', 8080)],
          [endpoint('10.244.1.2', { node: NODE, ready: false }), endpoint('10.244.2.2', { node: 'node-b' })],
        ),
      ],
    });
    expect(ipsetMembers(state)['KUBE-LOOP-BACK']).toEqual(['10.244.1.2,tcp:8080,10.244.1.2']);
  });
});

describe('internalTrafficPolicy Local', () => {
  const local = { internalTrafficPolicy: 'Local' };

  it('sends cluster IP traffic to this node endpoints only', () => {
    expect(
      realServers(
        [
          ['10.244.1.1', { node: NODE }],
          ['10.244.2.1', { node: 'node-b' }],
        ],
        local,
      ),
    ).toEqual(['10.244.1.1:8080']);
  });

  it('has no real server without a local endpoint', () => {
    expect(realServers([['10.244.2.1', { node: 'node-b' }]], local)).toEqual([]);
  });

  it('on an externally reachable Service, falls back to all endpoints without a local one, as kube-proxy IPVS does', () => {
    const state = run({
      services: [
        service('np', {
          type: 'NodePort',
          clusterIP: '10.96.0.80',
          ports: [port('p', 80, 'TCP', 30080)],
          internalTrafficPolicy: 'Local',
        }),
      ],
      slices: [endpointSlice('np', [port('p', 8080)], [endpoint('10.244.2.1', { node: 'node-b' })])],
    });
    expect(virtualServerLines(state)).toEqual([
      'cluster-ip tcp 10.96.0.80:80 default/np:p -> 10.244.2.1:8080',
      'node-port tcp 192.168.1.10:30080 default/np:p -> 10.244.2.1:8080',
    ]);
  });

  it('falls back to local terminating endpoints that serve', () => {
    expect(
      realServers(
        [
          ['10.244.1.1', { node: NODE, ready: false, serving: true, terminating: true }],
          ['10.244.2.1', { node: 'node-b' }],
        ],
        local,
      ),
    ).toEqual(['10.244.1.1:8080']);
  });
});

describe('topology hints', () => {
  const zoned = (zone: string) => node({ 'topology.kubernetes.io/zone': zone });

  it('PreferClose and PreferSameZone (zone hints): use the endpoints hinted for this zone', () => {
    const endpoints: [string, EndpointOptions][] = [
      ['10.244.1.1', { forZones: ['z1'] }],
      ['10.244.2.1', { forZones: ['z2'] }],
      ['10.244.3.1', { forZones: ['z1', 'z3'] }],
    ];
    expect(realServers(endpoints, {}, zoned('z1'))).toEqual(['10.244.1.1:8080', '10.244.3.1:8080']);
    expect(realServers(endpoints, {}, zoned('z2'))).toEqual(['10.244.2.1:8080']);
  });

  it('ignore zone hints when this zone has none, the node has no zone, or a ready endpoint lacks hints', () => {
    const all = ['10.244.1.1:8080', '10.244.2.1:8080'];
    expect(
      realServers(
        [
          ['10.244.1.1', { forZones: ['z1'] }],
          ['10.244.2.1', { forZones: ['z2'] }],
        ],
        {},
        zoned('z9'),
      ),
    ).toEqual(all);
    expect(
      realServers([
        ['10.244.1.1', { forZones: ['z1'] }],
        ['10.244.2.1', { forZones: ['z2'] }],
      ]),
    ).toEqual(all);
    expect(
      realServers(
        [
          ['10.244.1.1', { forZones: ['z1'] }],
          ['10.244.2.1', {}],
        ],
        {},
        zoned('z1'),
      ),
    ).toEqual(all);
  });

  it('look at the hints of ready endpoints only', () => {
    expect(
      realServers(
        [
          ['10.244.1.1', { forZones: ['z1'] }],
          ['10.244.2.1', { forZones: ['z2'] }],
          ['10.244.3.1', { ready: false }],
        ],
        {},
        zoned('z1'),
      ),
    ).toEqual(['10.244.1.1:8080']);
  });

  it('PreferSameNode (node hints): use the endpoints hinted for this node, else fall back to zone hints', () => {
    const endpoints: [string, EndpointOptions][] = [
      ['10.244.1.1', { forNodes: [NODE], forZones: ['z1'] }],
      ['10.244.2.1', { forNodes: ['node-b'], forZones: ['z1'] }],
      ['10.244.3.1', { forNodes: ['node-c'], forZones: ['z2'] }],
    ];
    expect(realServers(endpoints, {}, zoned('z1'))).toEqual(['10.244.1.1:8080']);
    const elsewhere: [string, EndpointOptions][] = endpoints.slice(1);
    expect(realServers(elsewhere, {}, zoned('z1'))).toEqual(['10.244.2.1:8080']);
  });

  it('do not narrow the local endpoints of a Local policy', () => {
    expect(
      realServers(
        [
          ['10.244.1.1', { node: NODE, forZones: ['z2'] }],
          ['10.244.2.1', { node: 'node-b', forZones: ['z1'] }],
        ],
        { internalTrafficPolicy: 'Local' },
        zoned('z1'),
      ),
    ).toEqual(['10.244.1.1:8080']);
  });

  it('narrow the fallback of an external Local policy without local endpoints', () => {
    const state = run({
      services: [
        service('np', {
          type: 'NodePort',
          clusterIP: '10.96.0.80',
          ports: [port('p', 80, 'TCP', 30080)],
          externalTrafficPolicy: 'Local',
        }),
      ],
      slices: [
        endpointSlice(
          'np',
          [port('p', 8080)],
          [
            endpoint('10.244.2.1', { node: 'node-b', forZones: ['z1'] }),
            endpoint('10.244.3.1', { node: 'node-c', forZones: ['z2'] }),
          ],
        ),
      ],
      node: zoned('z1'),
    });
    expect(virtualServerLines(state)).toContain('node-port tcp 192.168.1.10:30080 default/np:p -> 10.244.2.1:8080');
  });
});

describe('Services with a Local policy and no endpoint on this node (kubeproxy_sync_proxy_rules_no_local_endpoints_total)', () => {
  const count = (specs: { name: string; spec: Record<string, unknown>; nodes: string[] }[]) =>
    familyOf(
      run({
        services: specs.map(({ name, spec }) =>
          service(name, {
            clusterIP: spec['clusterIP'] ?? '10.96.0.90',
            ports: [port('a', 80, 'TCP', 30090), port('b', 81, 'TCP', 30091)],
            ...spec,
          }),
        ),
        slices: specs.map(({ name, nodes }) =>
          endpointSlice(
            name,
            [port('a', 8080), port('b', 8081)],
            nodes.map((n, i) => endpoint(`10.244.${i + 2}.1`, { node: n })),
            { name: `${name}-x` },
          ),
        ),
      }),
    ).noLocalEndpoints;

  it('counts each Service once, by policy, when it has endpoints elsewhere but none here', () => {
    expect(
      count([
        { name: 'int', spec: { clusterIP: '10.96.0.91', internalTrafficPolicy: 'Local' }, nodes: ['node-b'] },
        {
          name: 'ext',
          spec: { clusterIP: '10.96.0.92', type: 'NodePort', externalTrafficPolicy: 'Local' },
          nodes: ['node-b'],
        },
        {
          name: 'both',
          spec: {
            clusterIP: '10.96.0.93',
            type: 'NodePort',
            externalTrafficPolicy: 'Local',
            internalTrafficPolicy: 'Local',
          },
          nodes: ['node-b'],
        },
      ]),
    ).toEqual({ internal: 2, external: 2 });
  });

  it('counts nothing with a local endpoint, without any endpoint, or with Cluster policies', () => {
    expect(
      count([
        { name: 'here', spec: { clusterIP: '10.96.0.91', internalTrafficPolicy: 'Local' }, nodes: [NODE] },
        {
          name: 'none',
          spec: { clusterIP: '10.96.0.92', type: 'NodePort', externalTrafficPolicy: 'Local' },
          nodes: [],
        },
        { name: 'cluster', spec: { clusterIP: '10.96.0.93', type: 'NodePort' }, nodes: ['node-b'] },
        // externalTrafficPolicy only matters where the Service is reachable from outside.
        { name: 'inside', spec: { clusterIP: '10.96.0.94', externalTrafficPolicy: 'Local' }, nodes: ['node-b'] },
      ]),
    ).toEqual({ internal: 0, external: 0 });
  });
});
