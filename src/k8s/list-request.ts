// One list of a watched resource, through client-node's request context and
// HTTP library (api-request.ts: the same authentication and TLS path its Watch
// takes), read as raw JSON: client-node's typed APIs would deserialize the objects into
// its models, and the model wants the objects exactly as the server sent them
// (src/proxy validates them and reports what is malformed).
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError, kindOfStatus } from './api-error.js';
import { callApiServer, HttpMethod, statusMessage } from './api-request.js';
import { selectorQuery, type WatchedResource } from './resources.js';

export interface ObjectList {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
}


/**
 * GET the collection. `resourceVersion` "0" lets the server answer from its
 * watch cache (what client-go's reflector asks for first); "" asks for a
 * consistent read (what it asks for after 410 Gone).
 */
export async function listObjects(config: KubeConfig, resource: WatchedResource, resourceVersion: string, signal: AbortSignal): Promise<ObjectList> {
  const fail = (details: Omit<ConstructorParameters<typeof ApiError>[0], 'resource' | 'request'>): ApiError =>
    new ApiError({ ...details, resource: resource.kind, request: 'list' });
  const query: Record<string, string> = { ...selectorQuery(resource), ...(resourceVersion === '' ? {} : { resourceVersion }) };
  const { status, text } = await callApiServer(config, { method: HttpMethod.GET, path: resource.path, query, signal, resource: resource.kind, request: 'list' });
  if (status !== 200) {
    const detail = statusMessage(text);
    throw fail({ kind: kindOfStatus(status), status, ...(detail === undefined ? {} : { detail }) });
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw fail({ kind: 'bad-response', detail: err instanceof Error ? err.message : String(err) });
  }
  const body = typeof list === 'object' && list !== null ? (list as { items?: unknown; metadata?: { resourceVersion?: unknown } }) : {};
  if (!Array.isArray(body.items)) throw fail({ kind: 'bad-response', detail: 'no items array' });
  const version = body.metadata?.resourceVersion;
  if (typeof version !== 'string' || version === '') throw fail({ kind: 'bad-response', detail: 'no metadata.resourceVersion' });
  return { items: body.items, resourceVersion: version };
}
