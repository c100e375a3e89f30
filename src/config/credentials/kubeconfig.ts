// The text of a kubeconfig file to a typed Kubeconfig, or every problem with
// it (with line and column), values of secret fields never shown.
import type { Decoded } from '../decode.js';
import { dropNulls, isPlainObject } from '../decode.js';
import { describe, fieldPaths, issuesToProblems } from '../schema/issues.js';
import { parseYamlDocument } from '../yaml-document.js';
import { KubeconfigSchema, SECRET_FIELDS, type Kubeconfig } from './kubeconfig-schema.js';

const KNOWN_PATHS = fieldPaths(KubeconfigSchema);

/** A field is secret when it is one itself, or sits inside an exec/auth-provider block. */
const isSecret = (path: readonly PropertyKey[]): boolean =>
  path.some(
    (segment) =>
      typeof segment === 'string' && (SECRET_FIELDS.has(segment) || segment === 'exec' || segment === 'auth-provider'),
  );

export function decodeKubeconfig(text: string, file: string): Decoded<Kubeconfig> {
  const parsed = parseYamlDocument(text, file);
  if (!parsed.ok) return parsed;
  const value = parsed.document.value ?? {};
  if (!isPlainObject(value)) {
    return { ok: false, problems: [{ path: file, message: `must hold a kubeconfig mapping, got ${describe(value)}` }] };
  }
  const result = KubeconfigSchema.safeParse(dropNulls(value), { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const problems = issuesToProblems(result.error.issues, KNOWN_PATHS, parsed.document.locate, isSecret);
  return { ok: false, problems: problems.map((p) => ({ ...p, path: `${file}: ${p.path}` })) };
}
