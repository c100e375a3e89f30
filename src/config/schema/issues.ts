// Zod issues turned into ConfigProblems a person can act on: one per field,
// named by its path, with the offending value and, for an unknown field that
// exists elsewhere in the schema, where it probably belongs (the usual cause
// is indentation, as in a clientConnection block whose children were not
// indented).
import { z } from 'zod';
import { formatPath } from '../../proxy/input.js';
import type { ConfigProblem, SourcePosition } from '../problems.js';

export type Locate = (path: readonly PropertyKey[], key?: string) => SourcePosition | undefined;

/** Fields kube-proxy once had and dropped; naming them helps after an upgrade. */
const REMOVED_FIELDS: ReadonlyMap<string, string> = new Map([
  ['udpIdleTimeout', 'was used only by the userspace proxy, removed in Kubernetes 1.26'],
  ['resourceContainer', 'was removed from kube-proxy in Kubernetes 1.16'],
  ['conntrack.max', 'was removed from kube-proxy; use conntrack.maxPerCore and conntrack.min'],
]);

/**
 * One problem per issue (per key for unknown keys). `isSecret` names fields
 * whose values must not appear in a message.
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  knownPaths: readonly string[],
  locate?: Locate,
  isSecret: (path: readonly PropertyKey[]) => boolean = () => false,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = formatPath([...issue.path, key]);
        problems.push(
          withPosition({ path, message: unknownFieldMessage(path, key, knownPaths) }, locate?.(issue.path, key)),
        );
      }
      continue;
    }
    const message = isSecret(issue.path) ? redactedMessage(issue) : issueMessage(issue);
    problems.push(withPosition({ path: formatPath(issue.path), message }, locate?.(issue.path)));
  }
  return problems;
}

function withPosition(problem: ConfigProblem, position: SourcePosition | undefined): ConfigProblem {
  return position ? { ...problem, position } : problem;
}

function unknownFieldMessage(path: string, key: string, knownPaths: readonly string[]): string {
  const removed = REMOVED_FIELDS.get(path);
  if (removed) return `unknown field "${key}": it ${removed}`;
  const elsewhere = knownPaths.filter((known) => known === key || known.endsWith(`.${key}`));
  if (elsewhere.length > 0) {
    return `unknown field "${key}" here; did you mean ${elsewhere.join(' or ')}? (check the indentation)`;
  }
  const general = path.replace(/\[\d+\]/g, '[]').toLowerCase(); // list items share one field path
  const caseInsensitive = knownPaths.find((known) => known.toLowerCase() === general);
  if (caseInsensitive)
    return `unknown field "${key}"; field names are case-sensitive, did you mean ${caseInsensitive}?`;
  return `unknown field "${key}"`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return `required, expected ${article(issue.expected)}`;
      const hint =
        issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')
          ? ` (quote it to make it a string: "${String(issue.input)}")`
          : '';
      return `expected ${article(issue.expected)}, got ${describe(issue.input)}${hint}`;
    }
    case 'invalid_union':
      return `expected a duration or quantity, got ${describe(issue.input)}`;
    default:
      return issue.message;
  }
}

function redactedMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type')
    return issue.input === undefined
      ? `required, expected ${article(issue.expected)}`
      : `expected ${article(issue.expected)} (value not shown)`;
  return 'invalid value (not shown)';
}

function article(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    default:
      return expected;
  }
}

/** A short, safe rendering of an offending input value. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value instanceof Date ? 'a date' : 'a mapping';
    default:
      return typeof value;
  }
}

/**
 * Every field path of a schema ("ipvs.scheduler", "users[].user.tokenFile"),
 * for unknown-field hints.
 */
export function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  if (schema instanceof z.ZodOptional) return fieldPaths(schema.unwrap() as z.ZodType, prefix);
  if (schema instanceof z.ZodArray) return fieldPaths(schema.element as z.ZodType, `${prefix}[]`);
  if (!(schema instanceof z.ZodObject)) return [];
  const paths: string[] = [];
  for (const [name, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    paths.push(path, ...fieldPaths(child, path));
  }
  return paths;
}
