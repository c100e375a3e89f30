// The cache key of an object from the API server, "namespace/name" (client-go's
// MetaNamespaceKeyFunc; cluster-scoped objects are "name"). Objects are
// untrusted input: one whose metadata is broken still gets a key (its uid, or
// a placeholder) so that it is kept, raw, for the model to report. The watch (src/k8s)
// keys its cache and its changes with it, the sync engine its validation memo.

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

export function objectKey(object: unknown): string {
  const metadata = field(object, 'metadata');
  const name = field(metadata, 'name');
  const namespace = field(metadata, 'namespace');
  if (typeof name === 'string' && name !== '')
    return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
  const uid = field(metadata, 'uid');
  return typeof uid === 'string' && uid !== '' ? `<unnamed uid ${uid}>` : '<unnamed>';
}
