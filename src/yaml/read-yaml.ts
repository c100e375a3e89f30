// YAML read the way Kubernetes reads it, for the configuration file, the
// kubeconfig and the objects `kipvs plan` and `diff` read: YAML 1.1 scalars as
// go-yaml v2 resolves them (yes/no/on/off are booleans, 0644 is octal), but
// dates and base-60 numbers stay strings, as go-yaml gives strings when
// decoding into untyped values. Duplicate keys are an error, as in
// Kubernetes' strict decoding. Every document keeps where its values are
// written, so that any problem can name its line and column.
import {
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseAllDocuments,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type Tags,
} from 'yaml';

/** A place in a file: line and column count from 1. */
export interface TextPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface YamlDocument {
  readonly value: unknown;
  /** Where the document starts (its "---", or its first line). */
  readonly start: TextPosition;
  /** Where the value at `path` is written; for an unknown key (`key`) of the mapping there, the key itself. */
  locate(path: readonly PropertyKey[], key?: string): TextPosition | undefined;
}

/** What is wrong with the text, and where when that is known. */
export interface YamlProblem {
  readonly message: string;
  readonly position?: TextPosition;
}

export type YamlReadResult =
  | { readonly ok: true; readonly documents: readonly YamlDocument[] }
  /** The text is not YAML: nothing in it is used. */
  | { readonly ok: false; readonly problems: readonly YamlProblem[] };

const GO_YAML_TAGS = (tags: Tags): Tags =>
  tags.filter((tag) => {
    const name = typeof tag === 'string' ? tag : tag.tag;
    const format = typeof tag === 'string' ? undefined : tag.format;
    return format !== 'TIME' && !/:(timestamp|binary|omap|pairs|set)$/.test(name);
  });

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: GO_YAML_TAGS,
  uniqueKeys: true,
  prettyErrors: false,
};

/** The documents of `text` (`file` names it in messages). */
export function readYaml(text: string, file: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const at = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { ...OPTIONS, lineCounter });
    // An empty stream parses to a marker that is not an array.
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    return { ok: false, problems: [{ message: unreadable(err) }] };
  }
  const syntax = docs.flatMap((doc) =>
    doc.errors.map((e) => ({ message: `YAML syntax error: ${firstLine(e.message)}`, position: at(e.pos[0]) })),
  );
  if (syntax.length > 0) return { ok: false, problems: syntax };
  const documents: YamlDocument[] = [];
  for (const doc of docs) {
    let value: unknown;
    try {
      // maxAliasCount bounds "billion laughs" expansion.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return { ok: false, problems: [{ message: unreadable(err), position: at(doc.range[0]) }] };
    }
    documents.push({ value, start: at(doc.range[0]), locate: (path, key) => locateIn(doc, path, key, at) });
  }
  return { ok: true, documents };
}

function locateIn(
  doc: Document.Parsed,
  path: readonly PropertyKey[],
  key: string | undefined,
  at: (offset: number) => TextPosition,
): TextPosition | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    if (range) return at(range[0]);
  }
  const range =
    node && typeof node === 'object' && 'range' in node
      ? (node.range as readonly number[] | null | undefined)
      : undefined;
  return range?.[0] === undefined ? undefined : at(range[0]);
}

function unreadable(err: unknown): string {
  return `cannot be read as YAML: ${err instanceof Error ? err.message : String(err)}`;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
