// One YAML document parsed the way kube-proxy and client-go read theirs:
// YAML 1.1 scalars as go-yaml v2 resolves them (yes/no/on/off are booleans,
// 0644 is octal), but dates and base-60 numbers stay strings, as go-yaml gives
// strings when decoding into untyped values. Duplicate keys are an error, as
// in kube-proxy's strict decoding. Positions are kept so that any problem can
// name its line and column.
import { LineCounter, isMap, isPair, isScalar, parseAllDocuments, type Document, type Tags } from 'yaml';
import type { ConfigProblem, SourcePosition } from './problems.js';

export interface YamlDocument {
  readonly value: unknown;
  /** Where the value at `path` is written; for an unknown key, the key itself. */
  locate(path: readonly PropertyKey[], key?: string): SourcePosition | undefined;
}

export type YamlParseResult = { ok: true; document: YamlDocument } | { ok: false; problems: ConfigProblem[] };

const GO_YAML_TAGS = (tags: Tags): Tags =>
  tags.filter((tag) => {
    const name = typeof tag === 'string' ? tag : tag.tag;
    const format = typeof tag === 'string' ? undefined : tag.format;
    return format !== 'TIME' && !/:(timestamp|binary|omap|pairs|set)$/.test(name);
  });

/** Parse `text` (from `file`, for messages); a file must hold exactly one document. */
export function parseYamlDocument(text: string, file: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      version: '1.1',
      customTags: GO_YAML_TAGS,
      uniqueKeys: true,
      lineCounter,
      prettyErrors: false,
    });
  } catch (err) {
    return { ok: false, problems: [{ path: file, message: `YAML could not be read: ${errorText(err)}` }] };
  }
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an empty-stream marker for text with no document.
    return { ok: true, document: { value: null, locate: () => undefined } };
  }
  const problems: ConfigProblem[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) {
      problems.push({
        path: file,
        message: `YAML syntax error: ${firstLine(error.message)}`,
        position: position(error.pos[0]),
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (docs.length > 1) {
    const second = docs[1];
    const offset = second?.range[0] ?? 0;
    return {
      ok: false,
      problems: [
        {
          path: file,
          message: 'holds more than one YAML document; kipvs reads exactly one',
          position: position(offset),
        },
      ],
    };
  }
  const doc = docs[0];
  if (!doc) return { ok: true, document: { value: null, locate: () => undefined } };
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ path: file, message: `YAML could not be read: ${errorText(err)}` }] };
  }
  return {
    ok: true,
    document: {
      value,
      locate(path, key) {
        const node = path.length === 0 ? doc.contents : doc.getIn(path as Iterable<unknown>, true);
        if (key !== undefined && isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
          const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
          if (range) return position(range[0]);
        }
        const range =
          node && typeof node === 'object' && 'range' in node
            ? (node.range as [number, number, number] | null | undefined)
            : undefined;
        return range ? position(range[0]) : undefined;
      },
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
