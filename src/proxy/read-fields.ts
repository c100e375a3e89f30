// The fields of each API object the model reads, as data, and the projection that
// keeps only them. The cluster watch reduces every object to these fields as it
// arrives (client-go's informers strip managedFields with a transform for the same
// reason): a real API server's Service or EndpointSlice carries a uid, labels,
// annotations, managedFields, owner and target references and conditions the model
// never looks at, and at 50,000 Services they would be most of the watch's memory.
//
// The projection never repairs anything: a field of the wrong type is kept as it
// is, so that validation (service-input.ts, endpoint-slice-input.ts, node-input.ts)
// reports exactly the problems it would report for the whole object.
import { SERVICE_NAME_LABEL } from './endpoint-slice-input.js';
import { HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL } from './input.js';
import { ZONE_LABEL } from './node-input.js';

/**
 * What to keep of a value: `true` all of it; `{ fields }` the named fields of an
 * object; `{ each }` every element of an array, each by `each`; `{ keys }` the
 * named keys of a map of strings (labels, annotations).
 */
export type FieldShape =
  | true
  | { readonly fields: Readonly<Record<string, FieldShape>> }
  | { readonly each: FieldShape }
  | { readonly keys: readonly string[] };

export type WatchedObjectKind = 'Service' | 'EndpointSlice' | 'Node';

const ALL = true;
const fields = (f: Readonly<Record<string, FieldShape>>): FieldShape => ({ fields: f });
const each = (shape: FieldShape): FieldShape => ({ each: shape });
const keys = (...names: string[]): FieldShape => ({ keys: names });

/**
 * metadata every kind keeps: the names (a cache key), the resourceVersion (a relist
 * compares them), and the uid, which names an object that has no name
 * (src/k8s/object-key.ts) and is dropped from every object that has one.
 */
const METADATA = { name: ALL, namespace: ALL, resourceVersion: ALL, uid: ALL } as const;

/** The labels kube-proxy's selectors and the validators look at. */
const PROXY_LABELS = [HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL];

/**
 * The per-Service IPVS scheduler annotations (kipvs's own, and kube-router's that kipvs
 * honours), read by the Service validation being added beside this change.
 */
const SCHEDULER_ANNOTATIONS = [
  'kipvs.io/ipvs-scheduler',
  'kipvs.io/ipvs-scheduler-flags',
  'kube-router.io/service.scheduler',
  'kube-router.io/service.schedflags',
];

/** service-input.ts's schema. */
const SERVICE: FieldShape = fields({
  metadata: fields({ ...METADATA, labels: keys(...PROXY_LABELS), annotations: keys(...SCHEDULER_ANNOTATIONS) }),
  spec: fields({
    type: ALL,
    clusterIP: ALL,
    clusterIPs: ALL,
    ipFamilies: ALL,
    ports: each(fields({ name: ALL, protocol: ALL, port: ALL, nodePort: ALL })),
    sessionAffinity: ALL,
    sessionAffinityConfig: fields({ clientIP: fields({ timeoutSeconds: ALL }) }),
    externalTrafficPolicy: ALL,
    internalTrafficPolicy: ALL,
    healthCheckNodePort: ALL,
    externalIPs: ALL,
    loadBalancerSourceRanges: ALL,
  }),
  status: fields({ loadBalancer: fields({ ingress: each(fields({ ip: ALL, ipMode: ALL })) }) }),
});

const HINTS = each(fields({ name: ALL }));

/** endpoint-slice-input.ts's schema. */
const ENDPOINT_SLICE: FieldShape = fields({
  metadata: fields({ ...METADATA, labels: keys(SERVICE_NAME_LABEL, ...PROXY_LABELS) }),
  addressType: ALL,
  ports: each(fields({ name: ALL, protocol: ALL, port: ALL })),
  endpoints: each(
    fields({
      addresses: ALL,
      conditions: fields({ ready: ALL, serving: ALL, terminating: ALL }),
      nodeName: ALL,
      hints: fields({ forZones: HINTS, forNodes: HINTS }),
    }),
  ),
});

/** node-input.ts's schema and the node IPs (host-facts.ts). */
const NODE: FieldShape = fields({
  metadata: fields({ ...METADATA, labels: keys(ZONE_LABEL) }),
  spec: fields({ podCIDRs: ALL }),
  status: fields({ addresses: each(fields({ type: ALL, address: ALL })) }),
});

export const MODEL_FIELDS: Readonly<Record<WatchedObjectKind, FieldShape>> = {
  Service: SERVICE,
  EndpointSlice: ENDPOINT_SLICE,
  Node: NODE,
};

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = (object: object, key: string): boolean => Object.hasOwn(object, key);

type Projection = (value: unknown) => unknown;

const keepWhole: Projection = (value) => value;

/**
 * `shape` as a function: every object of the watch passes through it as it arrives (500,000
 * endpoints at 50,000 Services), so the shape is walked once here, not per object, and the
 * reduced objects are built field by field (no entries arrays, no deleted fields: a deleted
 * field turns a V8 object into a slower, bigger dictionary).
 */
function compile(shape: FieldShape): Projection {
  if (shape === true) return keepWhole;
  if ('each' in shape) {
    const item = compile(shape.each);
    return (value) => (Array.isArray(value) ? value.map((v: unknown) => item(v)) : value);
  }
  if ('keys' in shape) {
    const names = shape.keys;
    return (value) => {
      if (!isRecord(value)) return value;
      // A map with a value that is not a string fails validation as a whole: keep it whole.
      for (const key of Object.keys(value)) if (typeof value[key] !== 'string') return value;
      const kept: Record<string, unknown> = {};
      for (const name of names) if (hasOwn(value, name)) kept[name] = value[name];
      return kept;
    };
  }
  const inner = Object.entries(shape.fields).map(([name, fieldShape]) => [name, compile(fieldShape)] as const);
  return (value) => {
    if (!isRecord(value)) return value;
    // The uid only names an object without a usable name.
    const named = typeof value['name'] === 'string' && value['name'] !== '';
    const kept: Record<string, unknown> = {};
    for (const [name, project] of inner) {
      if (hasOwn(value, name) && !(named && name === 'uid')) kept[name] = project(value[name]);
    }
    return kept;
  };
}

const compiled = new WeakMap<object, Projection>();

/** `value` reduced to `shape`; a value of another shape than expected is kept whole. */
export function projectFields(shape: FieldShape, value: unknown): unknown {
  if (shape === true) return value;
  let projection = compiled.get(shape);
  if (projection === undefined) {
    projection = compile(shape);
    compiled.set(shape, projection);
  }
  return projection(value);
}

/** `a` and `b` together: every field either keeps. */
export function mergeFieldShapes(a: FieldShape, b: FieldShape): FieldShape {
  if (a === true || b === true) return true;
  if ('fields' in a && 'fields' in b) {
    const merged: Record<string, FieldShape> = { ...a.fields };
    for (const [name, shape] of Object.entries(b.fields))
      merged[name] = merged[name] === undefined ? shape : mergeFieldShapes(merged[name], shape);
    return { fields: merged };
  }
  if ('each' in a && 'each' in b) return { each: mergeFieldShapes(a.each, b.each) };
  if ('keys' in a && 'keys' in b) return { keys: [...new Set([...a.keys, ...b.keys])] };
  // Shapes that disagree on what the value is: keep all of it.
  return true;
}
