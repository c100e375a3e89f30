// Services, EndpointSlices and Nodes from a YAML or JSON file, as `kubectl get
// -o yaml|json` writes them or as people write manifests: several documents
// separated by "---", a stream of JSON documents, and lists (`kind: List`, or a
// typed `ServiceList` whose items carry no kind, as the API server returns
// them). The file must parse; an object that is not one of the three kinds, or
// is defined twice, is reported with its position and skipped. A Service or
// EndpointSlice without a namespace is in "default", as kubectl applies it.
// Whether an object of the right kind is valid is the model's question, not
// this file's; where each object is written is kept for its messages.
import { positionsIn, readYaml } from '../yaml/read-yaml.js';
import { parseJsonStream } from './json-stream.js';
import { readInput } from './read-input.js';

/** Where in the file (a line and column, or the whole file), and what. */
export interface ObjectsFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** Something that should have been an object was dropped (not merely another kind, or a duplicate). */
  readonly invalid?: true;
}

/** "objects.yaml:12:3" or "objects.yaml". */
export function renderPosition(p: ObjectPosition): string {
  return p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
}

/** "objects.yaml:12:3: why", or "objects.yaml: why". */
export function renderObjectsFileProblem(p: ObjectsFileProblem): string {
  return `${renderPosition(p)}: ${p.message}`;
}

export interface ClusterObjects {
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  readonly nodes: readonly unknown[];
}

/** Where an object is written, for its messages. */
export type ObjectPosition = Pick<ObjectsFileProblem, 'file' | 'line' | 'column'>;

export interface ObjectsFile {
  readonly objects: ClusterObjects;
  readonly problems: readonly ObjectsFileProblem[];
  /** Where the object of a kind, namespace ("" for a Node) and name is written. */
  readonly positionOf: (
    kind: 'Service' | 'EndpointSlice' | 'Node',
    namespace: string,
    name: string,
  ) => ObjectPosition | undefined;
}

export type ObjectsFileResult =
  | ({ readonly ok: true } & ObjectsFile)
  /** The file could not be read or parsed: nothing in it is used. */
  | { readonly ok: false; readonly problems: readonly ObjectsFileProblem[] };

type ObjectKind = keyof ClusterObjects;

/** The kinds read, with the API version each must have when it names one. */
const KINDS: Readonly<
  Record<
    string,
    { readonly kind: string; readonly key: ObjectKind; readonly apiVersion: string; readonly namespaced: boolean }
  >
> = {
  Service: { kind: 'Service', key: 'services', apiVersion: 'v1', namespaced: true },
  EndpointSlice: { kind: 'EndpointSlice', key: 'endpointSlices', apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  Node: { kind: 'Node', key: 'nodes', apiVersion: 'v1', namespaced: false },
};

/** kubectl's namespace for an object that names none. */
const DEFAULT_NAMESPACE = 'default';

/** `object` in the default namespace when its metadata names none. */
function withDefaultNamespace(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = record(object['metadata']);
  if (metadata === undefined || (metadata['namespace'] !== undefined && metadata['namespace'] !== '')) return object;
  return { ...object, metadata: { ...metadata, namespace: DEFAULT_NAMESPACE } };
}

function objectKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
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
type Position = ObjectPosition;

/** "line 12", for a message about another object. */
function describePosition(position: Position): string {
  return position.line !== undefined ? `line ${position.line}` : 'the start';
}

class Collector {
  readonly objects: Record<ObjectKind, unknown[]> = { services: [], endpointSlices: [], nodes: [] };
  readonly problems: ObjectsFileProblem[] = [];
  /** Where each kind/namespace/name was last defined, and its index in `objects`. */
  private readonly seen = new Map<string, { readonly position: Position; readonly index: number }>();

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
      this.problems.push({
        ...position,
        message: 'not a Kubernetes object (a mapping with a kind); skipped',
        invalid: true,
      });
      return;
    }
    const kind = text(object['kind']) ?? itemKind;
    const items = object['items'];
    if (kind?.endsWith('List') && Array.isArray(items)) {
      const ofKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      for (const [i, item] of (items as readonly unknown[]).entries())
        this.add(item, [...path, 'items', i], ofKind, locate);
      return;
    }
    const spec = kind === undefined ? undefined : KINDS[kind];
    if (!spec) {
      const what = kind === undefined ? 'an object without a kind' : `kind ${kind}`;
      this.problems.push({
        ...position,
        message: `${objectName(object)}: ${what} is not a Service, EndpointSlice or Node; skipped`,
        ...(kind === undefined && { invalid: true as const }),
      });
      return;
    }
    const apiVersion = text(object['apiVersion']);
    if (apiVersion !== undefined && apiVersion !== spec.apiVersion) {
      this.problems.push({
        ...position,
        message: `${objectName(object)}: ${kind} ${apiVersion} is not read (only ${spec.apiVersion}); skipped`,
        invalid: true,
      });
      return;
    }
    const read = spec.namespaced ? withDefaultNamespace(object) : object;
    // As in an informer's cache, the later of two objects with one name replaces the earlier.
    const key = objectKey(spec.kind, objectName(read));
    const list = this.objects[spec.key];
    const earlier = this.seen.get(key);
    if (earlier) {
      this.problems.push({
        ...position,
        message: `${objectName(read)}: ${spec.kind} also defined at ${describePosition(earlier.position)}; this later one is used`,
      });
      list[earlier.index] = read;
    }
    this.seen.set(key, { position, index: earlier?.index ?? list.length });
    if (!earlier) list.push(read);
  }

  result(): ObjectsFile {
    return {
      objects: this.objects,
      problems: this.problems,
      positionOf: (kind, namespace, name) =>
        this.seen.get(objectKey(kind, namespace === '' ? name : `${namespace}/${name}`))?.position,
    };
  }
}

/**
 * Reads the objects of `text` (`file` names it in messages): JSON, or YAML as Kubernetes reads it
 * (src/yaml: YAML 1.1, duplicate keys an error).
 */
export function parseClusterObjects(text: string, file: string): ObjectsFileResult {
  const collector = new Collector();
  // JSON.parse: about a hundred times faster than the YAML parser.
  const json = parseJsonStream(text);
  if (json) {
    const at = positionsIn(text, file);
    for (const doc of json) {
      // A List's item by its place in "items"; anything else at the document's start.
      collector.addDocument(doc.value, (path) =>
        at(path.length === 2 && path[0] === 'items' ? (doc.itemOffsets[Number(path[1])] ?? doc.offset) : doc.offset),
      );
    }
    return { ok: true, ...collector.result() };
  }
  const yaml = readYaml(text, file);
  if (!yaml.ok) return { ok: false, problems: yaml.problems.map((p) => ({ file, ...p.position, message: p.message })) };
  for (const doc of yaml.documents) collector.addDocument(doc.value, (path) => doc.locate(path) ?? doc.start);
  return { ok: true, ...collector.result() };
}

/** Reads `path`, or standard input for "-"; an input that cannot be read throws its InputError. */
export async function readClusterObjectsFile(path: string): Promise<ObjectsFileResult> {
  return parseClusterObjects(await readInput(path), path === '-' ? '<stdin>' : path);
}
