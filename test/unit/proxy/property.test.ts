// Property tests: whatever the API server sends, the model returns a state (it
// never throws), the valid objects among the junk still produce theirs, and
// every address in the output is one of its family.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { computeDesiredState, renderProblem, validateService, type DesiredState } from '../../../src/proxy/index.js';
import { parseIp } from '../../../src/proxy/ip.js';
import { endpoint, endpointSlice, hostFacts, modelConfig, NODE, port, service, type Json } from '../../fixtures/proxy/objects.js';

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

const portNumber = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 70000 }) });
const protocol = choice(['TCP', 'UDP', 'SCTP'], ['ICMP', 'tcp']);
const name = fc.constantFrom('a', 'b', 'web', '');
const objectName = fc.constantFrom('a', 'b', 'web');
const namespace = fc.constantFrom('default', 'x');
// Mostly unlabelled; sometimes with the labels that make kube-proxy look away.
const labels = fc.oneof(
  { weight: 5, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom('service.kubernetes.io/headless', 'service.kubernetes.io/service-proxy-name', 'app'), name),
  },
);
const opt = { requiredKeys: [] as never[] };

const metadata = maybe(fc.record({ name: maybe(objectName), namespace: maybe(namespace), labels: maybe(labels) }, { requiredKeys: ['name', 'namespace'] }));

const randomService = fc.record(
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
            fc.array(fc.record({ name: maybe(name), port: maybe(portNumber), protocol: maybe(protocol), nodePort: maybe(portNumber) }, opt), { maxLength: 3 }),
          ),
          sessionAffinity: maybe(choice(['None', 'ClientIP'], ['Sticky'])),
          sessionAffinityConfig: maybe(fc.record({ clientIP: maybe(fc.record({ timeoutSeconds: maybe(fc.integer({ min: -1, max: 90000 })) }, opt)) }, opt)),
          externalTrafficPolicy: maybe(choice(['Cluster', 'Local', ''], ['Nowhere'])),
          internalTrafficPolicy: maybe(fc.constantFrom('Cluster', 'Local')),
          healthCheckNodePort: maybe(portNumber),
          externalIPs: maybe(fc.array(address, { maxLength: 2 })),
          loadBalancerSourceRanges: maybe(fc.array(cidr, { maxLength: 2 })),
        },
        { requiredKeys: ['clusterIP', 'ports'] },
      ),
    ),
    status: maybe(fc.record({ loadBalancer: maybe(fc.record({ ingress: maybe(fc.array(fc.record({ ip: maybe(address), ipMode: maybe(fc.constantFrom('VIP', 'Proxy')) }, opt), { maxLength: 2 })) }, opt)) }, opt)),
  },
  { requiredKeys: ['metadata', 'spec'] },
);

const hints = fc.array(fc.record({ name: maybe(fc.constantFrom(NODE, 'node-b', 'z1')) }, opt), { maxLength: 2 });
const sliceMetadata = maybe(
  fc.record(
    {
      name: maybe(objectName),
      namespace: maybe(namespace),
      labels: maybe(fc.tuple(objectName, labels).map(([service, extra]) => ({ 'kubernetes.io/service-name': service, ...extra }))),
    },
    { requiredKeys: ['name', 'namespace', 'labels'] },
  ),
);
const randomSlice = fc.record(
  {
    metadata: sliceMetadata,
    addressType: maybe(choice(['IPv4', 'IPv6', 'FQDN'], ['IPX'])),
    ports: maybe(fc.array(fc.record({ name: maybe(fc.option(name)), port: maybe(fc.option(portNumber)), protocol: maybe(protocol) }, opt), { maxLength: 3 })),
    endpoints: maybe(
      fc.array(
        fc.record(
          {
            addresses: maybe(fc.array(address, { maxLength: 2 })),
            conditions: maybe(fc.record({ ready: maybe(fc.option(fc.boolean())), serving: maybe(fc.boolean()), terminating: maybe(fc.boolean()) }, opt)),
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

const randomNode = fc.oneof(
  fc.constant(undefined),
  fc.record({ metadata: maybe(fc.record({ name: maybe(fc.constantFrom(NODE, 'other')), labels: maybe(fc.dictionary(fc.constantFrom('topology.kubernetes.io/zone'), fc.string())) }, opt)), spec: maybe(fc.record({ podCIDRs: maybe(fc.array(cidr, { maxLength: 2 })) }, opt)) }, opt),
  junk,
);

// A valid Service in a namespace that sorts first: it keeps its virtual server whatever else claims it.
const anchor = service('anchor', { clusterIP: '10.96.255.1', ports: [port('http', 80)] }, { namespace: 'aaa' });
const anchorSlice = endpointSlice('anchor', [port('http', 8080)], [endpoint('10.244.255.1')], { namespace: 'aaa' });

function computeWith(services: unknown[], slices: unknown[], node: unknown): DesiredState {
  return computeDesiredState({
    services,
    endpointSlices: slices,
    ...(node === undefined ? {} : { node }),
    config: modelConfig({ ipFamilies: ['IPv4', 'IPv6'], scheduler: 'mh', nodePortAddresses: [] }),
    host: hostFacts({ nodeIPs: ['192.168.1.10', 'fd00:1::10'], localAddresses: ['192.168.1.10', 'fd00:1::10', '127.0.0.1'] }),
  });
}

/** Every address the state names is a valid address of its family's state. */
function addressesWellFormed(state: DesiredState): boolean {
  return state.families.every((f) => {
    const ofFamily = (text: string) => parseIp(text)?.family === f.family;
    return (
      f.linkAddresses.every(ofFamily) &&
      f.virtualServers.every((d) => 'address' in d.virtualServer.key && ofFamily(d.virtualServer.key.address) && d.realServers.every((r) => ofFamily(r.address)))
    );
  });
}

// Generous: the runs take seconds, more on a busy machine.
const TIMEOUT_MS = 120_000;

describe('the model on random objects', () => {
  // 2,500 runs of four random objects each (a Service, an EndpointSlice, a Node, anything).
  it('never throws, keeps the valid objects state and names only valid addresses (10,000 objects)', () => {
    fc.assert(
      fc.property(randomService, randomSlice, randomNode, fc.anything(), (svc, slice, node, other) => {
        const state = computeWith([svc, anchor, other], [anchorSlice, slice, other], node);
        // The random Service, when valid, has a cluster IP virtual server for each of its ports.
        const valid = validateService(svc).value;
        for (const family of state.families) {
          const clusterIP = valid?.clusterIPs.get(family.family)?.text;
          const keys = new Set(family.virtualServers.map((d) => JSON.stringify(d.virtualServer.key)));
          for (const p of clusterIP === undefined ? [] : (valid?.ports ?? [])) {
            const key = { family: family.family === 'IPv4' ? 'inet' : 'inet6', protocol: p.protocol, address: clusterIP, port: p.port };
            expect(keys.has(JSON.stringify(key))).toBe(true);
          }
        }
        const anchorServer = state.families[0]?.virtualServers.find((d) => d.service.name === 'anchor' && d.service.namespace === 'aaa');
        expect(anchorServer?.realServers.map((r) => `${r.address}:${r.port}`)).toEqual(['10.244.255.1:8080']);
        expect(addressesWellFormed(state)).toBe(true);
        for (const p of state.problems) expect(renderProblem(p)).toMatch(/: /);
      }),
      { numRuns: 2_500 },
    );
  }, TIMEOUT_MS);

  it('gives the same state whatever the order objects arrive in', () => {
    fc.assert(
      fc.property(fc.array(randomService, { maxLength: 4 }), fc.array(randomSlice, { maxLength: 4 }), (services: Json[], slices: Json[]) => {
        const forward = computeWith(services, slices, undefined);
        const backward = computeWith([...services].reverse(), [...slices].reverse(), undefined);
        expect(backward.families).toEqual(forward.families);
        expect(new Set(backward.problems.map(renderProblem))).toEqual(new Set(forward.problems.map(renderProblem)));
      }),
      { numRuns: 1000 },
    );
  }, TIMEOUT_MS);
});
