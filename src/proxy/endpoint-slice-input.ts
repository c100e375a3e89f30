// Validation of discovery.k8s.io/v1 EndpointSlices into the facts the model
// uses. kube-proxy tolerates a slice's bad parts one by one (a port without a
// name or number, an endpoint without an address), so those are dropped alone
// with a problem; a slice without its Service's name label, or of a shape that
// does not parse, is skipped whole. FQDN slices are not kube-proxy's business.
import type { IpFamily } from '../net/ip-family.js';
import { z } from 'zod';
import type { Protocol } from '../ipvs/types.js';
import {
  identify,
  ignoredByLabelsReason,
  metadataSchema,
  parseWith,
  problem,
  protocolSchema,
  type Validated,
} from './input.js';
import { parseUsableIp, type IpAddress } from './ip.js';
import type { Problem } from '../contracts/desired-state.js';

/** The label naming the Service a slice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ValidEndpointPort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface ValidEndpoint {
  /** The endpoint's first address: the one kube-proxy uses. */
  readonly address: IpAddress;
  readonly nodeName?: string;
  /** Conditions with the API's meaning of an absent value: ready and serving unless false, terminating only if true. */
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly zoneHints: readonly string[];
  readonly nodeHints: readonly string[];
}

export interface ValidEndpointSlice {
  readonly namespace: string;
  readonly name: string;
  readonly serviceName: string;
  readonly family: IpFamily;
  readonly ports: readonly ValidEndpointPort[];
  readonly endpoints: readonly ValidEndpoint[];
}

// Go serializes an empty list as null; both mean "none".
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);
const condition = z.boolean().nullish();
const hintNames = list(z.object({ name: z.string() }));

const endpointSliceSchema = z.object({
  metadata: metadataSchema,
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  ports: list(
    z.object({
      name: z.string().nullish(),
      protocol: protocolSchema,
      port: z.int().min(0).max(65535).nullish(),
    }),
  ),
  endpoints: list(
    z.object({
      addresses: list(z.string()),
      conditions: z.object({ ready: condition, serving: condition, terminating: condition }).prefault({}),
      nodeName: z.string().nullish(),
      hints: z.object({ forZones: hintNames, forNodes: hintNames }).nullish(),
    }),
  ),
});

type SliceData = z.output<typeof endpointSliceSchema>;

const PROTOCOL_OF: ReadonlyMap<unknown, Protocol> = new Map([
  ['TCP', 'tcp'],
  ['UDP', 'udp'],
  ['SCTP', 'sctp'],
]);
const ADDRESS_TYPES: ReadonlySet<unknown> = new Set(['IPv4', 'IPv6', 'FQDN']);

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullish = (v: unknown): v is null | undefined => v === undefined || v === null;
const isOptionalString = (v: unknown): boolean => isNullish(v) || typeof v === 'string';
const isOptionalBoolean = (v: unknown): boolean => isNullish(v) || typeof v === 'boolean';
const isStringList = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isHintList = (v: unknown): boolean =>
  isNullish(v) || (Array.isArray(v) && v.every((h) => isObject(h) && typeof h['name'] === 'string'));

/**
 * The schema's output for a slice that passes it, built without the schema; undefined for
 * anything else, which the schema then reads and reports on. Every EndpointSlice of the
 * cluster is validated on the first sync (500,000 endpoints at 50,000 Services): the schema
 * copies each endpoint into new objects, where this reuses the input's own endpoints, address
 * lists and conditions, which already have the output's shape. Property-tested to give what
 * the schema gives (test/unit/proxy/endpoint-slice-input.test.ts).
 */
function wellFormedSlice(raw: unknown): SliceData | undefined {
  if (!isObject(raw) || !isObject(raw['metadata']) || !ADDRESS_TYPES.has(raw['addressType'])) return undefined;
  const { name, namespace, labels } = raw['metadata'];
  if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '') return undefined;
  if (labels !== undefined && !(isObject(labels) && Object.values(labels).every((v) => typeof v === 'string')))
    return undefined;
  const ports = wellFormedPorts(raw['ports']);
  const endpoints = raw['endpoints'];
  if (
    ports === undefined ||
    !(isNullish(endpoints) || (Array.isArray(endpoints) && endpoints.every(isWellFormedEndpoint)))
  )
    return undefined;
  return {
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels: labels as Record<string, string> }) },
    addressType: raw['addressType'] as SliceData['addressType'],
    ports,
    endpoints: (endpoints ?? []) as SliceData['endpoints'],
  };
}

function wellFormedPorts(ports: unknown): SliceData['ports'] | undefined {
  if (isNullish(ports)) return [];
  if (!Array.isArray(ports)) return undefined;
  const out: SliceData['ports'] = [];
  for (const p of ports as readonly unknown[]) {
    if (!isObject(p) || !isOptionalString(p['name'])) return undefined;
    const protocol = p['protocol'] === undefined ? 'tcp' : PROTOCOL_OF.get(p['protocol']);
    const port = p['port'];
    const portOk = isNullish(port) || (Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535);
    if (protocol === undefined || !portOk) return undefined;
    out.push({ name: p['name'] as string | null | undefined, protocol, port: port as number | null | undefined });
  }
  return out;
}

/** An endpoint whose every field the model reads already has the schema output's shape (absent conditions are not). */
function isWellFormedEndpoint(e: unknown): boolean {
  if (!isObject(e) || !isStringList(e['addresses']) || !isObject(e['conditions']) || !isOptionalString(e['nodeName']))
    return false;
  const { ready, serving, terminating } = e['conditions'];
  if (!isOptionalBoolean(ready) || !isOptionalBoolean(serving) || !isOptionalBoolean(terminating)) return false;
  const hints = e['hints'];
  return isNullish(hints) || (isObject(hints) && isHintList(hints['forZones']) && isHintList(hints['forNodes']));
}

/** One shared empty list for the endpoints without hints (nearly all): two new arrays per endpoint cost 64 bytes. */
const NO_HINTS: readonly string[] = [];
const hintList = (hints: readonly { readonly name: string }[] | null | undefined): readonly string[] =>
  hints === undefined || hints === null || hints.length === 0 ? NO_HINTS : hints.map((h) => h.name);

function validPorts(ports: SliceData['ports'], report: (path: string, message: string) => void): ValidEndpointPort[] {
  return ports.flatMap((p, i) => {
    if (p.name === null || p.name === undefined) {
      report(`ports[${i}].name`, 'port has no name; ignored');
      return [];
    }
    if (p.port === null || p.port === undefined || p.port === 0) {
      report(`ports[${i}].port`, 'port has no number; ignored');
      return [];
    }
    return [{ name: p.name, protocol: p.protocol, port: p.port }];
  });
}

function validEndpoints(
  endpoints: SliceData['endpoints'],
  family: IpFamily,
  report: (path: string, message: string) => void,
): ValidEndpoint[] {
  return endpoints.flatMap((endpoint, i) => {
    const first = endpoint.addresses[0];
    if (first === undefined) {
      report(`endpoints[${i}].addresses`, 'endpoint has no address; ignored');
      return [];
    }
    const address = parseUsableIp(first);
    if (typeof address === 'string' || address.family !== family) {
      report(
        `endpoints[${i}].addresses[0]`,
        `${typeof address === 'string' ? address : `"${first}" is not an ${family} address`}; ignored`,
      );
      return [];
    }
    const { ready, serving, terminating } = endpoint.conditions;
    return [
      {
        address,
        ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
        ready: ready !== false,
        serving: serving !== false,
        terminating: terminating === true,
        zoneHints: hintList(endpoint.hints?.forZones),
        nodeHints: hintList(endpoint.hints?.forNodes),
      },
    ];
  });
}

export function validateEndpointSlice(raw: unknown): Validated<ValidEndpointSlice> {
  return validateSlice(raw, wellFormedSlice(raw));
}

/** validateEndpointSlice by the schema alone: what the quick path is proved against. */
export function validateEndpointSliceBySchema(raw: unknown): Validated<ValidEndpointSlice> {
  return validateSlice(raw, undefined);
}

function validateSlice(raw: unknown, quick: SliceData | undefined): Validated<ValidEndpointSlice> {
  const identity = identify('EndpointSlice', raw);
  const parsed = quick ? { data: quick, problems: [] } : parseWith(endpointSliceSchema, raw, identity);
  if (!parsed.data) return { problems: parsed.problems };
  const { metadata, addressType } = parsed.data;
  const byLabel = ignoredByLabelsReason(metadata.labels);
  if (byLabel !== undefined) return { problems: [], skipped: byLabel };
  if (addressType === 'FQDN') return { problems: [], skipped: 'addressType FQDN: no addresses to proxy to' };
  const serviceName = metadata.labels?.[SERVICE_NAME_LABEL];
  if (!serviceName) {
    return { problems: [problem(identity, 'metadata.labels', `has no ${SERVICE_NAME_LABEL} label; ignored`)] };
  }
  const problems: Problem[] = [];
  const report = (path: string, message: string): void => {
    problems.push(problem(identity, path, message));
  };
  const value: ValidEndpointSlice = {
    namespace: metadata.namespace,
    name: metadata.name,
    serviceName,
    family: addressType,
    ports: validPorts(parsed.data.ports, report),
    endpoints: validEndpoints(parsed.data.endpoints, addressType, report),
  };
  return { value, problems };
}
