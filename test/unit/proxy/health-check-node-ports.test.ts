import { describe, expect, it } from '@jest/globals';
import { validateEndpointSlice, validateService } from '../../../src/proxy/index.js';
import { healthCheckNodePorts } from '../../../src/proxy/health-check-node-ports.js';
import type { ValidEndpointSlice } from '../../../src/proxy/endpoint-slice-input.js';
import type { ValidService } from '../../../src/proxy/service-input.js';
import { endpoint, endpointSlice, NODE, port, service, type Json } from '../../fixtures/proxy/objects.js';

function valid<T>(result: { readonly value?: T }): T[] {
  return result.value === undefined ? [] : [result.value];
}

function run(services: Json[], slices: Json[]): Record<number, unknown> {
  const validServices: ValidService[] = services.flatMap((s) => valid(validateService(s)));
  const validSlices: ValidEndpointSlice[] = slices.flatMap((s) => valid(validateEndpointSlice(s)));
  return Object.fromEntries(healthCheckNodePorts(validServices, validSlices, NODE));
}

const localLoadBalancer = (name: string, healthCheckNodePort: number, extra: Json = {}, namespace = 'default'): Json =>
  service(
    name,
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.10',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort,
      ports: [port('http', 80, 'TCP', 30080), port('https', 443, 'TCP', 30443)],
      ...extra,
    },
    { namespace },
  );

describe('healthCheckNodePorts', () => {
  it('counts ready endpoints on this node by distinct address, across ports and slices', () => {
    const ports = [port('http', 8080), port('https', 8443)];
    expect(
      run(
        [localLoadBalancer('web', 32000)],
        [
          endpointSlice(
            'web',
            ports,
            [
              endpoint('10.244.1.1', { node: NODE }),
              endpoint('10.244.1.2', { node: NODE }),
              endpoint('10.244.2.1', { node: 'node-b' }),
            ],
            { name: 'web-1' },
          ),
          // The same pod again in another slice, and a second local pod.
          endpointSlice(
            'web',
            ports,
            [endpoint('10.244.1.2', { node: NODE }), endpoint('10.244.1.3', { node: NODE })],
            { name: 'web-2' },
          ),
        ],
      ),
    ).toEqual({ 32000: { namespace: 'default', name: 'web', localEndpoints: 3 } });
  });

  it('does not count local endpoints that are not ready, terminating ones included', () => {
    expect(
      run(
        [localLoadBalancer('web', 32000)],
        [
          endpointSlice(
            'web',
            [port('http', 8080)],
            [
              endpoint('10.244.1.1', { node: NODE, ready: false }),
              endpoint('10.244.1.2', { node: NODE, ready: false, serving: true, terminating: true }),
            ],
          ),
        ],
      ),
    ).toEqual({ 32000: { namespace: 'default', name: 'web', localEndpoints: 0 } });
  });

  it('reports a Service with no endpoints at all as 0, so its port still answers (503)', () => {
    expect(run([localLoadBalancer('web', 32000)], [])).toEqual({
      32000: { namespace: 'default', name: 'web', localEndpoints: 0 },
    });
  });

  it.each([
    ['a Cluster policy', { externalTrafficPolicy: 'Cluster' }],
    ['a NodePort Service', { type: 'NodePort' }],
    ['no health check port', { healthCheckNodePort: 0 }],
  ])('leaves out a Service with %s', (_, extra) => {
    expect(run([localLoadBalancer('web', 32000, extra)], [])).toEqual({});
  });

  it("keeps each Service's own endpoints, matched by namespace and name", () => {
    const ports = [port('http', 8080)];
    expect(
      run(
        [
          localLoadBalancer('web', 32000),
          localLoadBalancer('web', 32001, {}, 'other'),
          localLoadBalancer('api', 32002),
        ],
        [
          endpointSlice('web', ports, [endpoint('10.244.1.1', { node: NODE })]),
          endpointSlice(
            'web',
            ports,
            [endpoint('10.244.1.9', { node: NODE }), endpoint('10.244.1.8', { node: NODE })],
            { namespace: 'other' },
          ),
        ],
      ),
    ).toEqual({
      32000: { namespace: 'default', name: 'web', localEndpoints: 1 },
      32001: { namespace: 'other', name: 'web', localEndpoints: 2 },
      32002: { namespace: 'default', name: 'api', localEndpoints: 0 },
    });
  });

  it("counts in the Service's primary family only, so a dual-stack pod counts once", () => {
    const dualStack = localLoadBalancer('web', 32000, {
      ipFamilies: ['IPv6', 'IPv4'],
      clusterIPs: ['fd00:96::10', '10.96.0.10'],
    });
    expect(
      run(
        [dualStack],
        [
          endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.1', { node: NODE })], { name: 'v4' }),
          endpointSlice(
            'web',
            [port('http', 8080)],
            [endpoint('fd00:244::1', { node: NODE }), endpoint('fd00:244::2', { node: NODE })],
            { name: 'v6', addressType: 'IPv6' },
          ),
        ],
      ),
    ).toEqual({ 32000: { namespace: 'default', name: 'web', localEndpoints: 2 } });
  });
});
