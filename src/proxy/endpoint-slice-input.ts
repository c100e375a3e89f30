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
        zoneHints: endpoint.hints?.forZones.map((h) => h.name) ?? [],
        nodeHints: endpoint.hints?.forNodes.map((h) => h.name) ?? [],
      },
    ];
  });
}

export function validateEndpointSlice(raw: unknown): Validated<ValidEndpointSlice> {
  const identity = identify('EndpointSlice', raw);
  const parsed = parseWith(endpointSliceSchema, raw, identity);
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
