// The one YAML document of a configuration file or kubeconfig: read as
// Kubernetes reads YAML (src/yaml), and refused when the file holds more than one.
import { readYaml, type YamlDocument } from '../yaml/read-yaml.js';
import type { ConfigProblem } from './problems.js';

type OneDocument = Pick<YamlDocument, 'value' | 'locate'>;

export type YamlParseResult = { ok: true; document: OneDocument } | { ok: false; problems: ConfigProblem[] };

/** An empty file: no value, and nowhere to point at. */
const EMPTY: OneDocument = { value: null, locate: () => undefined };

/** Parse `text` (from `file`, for messages); a file must hold at most one document. */
export function parseYamlDocument(text: string, file: string): YamlParseResult {
  const read = readYaml(text, file);
  if (!read.ok) {
    return {
      ok: false,
      problems: read.problems.map((p) => ({
        path: file,
        message: p.message,
        ...(p.position && { position: p.position }),
      })),
    };
  }
  const [first, second] = read.documents;
  if (second) {
    return {
      ok: false,
      problems: [
        { path: file, message: 'holds more than one YAML document; kipvs reads exactly one', position: second.start },
      ],
    };
  }
  return { ok: true, document: first ?? EMPTY };
}
