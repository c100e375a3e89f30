// Services, EndpointSlices and Nodes from a YAML or JSON file, as `kubectl get
// -o yaml|json` writes them or as people write manifests: several documents
// separated by "---", and lists (`kind: List`, or a typed `ServiceList` whose
// items carry no kind, as the API server returns them). The file must parse; an
// object that is not one of the three kinds, or is defined twice, is reported
// with its position and skipped. Whether an object of the right kind is valid
// is the model's question, not this file's.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';

/** Where in the file: the whole file (no line), or a line and column. */
export interface ObjectsFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** "objects.yaml:12:3: why", or "objects.yaml: why". */
export function renderObjectsFileProblem(p: ObjectsFileProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`}: ${p.message}`;
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
type Position = Pick<ObjectsFileProblem, 'file' | 'line' | 'column'>;

class Collector {
  readonly objects: Record<ObjectKind, unknown[]> = { services: [], endpointSlices: [], nodes: [] };
  readonly problems: ObjectsFileProblem[] = [];
  /** Where each kind/namespace/name was last defined, and its index in `objects`. */
  private readonly seen = new Map<string, { readonly line: number | undefined; readonly index: number }>();

  constructor(private readonly locate: (doc: Document.Parsed, path: Path) => Position) {}

  /** A whole document: one object, a list of objects, or nothing. */
  addDocument(doc: Document.Parsed, value: unknown): void {
    this.add(doc, value, [], undefined);
  }

  /** The value at `path` of `doc`; `itemKind` is the kind a typed list (ServiceList, ...) gives items without one. */
  private add(doc: Document.Parsed, value: unknown, path: Path, itemKind: string | undefined): void {
    if (value === null || value === undefined) return; // an empty document
    const position = this.locate(doc, path);
    const object = record(value);
    if (!object) {
      this.problems.push({ ...position, message: 'not a Kubernetes object (a mapping with a kind); skipped' });
      return;
    }
    const kind = text(object['kind']) ?? itemKind;
    const items = object['items'];
    if (kind !== undefined && kind.endsWith('List') && Array.isArray(items)) {
      const ofKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      items.forEach((item: unknown, i) => this.add(doc, item, [...path, 'items', i], ofKind));
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
      const where = earlier.line === undefined ? '' : ` at line ${earlier.line}`;
      this.problems.push({ ...position, message: `${objectName(object)}: ${kind} also defined${where}; this later one is used` });
      list[earlier.index] = object;
    }
    this.seen.set(key, { line: position.line, index: earlier?.index ?? list.length });
    if (!earlier) list.push(object);
  }
}

/**
 * Reads the objects of `text` (`file` names it in messages). YAML 1.1, as Kubernetes'
 * own YAML decoding (go-yaml v2) reads it; duplicate keys are an error there too.
 */
export function parseClusterObjects(text: string, file: string): ObjectsFileResult {
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

  const collector = new Collector((doc, path) => {
    const node = doc.getIn(path, true);
    const range = node !== null && typeof node === 'object' && 'range' in node ? (node.range as readonly number[] | null | undefined) : undefined;
    return at(range?.[0] ?? doc.range[0]);
  });
  for (const doc of docs) {
    let value: unknown;
    try {
      // maxAliasCount bounds "billion laughs" expansion.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return { ok: false, problems: [{ ...at(doc.range[0]), message: `cannot be read as YAML: ${errorText(err)}` }] };
    }
    collector.addDocument(doc, value);
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
