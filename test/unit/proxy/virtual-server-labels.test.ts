// `kipvs dump --services` names each virtual server's Service port from the
// Services alone: cluster IPs of both families, external IPs, load balancer
// ingress IPs, and NodePorts on any node address.
import { describe, expect, it } from '@jest/globals';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { validateService } from '../../../src/proxy/index.js';
import type { ValidService } from '../../../src/proxy/service-input.js';
import { formatLabel, virtualServerLabeler } from '../../../src/proxy/virtual-server-labels.js';
import { port, service } from '../../fixtures/proxy/objects.js';

function valid(raw: unknown): ValidService {
  const { value, problems } = validateService(raw);
  if (!value) throw new Error(JSON.stringify(problems));
  return value;
}

const web = valid(
  service(
    'web',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.80',
      clusterIPs: ['10.96.0.80', 'fd00:96::80'],
      ipFamilies: ['IPv4', 'IPv6'],
      ports: [port('http', 80, 'TCP', 30080), port('dns', 53, 'UDP', 30053)],
      externalIPs: ['203.0.113.7'],
    },
    { status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } },
  ),
);
const api = valid(
  service('kubernetes', {
    clusterIP: '10.96.0.1',
    clusterIPs: ['10.96.0.1'],
    ipFamilies: ['IPv4'],
    ports: [port('', 443)],
  }),
);

const tcp = (address: string, p: number, family: 'inet' | 'inet6' = 'inet'): ServiceKey => ({
  family,
  protocol: 'tcp',
  address,
  port: p,
});
const label = virtualServerLabeler([web, api]);
const text = (key: ServiceKey): string | undefined => {
  const found = label(key);
  return found && formatLabel(found);
};

describe('virtualServerLabeler', () => {
  it.each([
    [tcp('10.96.0.80', 80), 'default/web:http (cluster-ip)'],
    [tcp('fd00:96::80', 80, 'inet6'), 'default/web:http (cluster-ip)'],
    [{ family: 'inet', protocol: 'udp', address: '10.96.0.80', port: 53 } as const, 'default/web:dns (cluster-ip)'],
    [tcp('203.0.113.7', 80), 'default/web:http (external-ip)'],
    [tcp('198.51.100.9', 80), 'default/web:http (load-balancer)'],
    [tcp('192.168.1.10', 30080), 'default/web:http (node-port)'],
    [tcp('fd00:50::1', 30080, 'inet6'), 'default/web:http (node-port)'],
    [tcp('10.96.0.1', 443), 'default/kubernetes (cluster-ip)'],
  ])('%j is %s', (key, expected) => {
    expect(text(key)).toBe(expected);
  });

  it('names nothing for addresses, ports and protocols no Service has, nor for firewall marks', () => {
    expect(text(tcp('10.96.0.80', 81))).toBeUndefined();
    expect(text({ family: 'inet', protocol: 'udp', address: '192.168.1.10', port: 30080 })).toBeUndefined();
    expect(text({ family: 'inet', fwmark: 1 })).toBeUndefined();
  });
});
