// Services, EndpointSlices and Nodes from a YAML or JSON file, as `kubectl get
// -o yaml|json` writes them or as people write manifests: several documents
// separated by "---", and lists (`kind: List`, or a typed `ServiceList` whose
// items carry no kind, as the API server returns them). The file must parse; an
// object that is not one of the three kinds, or is defined twice, is reported
// with its position and skipped. Whether an object of the right kind is valid
// is the model's question, not this file's.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { formatPath } from '../proxy/input.js';

/** Where in the file: a line and column, a path in a JSON document (whose lines are not tracked), or the whole file. */
export interface ObjectsFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** "items[3]" */
  readonly path?: string;
  readonly message: string;
}

/** "objects.yaml:12:3: why", "objects.json:items[3]: why", or "objects.yaml: why". */
export function renderObjectsFileProblem(p: ObjectsFileProblem): string {
  const where = p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : p.path ? `:${p.path}` : '';
  return `${p.file}${where}: ${p.message}`;
}

export interface ClusterObjects {
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  readonly nodes: readonly unknown[];
}

export type ObjectsFileResult =
  | { readonly ok: true; readonly objects: ClusterObjects; readonly problems: readonly ObjectsFileProblem[] }
  /** The file could not be read or parsed: nothing in it is used. */
  | { readonly ok: false; readonly problems: readonly ObjectsFileProblem[] };

type ObjectKind = keyof ClusterObjects;

/** The kinds read, with the API version each must have when it names one. */
const KINDS: Readonly<Record<string, { readonly key: ObjectKind; readonly apiVersion: string }>> = {
  Service: { key: 'services', apiVersion: 'v1' },
  EndpointSlice: { key: 'endpointSlices', apiVersion: 'discovery.k8s.io/v1' },
  Node: { key: 'nodes', apiVersion: 'v1' },
};

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** "namespace/name" or "name", for messages. */
function objectName(object: Record<string, unknown>): string {
  const metadata = record(object['metadata']);
  const name = text(metadata?.['name']) ?? '<unnamed>';
  const namespace = text(metadata?.['namespace']);
  return namespace ? `${namespace}/${name}` : name;
}

/** The Node named `name`, if the file has it. */
export function findNode(objects: ClusterObjects, name: string): unknown {
  return objects.nodes.find((node) => text(record(record(node)?.['metadata'])?.['name']) === name);
}

type Path = readonly (string | number)[];
type Position = Pick<ObjectsFileProblem, 'file' | 'line' | 'column' | 'path'>;

/** "line 12" or "items[3]", for a message about another object. */
function describePosition(position: Position): string {
  return position.line !== undefined ? `line ${position.line}` : (position.path ?? '');
}

class Collector {
  readonly objects: Record<ObjectKind, unknown[]> = { services: [], endpointSlices: [], nodes: [] };
  readonly problems: ObjectsFileProblem[] = [];
  /** Where each kind/namespace/name was last defined, and its index in `objects`. */
  private readonly seen = new Map<string, { readonly where: string; readonly index: number }>();

  /** A whole document (one object, a list of objects, or nothing); `locate` says where a path of it is written. */
  addDocument(value: unknown, locate: (path: Path) => Position): void {
    this.add(value, [], undefined, locate);
  }

  /** The value at `path`; `itemKind` is the kind a typed list (ServiceList, ...) gives items without one. */
  private add(value: unknown, path: Path, itemKind: string | undefined, locate: (path: Path) => Position): void {
    if (value === null || value === undefined) return; // an empty document
    const position = locate(path);
    const object = record(value);
    if (!object) {
      this.problems.push({ ...position, message: 'not a Kubernetes object (a mapping with a kind); skipped' });
      return;
    }
    const kind = text(object['kind']) ?? itemKind;
    const items = object['items'];
    if (kind?.endsWith('List') && Array.isArray(items)) {
      const ofKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      for (const [i, item] of (items as readonly unknown[]).entries()) this.add(item, [...path, 'items', i], ofKind, locate);
      return;
    }
    const spec = kind === undefined ? undefined : KINDS[kind];
    if (!spec) {
      const what = kind === undefined ? 'an object without a kind' : `kind ${kind}`;
      this.problems.push({ ...position, message: `${objectName(object)}: ${what} is not a Service, EndpointSlice or Node; skipped` });
      return;
    }
    const apiVersion = text(object['apiVersion']);
    if (apiVersion !== undefined && apiVersion !== spec.apiVersion) {
      this.problems.push({ ...position, message: `${objectName(object)}: ${kind} ${apiVersion} is not read (only ${spec.apiVersion}); skipped` });
      return;
    }
    // As in an informer's cache, the later of two objects with one name replaces the earlier.
    const key = `${kind}/${objectName(object)}`;
    const list = this.objects[spec.key];
    const earlier = this.seen.get(key);
    if (earlier) {
      this.problems.push({ ...position, message: `${objectName(object)}: ${kind} also defined at ${earlier.where}; this later one is used` });
      list[earlier.index] = object;
    }
    this.seen.set(key, { where: describePosition(position), index: earlier?.index ?? list.length });
    if (!earlier) list.push(object);
  }
}

/**
 * JSON (`kubectl get -o json`), read by JSON.parse: about a hundred times faster than the
 * YAML parser, which takes a second per megabyte. Undefined when the text is not JSON; the
 * YAML parser then reads it, or says where it is wrong.
 */
function parseJson(text: string): { readonly value: unknown } | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * Reads the objects of `text` (`file` names it in messages): JSON, or YAML 1.1 as Kubernetes'
 * own YAML decoding (go-yaml v2) reads it, where duplicate keys are an error too.
 */
export function parseClusterObjects(text: string, file: string): ObjectsFileResult {
  const collector = new Collector();
  const json = parseJson(text);
  if (json) {
    collector.addDocument(json.value, (path) => ({ file, path: formatPath(path) }));
    return { ok: true, objects: collector.objects, problems: collector.problems };
  }
  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, lineCounter, prettyErrors: false });
    // An empty stream parses to a marker that is not an array.
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    return { ok: false, problems: [{ file, message: `cannot be read as YAML: ${errorText(err)}` }] };
  }
  const syntax = docs.flatMap((doc) => doc.errors.map((e) => ({ ...at(e.pos[0]), message: `YAML syntax error: ${firstLine(e.message)}` })));
  if (syntax.length > 0) return { ok: false, problems: syntax };

  const locateIn = (doc: Document.Parsed) => (path: Path): Position => {
    const node = doc.getIn(path, true);
    const range = node !== null && typeof node === 'object' && 'range' in node ? (node.range as readonly number[] | null | undefined) : undefined;
    return at(range?.[0] ?? doc.range[0]);
  };
  for (const doc of docs) {
    let value: unknown;
    try {
      // maxAliasCount bounds "billion laughs" expansion.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return { ok: false, problems: [{ ...at(doc.range[0]), message: `cannot be read as YAML: ${errorText(err)}` }] };
    }
    collector.addDocument(value, locateIn(doc));
  }
  return { ok: true, objects: collector.objects, problems: collector.problems };
}

/** Reads `path`, or standard input for "-". */
export async function readClusterObjectsFile(path: string): Promise<ObjectsFileResult> {
  const file = path === '-' ? '<stdin>' : path;
  let content: string;
  try {
    content = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ file, message: `cannot be read: ${errorText(err)}` }] };
  }
  return parseClusterObjects(content, file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function errorText(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && 'syscall' in err) {
    // "ENOENT: no such file or directory, open 'x'" -> "no such file or directory"
    return err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  }
  return err instanceof Error ? err.message : String(err);
}
