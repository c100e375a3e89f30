// What every validator of cluster objects shares: naming an object that may be
// malformed, turning schema issues into Problems, and kube-proxy's label
// filter. Objects from the API server are untrusted input: a validator returns
// a valid object or problems, and never throws.
import { z } from 'zod';
import type { Protocol } from '../ipvs/types.js';
import type { Problem, ProblemSubject } from '../contracts/desired-state.js';

/** Objects carrying either label are not kube-proxy's (it lists with `!label` selectors). */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The outcome of validating one object: `value` is absent when the object is skipped. */
export interface Validated<T> {
  readonly value?: T;
  readonly problems: readonly Problem[];
  /** Why a well-formed object is not proxied (headless, ExternalName, ...), for tools that say so. */
  readonly skipped?: string;
}

export interface ObjectIdentity {
  readonly subject: ProblemSubject;
  readonly namespace: string;
  readonly name: string;
}

function stringAt(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** Names an object for its problems even when its metadata is broken. */
export function identify(subject: ProblemSubject, raw: unknown): ObjectIdentity {
  const metadata: unknown =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['metadata'] : undefined;
  return {
    subject,
    namespace: stringAt(metadata, 'namespace') ?? '',
    name: stringAt(metadata, 'name') ?? '<unnamed>',
  };
}

export function problem(identity: ObjectIdentity, path: string, message: string): Problem {
  return { ...identity, path, message };
}

/** "spec.ports[1].port" from ["spec", "ports", 1, "port"]: where in an object or a configuration file a problem is. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Parses `raw` with `schema`; on failure, every issue becomes a Problem of the object. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  identity: ObjectIdentity,
): { readonly data?: z.output<S>; readonly problems: readonly Problem[] } {
  const result = schema.safeParse(raw);
  if (result.success) return { data: result.data, problems: [] };
  return { problems: result.error.issues.map((issue) => problem(identity, formatPath(issue.path), issue.message)) };
}

export const metadataSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
});

const PROTOCOLS = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' } as const satisfies Record<string, Protocol>;

/** A Service or EndpointSlice port's protocol (the API server's default is TCP), as IPVS names it. */
export const protocolSchema = z
  .enum(['TCP', 'UDP', 'SCTP'])
  .default('TCP')
  .transform((p): Protocol => PROTOCOLS[p]);

/** kube-proxy never sees objects with these labels (its informers select them away): which one, as a reason. */
export function ignoredByLabelsReason(labels: Readonly<Record<string, string>> | undefined): string | undefined {
  if (labels === undefined) return undefined;
  if (SERVICE_PROXY_NAME_LABEL in labels) return `label ${SERVICE_PROXY_NAME_LABEL}: served by another proxy`;
  return HEADLESS_LABEL in labels ? `label ${HEADLESS_LABEL}: headless` : undefined;
}

/** "namespace/name: Service spec.ports[0].port: why" (or "config excludeCIDRs[0]: why"), one line for people. */
export function renderProblem(p: Problem): string {
  const where = p.path === '' ? p.subject : `${p.subject} ${p.path}`;
  if (p.name === '') return `${where}: ${p.message}`;
  const object = p.namespace === '' ? p.name : `${p.namespace}/${p.name}`;
  return `${object}: ${where}: ${p.message}`;
}
