// Random API objects as the model may receive them: mostly plausible, sometimes junk in any
// field (the shapes JSON can take), for the property tests of the model and of what the
// watch keeps of each object (read-fields.test.ts).
import fc from 'fast-check';
import { computeDesiredState, type DesiredState } from '../../../src/proxy/index.js';
import { endpoint, endpointSlice, hostFacts, modelConfig, NODE, port, service } from '../../fixtures/proxy/objects.js';

/** A value of the wrong kind: the shapes JSON can take, kept small. */
const junk = fc.anything({ maxDepth: 1, maxKeys: 3 });

/** Mostly plausible values, sometimes anything at all. */
const maybe = <T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 30, arbitrary: plausible }, { weight: 1, arbitrary: junk });

const address = fc.oneof(
  { weight: 6, arbitrary: fc.ipV4() },
  { weight: 3, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.ipV4Extended() },
  { weight: 1, arbitrary: fc.constantFrom('None', '', '10.96.0.300', '::ffff:10.0.0.1') },
  { weight: 1, arbitrary: fc.string() },
);
const cidr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 34 })).map(([ip, len]) => `${ip}/${len}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 130 })).map(([ip, len]) => `${ip}/${len}`),
  fc.string(),
);
/** Mostly one of the valid values, sometimes one of the invalid ones. */
const choice = (valid: readonly string[], invalid: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });

const portNumber = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 70000 }) },
);
const protocol = choice(['TCP', 'UDP', 'SCTP'], ['ICMP', 'tcp']);
const name = fc.constantFrom('a', 'b', 'web', '');
const objectName = fc.constantFrom('a', 'b', 'web');
const namespace = fc.constantFrom('default', 'x');
// Mostly unlabelled; sometimes with the labels that make kube-proxy look away.
const labels = fc.oneof(
  { weight: 5, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('service.kubernetes.io/headless', 'service.kubernetes.io/service-proxy-name', 'app'),
      name,
    ),
  },
);
const opt = { requiredKeys: [] as never[] };

const metadata = maybe(
  fc.record(
    { name: maybe(objectName), namespace: maybe(namespace), labels: maybe(labels) },
    { requiredKeys: ['name', 'namespace'] },
  ),
);

export const randomService = fc.record(
  {
    metadata,
    spec: maybe(
      fc.record(
        {
          type: maybe(choice(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], ['Other'])),
          clusterIP: maybe(address),
          clusterIPs: maybe(fc.array(address, { maxLength: 2 })),
          ipFamilies: maybe(fc.array(choice(['IPv4', 'IPv6'], ['IPv5']), { maxLength: 2 })),
          ports: maybe(
            fc.array(
              fc.record(
                { name: maybe(name), port: maybe(portNumber), protocol: maybe(protocol), nodePort: maybe(portNumber) },
                opt,
              ),
              { maxLength: 3 },
            ),
          ),
          sessionAffinity: maybe(choice(['None', 'ClientIP'], ['Sticky'])),
          sessionAffinityConfig: maybe(
            fc.record(
              { clientIP: maybe(fc.record({ timeoutSeconds: maybe(fc.integer({ min: -1, max: 90000 })) }, opt)) },
              opt,
            ),
          ),
          externalTrafficPolicy: maybe(choice(['Cluster', 'Local', ''], ['Nowhere'])),
          internalTrafficPolicy: maybe(fc.constantFrom('Cluster', 'Local')),
          healthCheckNodePort: maybe(portNumber),
          externalIPs: maybe(fc.array(address, { maxLength: 2 })),
          loadBalancerSourceRanges: maybe(fc.array(cidr, { maxLength: 2 })),
        },
        { requiredKeys: ['clusterIP', 'ports'] },
      ),
    ),
    status: maybe(
      fc.record(
        {
          loadBalancer: maybe(
            fc.record(
              {
                ingress: maybe(
                  fc.array(fc.record({ ip: maybe(address), ipMode: maybe(fc.constantFrom('VIP', 'Proxy')) }, opt), {
                    maxLength: 2,
                  }),
                ),
              },
              opt,
            ),
          ),
        },
        opt,
      ),
    ),
  },
  { requiredKeys: ['metadata', 'spec'] },
);

const hints = fc.array(fc.record({ name: maybe(fc.constantFrom(NODE, 'node-b', 'z1')) }, opt), { maxLength: 2 });
const sliceMetadata = maybe(
  fc.record(
    {
      name: maybe(objectName),
      namespace: maybe(namespace),
      labels: maybe(
        fc.tuple(objectName, labels).map(([service, extra]) => ({ 'kubernetes.io/service-name': service, ...extra })),
      ),
    },
    { requiredKeys: ['name', 'namespace', 'labels'] },
  ),
);
export const randomSlice = fc.record(
  {
    metadata: sliceMetadata,
    addressType: maybe(choice(['IPv4', 'IPv6', 'FQDN'], ['IPX'])),
    ports: maybe(
      fc.array(
        fc.record({ name: maybe(fc.option(name)), port: maybe(fc.option(portNumber)), protocol: maybe(protocol) }, opt),
        { maxLength: 3 },
      ),
    ),
    endpoints: maybe(
      fc.array(
        fc.record(
          {
            addresses: maybe(fc.array(address, { maxLength: 2 })),
            conditions: maybe(
              fc.record(
                {
                  ready: maybe(fc.option(fc.boolean())),
                  serving: maybe(fc.boolean()),
                  terminating: maybe(fc.boolean()),
                },
                opt,
              ),
            ),
            nodeName: maybe(fc.constantFrom(NODE, 'node-b')),
            hints: maybe(fc.record({ forZones: maybe(hints), forNodes: maybe(hints) }, opt)),
          },
          opt,
        ),
        { maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: ['metadata', 'addressType', 'ports', 'endpoints'] },
);

export const randomNode = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      metadata: maybe(
        fc.record(
          {
            name: maybe(fc.constantFrom(NODE, 'other')),
            labels: maybe(fc.dictionary(fc.constantFrom('topology.kubernetes.io/zone'), fc.string())),
          },
          opt,
        ),
      ),
      spec: maybe(fc.record({ podCIDRs: maybe(fc.array(cidr, { maxLength: 2 })) }, opt)),
    },
    opt,
  ),
  junk,
);

// A valid Service in a namespace that sorts first: it keeps its virtual server whatever else claims it.
export const anchor = service('anchor', { clusterIP: '10.96.255.1', ports: [port('http', 80)] }, { namespace: 'aaa' });
export const anchorSlice = endpointSlice('anchor', [port('http', 8080)], [endpoint('10.244.255.1')], {
  namespace: 'aaa',
});

export function computeWith(services: unknown[], slices: unknown[], node: unknown): DesiredState {
  return computeDesiredState({
    services,
    endpointSlices: slices,
    ...(node === undefined ? {} : { node }),
    config: modelConfig({ ipFamilies: ['IPv4', 'IPv6'], scheduler: 'mh', nodePortAddresses: [] }),
    host: hostFacts({
      nodeIPs: ['192.168.1.10', 'fd00:1::10'],
      localAddresses: ['192.168.1.10', 'fd00:1::10', '127.0.0.1'],
    }),
  });
}
