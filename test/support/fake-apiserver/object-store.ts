// The fake API server's etcd: objects of three resources, one resourceVersion
// counter for all of them (as etcd's revision), and the history of changes a
// watch replays from a given resourceVersion. compact() forgets that history,
// so a watch from before it must be answered with 410 Gone, as the real server
// does once etcd has compacted the revision (or the watch cache has moved on).
import type { FakeObject } from './selectors.js';

export const RESOURCES = {
  services: { kind: 'Service', apiVersion: 'v1', listKind: 'ServiceList', namespaced: true },
  endpointslices: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    listKind: 'EndpointSliceList',
    namespaced: true,
  },
  nodes: { kind: 'Node', apiVersion: 'v1', listKind: 'NodeList', namespaced: false },
} as const;

export type ResourceName = keyof typeof RESOURCES;
export type FakeKind = (typeof RESOURCES)[ResourceName]['kind'];

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change: the object before (absent when added) and after (the last state when deleted). */
export interface StoredChange {
  readonly resourceVersion: number;
  readonly resource: ResourceName;
  readonly type: ChangeType;
  readonly before?: FakeObject;
  readonly after: FakeObject;
}

export class FakeStoreError extends Error {
  override readonly name = 'FakeStoreError';
}

export function resourceOfKind(kind: unknown): ResourceName {
  for (const [resource, info] of Object.entries(RESOURCES)) if (info.kind === kind) return resource as ResourceName;
  throw new FakeStoreError(`the fake API server serves Service, EndpointSlice and Node, not ${JSON.stringify(kind)}`);
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ObjectStore {
  #revision = 1;
  #compactedRevision = 0;
  readonly #objects = new Map<ResourceName, Map<string, FakeObject>>(
    Object.keys(RESOURCES).map((r) => [r as ResourceName, new Map()]),
  );
  readonly #history: StoredChange[] = [];
  readonly #listeners = new Set<(change: StoredChange) => void>();

  get revision(): number {
    return this.#revision;
  }

  /** The oldest resourceVersion a watch may still start from. */
  get compactedRevision(): number {
    return this.#compactedRevision;
  }

  list(resource: ResourceName): FakeObject[] {
    return [...this.#resource(resource).values()];
  }

  /** Creates or replaces an object (by kind, namespace and name); kind and metadata.name are required. */
  apply(input: unknown): StoredChange {
    if (typeof input !== 'object' || input === null) throw new FakeStoreError('an object is required');
    const raw = input as Record<string, unknown>;
    const resource = resourceOfKind(raw['kind']);
    const metadata = raw['metadata'];
    if (typeof metadata !== 'object' || metadata === null) throw new FakeStoreError('metadata is required');
    const meta = metadata as Record<string, unknown>;
    const name = meta['name'];
    if (typeof name !== 'string' || name === '') throw new FakeStoreError('metadata.name is required');
    const namespace = RESOURCES[resource].namespaced
      ? typeof meta['namespace'] === 'string'
        ? meta['namespace']
        : 'default'
      : undefined;
    const objects = this.#resource(resource);
    const key = objectKey(namespace ?? '', name);
    const before = objects.get(key);
    const revision = this.#revision + 1;
    const after = structuredClone({
      ...raw,
      apiVersion: RESOURCES[resource].apiVersion,
      metadata: {
        ...meta,
        ...(namespace === undefined ? {} : { namespace }),
        uid: before?.metadata.uid ?? meta['uid'] ?? `uid-${revision}`,
        resourceVersion: String(revision),
      },
    }) as unknown as FakeObject;
    objects.set(key, after);
    return this.#record({
      resourceVersion: revision,
      resource,
      type: before ? 'MODIFIED' : 'ADDED',
      after,
      ...(before ? { before } : {}),
    });
  }

  delete(kind: FakeKind, namespace: string, name: string): StoredChange {
    const resource = resourceOfKind(kind);
    const objects = this.#resource(resource);
    const key = objectKey(RESOURCES[resource].namespaced ? namespace : '', name);
    const before = objects.get(key);
    if (!before) throw new FakeStoreError(`${kind} ${key} does not exist`);
    objects.delete(key);
    const revision = this.#revision + 1;
    const after = { ...before, metadata: { ...before.metadata, resourceVersion: String(revision) } };
    return this.#record({ resourceVersion: revision, resource, type: 'DELETED', before, after });
  }

  /** Forgets every change so far: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.#compactedRevision = this.#revision;
    this.#history.length = 0;
  }

  /** Changes after `resourceVersion`, or undefined when they were compacted away. */
  changesSince(resourceVersion: number): StoredChange[] | undefined {
    if (resourceVersion < this.#compactedRevision) return undefined;
    return this.#history.filter((c) => c.resourceVersion > resourceVersion);
  }

  subscribe(listener: (change: StoredChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #resource(resource: ResourceName): Map<string, FakeObject> {
    const objects = this.#objects.get(resource);
    if (!objects) throw new FakeStoreError(`unknown resource ${resource}`);
    return objects;
  }

  #record(change: StoredChange): StoredChange {
    this.#revision = change.resourceVersion;
    this.#history.push(change);
    for (const listener of this.#listeners) listener(change);
    return change;
  }
}
