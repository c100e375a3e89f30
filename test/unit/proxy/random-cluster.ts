// Random clusters that change step by step, for the tests of the incremental model and
// diff: a few Services and EndpointSlices drawn from small pools (so that Services share
// names, cluster IPs and NodePorts, claim one virtual server, and have local, terminating
// and hinted endpoints), and steps that replace, drop, add or merely re-create objects
// (a new object with the same content, as a watch relist hands them).
import fc from 'fast-check';
import { ValidationMemo } from '../../../src/sync/validation-memo.js';
import { sortObjectProblems } from '../../../src/sync/validation-memo.js';
import {
  buildDesiredState,
  IncrementalModel,
  validateObjects,
  type ClusterObjects,
  type DesiredState,
  type HostFacts,
  type ProxyModelConfig,
} from '../../../src/proxy/index.js';
import {
  endpoint,
  endpointSlice,
  hostFacts,
  modelConfig,
  NODE,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';

/** Dual-stack, so that both families' passes are exercised. */
export const CLUSTER_CONFIG = modelConfig({ ipFamilies: ['IPv4', 'IPv6'], scheduler: 'rr' });

/** The sync engine's model: each object validated once, then the incremental model. */
export function syncerModel(
  config: ProxyModelConfig = CLUSTER_CONFIG,
): (objects: ClusterObjects, host: HostFacts) => DesiredState {
  const validation = new ValidationMemo();
  const model = new IncrementalModel();
  return (objects, host) => {
    const valid = validation.validate(objects, config.nodeName);
    const state = model.build(valid.objects, host, config);
    return { ...state, problems: [...valid.problems, ...state.problems] };
  };
}

/** computeDesiredState's result with the objects' problems in the daemon's order (by kind, then namespace/name). */
export function wholeState(
  objects: ClusterObjects,
  host: HostFacts,
  config: ProxyModelConfig = CLUSTER_CONFIG,
): DesiredState {
  const valid = validateObjects({ ...objects, config });
  const state = buildDesiredState(valid.objects, host, config);
  return { ...state, problems: [...sortObjectProblems(valid.problems), ...state.problems] };
}

const serviceName = fc.constantFrom('a', 'b', 'c', 'd');
const namespace = fc.constantFrom('default', 'x');

export const randomService: fc.Arbitrary<Json> = fc
  .record({
    name: serviceName,
    namespace,
    type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
    clusterIP: fc.constantFrom('10.96.0.1', '10.96.0.2', '10.96.0.3', 'fd00:96::1'),
    ports: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('p', 'q'),
        port: fc.constantFrom(80, 53),
        protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
        nodePort: fc.integer({ min: 30000, max: 30002 }),
      }),
      { selector: (p) => p.name, minLength: 1, maxLength: 2 },
    ),
    externalIPs: fc.subarray(['203.0.113.1', '203.0.113.2']),
    ingress: fc.subarray(['198.51.100.1', '198.51.100.2']),
    sourceRanges: fc.subarray(['192.168.1.0/24', '10.0.0.0/8']),
    external: fc.constantFrom('Cluster', 'Local'),
    internal: fc.constantFrom('Cluster', 'Local'),
    sticky: fc.boolean(),
  })
  .map((s) =>
    service(
      s.name,
      {
        type: s.type,
        clusterIP: s.clusterIP,
        ports: s.ports.map((p) => port(p.name, p.port, p.protocol, s.type === 'ClusterIP' ? undefined : p.nodePort)),
        externalIPs: s.externalIPs,
        loadBalancerSourceRanges: s.sourceRanges,
        externalTrafficPolicy: s.external,
        internalTrafficPolicy: s.internal,
        ...(s.type === 'LoadBalancer' && s.external === 'Local' ? { healthCheckNodePort: 32000 } : {}),
        ...(s.sticky ? { sessionAffinity: 'ClientIP' } : {}),
      },
      {
        namespace: s.namespace,
        ...(s.type === 'LoadBalancer'
          ? { status: { loadBalancer: { ingress: s.ingress.map((ip) => ({ ip })) } } }
          : {}),
      },
    ),
  );

const randomEndpoint = fc
  .record({
    address: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.1.3', 'fd00:244::1'),
    node: fc.constantFrom(NODE, 'node-b'),
    ready: fc.boolean(),
    terminating: fc.boolean(),
    zone: fc.option(fc.constantFrom('z1', 'z2'), { nil: undefined }),
  })
  .map((e) =>
    endpoint(e.address, {
      node: e.node,
      ready: e.ready,
      serving: true,
      terminating: e.terminating,
      ...(e.zone ? { forZones: [e.zone] } : {}),
    }),
  );

export const randomSlice: fc.Arbitrary<Json> = fc
  .record({
    service: serviceName,
    namespace,
    name: fc.constantFrom('s1', 's2'),
    family: fc.constantFrom('IPv4', 'IPv6'),
    ports: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('p', 'q'),
        port: fc.constantFrom(8080, 5353),
        protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
      }),
      {
        selector: (p) => p.name,
        maxLength: 2,
      },
    ),
    endpoints: fc.array(randomEndpoint, { maxLength: 3 }),
  })
  .map((s) =>
    endpointSlice(
      s.service,
      s.ports.map((p) => port(p.name, p.port, p.protocol)),
      // An endpoint's address must be of the slice's family, or validation drops it.
      s.endpoints.filter((e) => String((e['addresses'] as string[])[0]).includes(':') === (s.family === 'IPv6')),
      { name: `${s.service}-${s.name}`, namespace: s.namespace, addressType: s.family },
    ),
  );

/** One change to the cluster: `index` picks the object (modulo the list's length). */
export type ClusterChange =
  | { readonly kind: 'replace-service' | 'add-service'; readonly index: number; readonly object: Json }
  | { readonly kind: 'replace-slice' | 'add-slice'; readonly index: number; readonly object: Json }
  | { readonly kind: 'drop-service' | 'drop-slice' | 'recreate-service' | 'recreate-slice'; readonly index: number };

const index = fc.nat(20);
const change: fc.Arbitrary<ClusterChange> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('replace-service' as const, 'add-service' as const),
    index,
    object: randomService,
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('replace-slice' as const, 'add-slice' as const),
      index,
      object: randomSlice,
    }),
  },
  fc.record({
    kind: fc.constantFrom(
      'drop-service' as const,
      'drop-slice' as const,
      'recreate-service' as const,
      'recreate-slice' as const,
    ),
    index,
  }),
);

/** A step: some changes, and sometimes other host facts (an external IP becomes the node's own). */
export interface ClusterStep {
  readonly changes: readonly ClusterChange[];
  readonly hostChanged: boolean;
}

export const clusterSteps: fc.Arbitrary<ClusterStep[]> = fc.array(
  fc.record({ changes: fc.array(change, { minLength: 1, maxLength: 3 }), hostChanged: fc.nat(4).map((n) => n === 0) }),
  { minLength: 1, maxLength: 6 },
);

export const initialCluster: fc.Arbitrary<
  ClusterObjects & { readonly services: Json[]; readonly endpointSlices: Json[] }
> = fc.record({
  services: fc.array(randomService, { maxLength: 5 }),
  endpointSlices: fc.array(randomSlice, { maxLength: 6 }),
});

/** `list` with the object at `at` (modulo its length) replaced by `by`, or removed. */
function replaced(list: readonly unknown[], at: number, by: unknown[]): unknown[] {
  if (list.length === 0) return [...list];
  const i = at % list.length;
  return [...list.slice(0, i), ...by, ...list.slice(i + 1)];
}

/** The cluster after `change`: every object it does not touch stays the same object. */
export function applyChange(objects: ClusterObjects, c: ClusterChange): ClusterObjects {
  const { services, endpointSlices } = objects;
  const at = <T>(list: readonly T[]): T | undefined => list[c.index % Math.max(list.length, 1)];
  switch (c.kind) {
    case 'replace-service':
      return { ...objects, services: replaced(services, c.index, [c.object]) };
    case 'add-service':
      return { ...objects, services: [...services, c.object] };
    case 'drop-service':
      return { ...objects, services: replaced(services, c.index, []) };
    case 'recreate-service':
      return { ...objects, services: replaced(services, c.index, [structuredClone(at(services))]) };
    case 'replace-slice':
      return { ...objects, endpointSlices: replaced(endpointSlices, c.index, [c.object]) };
    case 'add-slice':
      return { ...objects, endpointSlices: [c.object, ...endpointSlices] };
    case 'drop-slice':
      return { ...objects, endpointSlices: replaced(endpointSlices, c.index, []) };
    case 'recreate-slice':
      return { ...objects, endpointSlices: replaced(endpointSlices, c.index, [structuredClone(at(endpointSlices))]) };
  }
}

/** The host facts of a step: with `changed`, an external IP is one of the node's own addresses. */
export function hostAt(changed: boolean): HostFacts {
  const own = ['192.168.1.10', 'fd00:1::10', '127.0.0.1'];
  return hostFacts({
    nodeIPs: ['192.168.1.10', 'fd00:1::10'],
    localAddresses: changed ? [...own, '203.0.113.1'] : own,
  });
}
