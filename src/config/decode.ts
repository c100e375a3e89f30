// Text of a --config file to a typed KubeProxyConfigurationDocument, or every
// problem with it. kube-proxy decodes strictly and, if the only trouble is an
// unknown or duplicated field, retries leniently and runs with what it could
// read (logging one line). kipvs stops at the strict step: a field in the wrong
// place is dropped by the lenient decoder, and when that field is, say,
// clientConnection.kubeconfig, kube-proxy silently falls back to other
// credentials. Refusing by name is the safer drop-in.
import { z } from 'zod';
import type { ConfigProblem, SourcePosition } from './problems.js';
import { describe, fieldPaths, issuesToProblems } from './schema/issues.js';
import {
  API_VERSION,
  KIND,
  KubeProxyConfigurationDocumentSchema,
  KubeProxyConfigurationOverlaySchema,
  KubeProxyConfigurationSchema,
  type KubeProxyConfigurationDocument,
  type KubeProxyConfigurationOverlay,
} from './schema/kube-proxy-configuration.js';
import { parseYamlDocument } from './yaml-document.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

export interface DecodedFile {
  /** Problems in the file's syntax and types; empty when `document` is the whole file. */
  readonly problems: ConfigProblem[];
  /**
   * The file's fields; when there are problems, the fields that could be read
   * (bad ones left out), so that validation can still report every other
   * field in the same run.
   */
  readonly document?: KubeProxyConfigurationDocument;
  /** Where a field path ("ipvs.excludeCIDRs[1]") is written in the file. */
  readonly locate: (path: string) => SourcePosition | undefined;
}

const KNOWN_PATHS = fieldPaths(KubeProxyConfigurationSchema);

/** Decode the text of a KubeProxyConfiguration file; `file` names it in messages. */
export function decodeKubeProxyConfiguration(text: string, file: string): DecodedFile {
  const parsed = parseYamlDocument(text, file);
  if (!parsed.ok) return { problems: parsed.problems, locate: () => undefined };
  const { document: yaml } = parsed;
  const locate = (path: string): SourcePosition | undefined => yaml.locate(parsePath(path));
  const value = yaml.value ?? {};
  if (!isPlainObject(value)) {
    return {
      problems: [
        {
          path: file,
          message: `must hold a KubeProxyConfiguration mapping, got ${describe(value)}`,
          position: yaml.locate([]),
        },
      ],
      locate,
    };
  }
  const input = dropNulls(value) as Record<string, unknown>;
  const result = KubeProxyConfigurationDocumentSchema.safeParse(input, { reportInput: true });
  if (result.success) return { problems: [], document: result.data, locate };
  const problems = issuesToProblems(result.error.issues, KNOWN_PATHS, yaml.locate).sort(byPosition);
  return { problems, document: readableFields(input, result.error.issues), locate };
}

/** In reading order; problems with no place in the file (missing fields) first. */
export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  const key = (p: ConfigProblem): number => (p.position ? p.position.line * 1e6 + p.position.column : -1);
  return key(a) - key(b);
}

/** The document without the fields that failed, or undefined if even that fails. */
function readableFields(
  input: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): KubeProxyConfigurationDocument | undefined {
  let pruned = dropNulls(input) as Record<string, unknown>; // a deep copy
  for (let attempt = 0; attempt < 4; attempt++) {
    for (const issue of issues) {
      // A bad list element takes its whole list out.
      const index = issue.path.findIndex((segment) => typeof segment === 'number');
      const path = index >= 0 ? issue.path.slice(0, index) : issue.path;
      if (issue.code === 'unrecognized_keys' && index < 0)
        for (const key of issue.keys) deleteIn(pruned, [...path, key]);
      else deleteIn(pruned, path);
    }
    pruned = { ...pruned, apiVersion: API_VERSION, kind: KIND };
    const retry = KubeProxyConfigurationDocumentSchema.safeParse(pruned);
    if (retry.success) return retry.data;
    issues = retry.error.issues;
  }
  return undefined;
}

function deleteIn(root: Record<string, unknown>, path: readonly PropertyKey[]): void {
  if (path.length === 0) return;
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    node = node[key as string];
  }
  if (isPlainObject(node)) delete node[path[path.length - 1] as string];
}

/** ["ipvs", "excludeCIDRs", 1] from "ipvs.excludeCIDRs[1]". */
export function parsePath(path: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[1] !== undefined) out.push(match[1]);
  }
  return out;
}

/** Decode a partial configuration given as plain values (the command line's). */
export function decodeOverlay(value: Record<string, unknown>): Decoded<KubeProxyConfigurationOverlay> {
  const result = KubeProxyConfigurationOverlaySchema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: issuesToProblems(result.error.issues, KNOWN_PATHS) };
}

/** A JSON null for a Go field leaves it unset; the same is true here. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // defineProperty, so that a "__proto__" key stays a plain (unknown) field.
    if (child !== null)
      Object.defineProperty(out, key, {
        value: dropNulls(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (tests run in a vm context), or none.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The plain form of a configuration (durations as Go strings), ready for YAML. */
export function encodeKubeProxyConfiguration(
  cfg: z.output<typeof KubeProxyConfigurationSchema>,
): z.input<typeof KubeProxyConfigurationSchema> {
  return z.encode(KubeProxyConfigurationSchema, cfg);
}
