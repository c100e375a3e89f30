// YAML read the way Kubernetes reads it (go-yaml-scalars.ts: YAML 1.1 scalars
// as go-yaml v2 resolves them, duplicate keys an error), for the configuration
// file, the kubeconfig and the objects `kipvs plan` and `diff` read. Every
// document keeps where its values are written, so that any problem can name
// its line and column.
//
// Two paths, one behaviour: the block YAML that kubectl and YAML libraries
// write is read in one pass (block-yaml.ts), keeping only where each document
// and each item of its "items" starts; any other position, and any text that
// path does not read, comes from the `yaml` package's full syntax tree, built
// only then.
import { isMap, isPair, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { readBlockYaml, type BlockDocument } from './block-yaml.js';
import { GO_YAML_OPTIONS, resolvePlain } from './go-yaml-scalars.js';

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

/** The documents of `text` (`file` names it in messages). */
export function readYaml(text: string, file: string): YamlReadResult {
  const fast = readBlockYaml(text, resolvePlain);
  if (!fast) return readWithPositions(text, file);
  let at: ((offset: number) => TextPosition) | undefined;
  const position = (offset: number): TextPosition => {
    at ??= positionsIn(text, file);
    return at(offset);
  };
  let full: readonly YamlDocument[] | undefined;
  const fullDocument = (index: number): YamlDocument | undefined => {
    if (!full) {
      const read = readWithPositions(text, file);
      full = read.ok ? read.documents : [];
    }
    return full[index];
  };
  return { ok: true, documents: fast.map((doc, index) => blockDocument(doc, () => fullDocument(index), position)) };
}

/** A document read on the fast path: the positions it kept, the rest from the full syntax tree. */
function blockDocument(
  doc: BlockDocument,
  full: () => YamlDocument | undefined,
  at: (offset: number) => TextPosition,
): YamlDocument {
  return {
    value: doc.value,
    get start() {
      return full()?.start ?? at(doc.offset ?? 0);
    },
    locate(path, key) {
      const [first, second] = path;
      if (key === undefined && doc.offset !== undefined) {
        if (path.length === 0) return at(doc.offset);
        const item =
          path.length === 2 && first === 'items' && typeof second === 'number' ? doc.itemOffsets[second] : undefined;
        if (item !== undefined && item >= 0) return at(item);
      }
      return full()?.locate(path, key);
    },
  };
}

/** A position for each offset of `text`, from an index of its lines built once. */
export function positionsIn(text: string, file: string): (offset: number) => TextPosition {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1))
    lineCounter.addNewLine(newline + 1);
  return (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
}

/** The documents of `text` through the `yaml` package alone: a syntax tree with every position (the slow path). */
export function readWithPositions(text: string, file: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const at = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { ...GO_YAML_OPTIONS, lineCounter });
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
