// Validation of core/v1 Services into the few facts the model uses. Shape and
// ranges come from a Zod schema (defaults are the API server's); addresses are
// then parsed. A Service kube-proxy would not proxy (headless, ExternalName,
// no cluster IP, excluded by label) is skipped without a problem; a malformed
// one is skipped with problems; a bad entry in a list kube-proxy filters
// entry by entry (externalIPs, source ranges, ingress IPs) is dropped alone.
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
import { parseCidr, parseUsableIp, type Cidr, type IpAddress } from './ip.js';
import { KUBE_PROXY_SCHEDULING, schedulingOf, type Scheduling, type SchedulingDefaults } from './service-scheduling.js';
import type { Problem } from '../contracts/desired-state.js';

export interface ValidServicePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** 0 when the port has none. */
  readonly nodePort: number;
}

export interface ValidService {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** The cluster IP of each family the Service has. */
  readonly clusterIPs: ReadonlyMap<IpFamily, IpAddress>;
  readonly ports: readonly ValidServicePort[];
  /** sessionAffinity ClientIP: its timeout in seconds; undefined for None. */
  readonly affinityTimeoutSeconds?: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  /** 0 when none. */
  readonly healthCheckNodePort: number;
  readonly externalIPs: readonly IpAddress[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  /** status.loadBalancer.ingress IPs in VIP mode (the ones kube-proxy programs). */
  readonly loadBalancerIPs: readonly IpAddress[];
  /** Its own IPVS scheduler and flags (service-scheduling.ts); undefined: the node's. */
  readonly scheduling?: Scheduling;
}

/** The API server's default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

const port = z.int().min(1).max(65535);
const optionalPort = z.int().min(0).max(65535).default(0);
// An unset policy reads as Cluster; older objects carry it as "".
const trafficPolicy = z
  .enum(['Cluster', 'Local', ''])
  .default('Cluster')
  .transform((p) => (p === 'Local' ? 'Local' : 'Cluster'));

const serviceSchema = z.object({
  metadata: metadataSchema.extend({
    uid: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
    clusterIP: z.string().default(''),
    clusterIPs: z.array(z.string()).default([]),
    ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).default([]),
    ports: z
      .array(
        z.object({
          name: z.string().default(''),
          protocol: protocolSchema,
          port,
          nodePort: optionalPort,
        }),
      )
      .default([]),
    sessionAffinity: z.enum(['None', 'ClientIP']).default('None'),
    sessionAffinityConfig: z
      .object({ clientIP: z.object({ timeoutSeconds: z.int().min(1).max(86400).optional() }).optional() })
      .optional(),
    externalTrafficPolicy: trafficPolicy,
    internalTrafficPolicy: trafficPolicy,
    healthCheckNodePort: optionalPort,
    externalIPs: z.array(z.string()).default([]),
    loadBalancerSourceRanges: z.array(z.string()).default([]),
  }),
  status: z
    .object({
      loadBalancer: z
        .object({
          ingress: z.array(z.object({ ip: z.string().default(''), ipMode: z.string().optional() })).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
});

type ServiceSpec = z.output<typeof serviceSchema>['spec'];

/**
 * Which cluster IP serves which family, as kube-proxy's GetClusterIPByFamily: by
 * spec.ipFamilies when set, else the one spec.clusterIP decides its own family.
 */
function clusterIPsByFamily(
  spec: ServiceSpec,
  report: (path: string, message: string) => void,
): Map<IpFamily, IpAddress> | undefined {
  const byFamily = new Map<IpFamily, IpAddress>();
  if (spec.ipFamilies.length === 0) {
    const ip = parseUsableIp(spec.clusterIP);
    if (typeof ip === 'string') {
      report('spec.clusterIP', ip);
      return undefined;
    }
    return byFamily.set(ip.family, ip);
  }
  for (const [i, family] of spec.ipFamilies.entries()) {
    const text = spec.clusterIPs[i];
    if (text === undefined) continue;
    const ip = parseUsableIp(text);
    if (typeof ip === 'string' || ip.family !== family) {
      report(`spec.clusterIPs[${i}]`, typeof ip === 'string' ? ip : `"${text}" is not an ${family} address`);
      return undefined;
    }
    byFamily.set(family, ip);
  }
  return byFamily;
}

/** The usable addresses of a list; the others are reported and dropped, as kube-proxy drops them. */
function usableAddresses(
  entries: readonly { readonly text: string; readonly path: string }[],
  report: (path: string, message: string) => void,
): IpAddress[] {
  return entries.flatMap(({ text, path }) => {
    const ip = parseUsableIp(text);
    if (typeof ip === 'string') report(path, `${ip}; ignored`);
    return typeof ip === 'string' ? [] : [ip];
  });
}

/** `defaults`: the node's scheduling, which a Service's annotations may replace. */
export function validateService(
  raw: unknown,
  defaults: SchedulingDefaults = KUBE_PROXY_SCHEDULING,
): Validated<ValidService> {
  const identity = identify('Service', raw);
  const parsed = parseWith(serviceSchema, raw, identity);
  if (!parsed.data) return { problems: parsed.problems };
  const { metadata, spec, status } = parsed.data;
  // Not proxied, as kube-proxy's ShouldSkipService and label selectors decide: not a problem.
  const byLabel = ignoredByLabelsReason(metadata.labels);
  if (byLabel !== undefined) return { problems: [], skipped: byLabel };
  if (spec.type === 'ExternalName') return { problems: [], skipped: 'type ExternalName: a DNS name, nothing to proxy' };
  if (spec.clusterIP === 'None') return { problems: [], skipped: 'headless (clusterIP None): no virtual server' };
  if (spec.clusterIP === '') return { problems: [], skipped: 'no cluster IP' };

  const problems: Problem[] = [];
  const report = (path: string, message: string): void => {
    problems.push(problem(identity, path, message));
  };
  const clusterIPs = clusterIPsByFamily(spec, report);
  if (!clusterIPs) return { problems };

  const externalIPs = usableAddresses(
    spec.externalIPs.map((text, i) => ({ text, path: `spec.externalIPs[${i}]` })),
    report,
  );
  // The API server lets whitespace around a range through; kube-proxy trims it.
  const loadBalancerSourceRanges = spec.loadBalancerSourceRanges.flatMap((text, i) => {
    const cidr = parseCidr(text.trim());
    if (!cidr) report(`spec.loadBalancerSourceRanges[${i}]`, `"${text}" is not a CIDR; ignored`);
    return cidr ? [cidr] : [];
  });
  // Only VIP-mode ingress IPs are programmed; "Proxy" mode load balancers deliver to the node themselves.
  const loadBalancerIPs = usableAddresses(
    status.loadBalancer.ingress.flatMap((ingress, i) =>
      ingress.ip === '' || (ingress.ipMode !== undefined && ingress.ipMode !== 'VIP')
        ? []
        : [{ text: ingress.ip, path: `status.loadBalancer.ingress[${i}].ip` }],
    ),
    report,
  );

  // Ports are keyed by name and protocol (kube-proxy's ServicePortName); a repeated key is dropped.
  const seen = new Set<string>();
  const ports = spec.ports.flatMap((p, i) => {
    const key = `${p.name}/${p.protocol}`;
    if (seen.has(key)) {
      report(`spec.ports[${i}]`, `repeats port name "${p.name}" for ${p.protocol.toUpperCase()}; ignored`);
      return [];
    }
    seen.add(key);
    return [{ name: p.name, protocol: p.protocol, port: p.port, nodePort: p.nodePort }];
  });

  const { scheduling, problems: schedulingProblems } = schedulingOf(metadata.annotations, defaults);
  for (const p of schedulingProblems)
    problems.push({
      ...problem(identity, p.path, p.message),
      reason: p.reason,
      ...(metadata.uid ? { uid: metadata.uid } : {}),
    });

  const clientIP = spec.sessionAffinity === 'ClientIP';
  const value: ValidService = {
    namespace: metadata.namespace,
    name: metadata.name,
    type: spec.type,
    clusterIPs,
    ports,
    ...(clientIP
      ? {
          affinityTimeoutSeconds:
            spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
        }
      : {}),
    externalTrafficPolicy: spec.externalTrafficPolicy,
    internalTrafficPolicy: spec.internalTrafficPolicy,
    healthCheckNodePort: spec.healthCheckNodePort,
    externalIPs,
    loadBalancerSourceRanges,
    loadBalancerIPs,
    ...(scheduling ? { scheduling } : {}),
  };
  return { value, problems };
}
