// One list of a watched resource, through client-node's request context and
// HTTP library (the same authentication and TLS path its Watch takes), read
// as raw JSON: client-node's typed APIs would deserialize the objects into
// its models, and the model wants the objects exactly as the server sent them
// (src/proxy validates them and reports what is malformed).
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { ApiError, classifyFailure, kindOfStatus } from './api-error.js';
import { selectorQuery, type WatchedResource } from './resources.js';

export interface ObjectList {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
}

const http = new IsomorphicFetchHttpLibrary();

/** The message of a Status body, when the failure came with one. */
function statusMessage(body: string): string | undefined {
  try {
    const status: unknown = JSON.parse(body);
    if (typeof status === 'object' && status !== null && 'message' in status && typeof status.message === 'string') return status.message;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * GET the collection. `resourceVersion` "0" lets the server answer from its
 * watch cache (what client-go's reflector asks for first); "" asks for a
 * consistent read (what it asks for after 410 Gone).
 */
export async function listObjects(config: KubeConfig, resource: WatchedResource, resourceVersion: string, signal: AbortSignal): Promise<ObjectList> {
  const fail = (details: Omit<ConstructorParameters<typeof ApiError>[0], 'resource' | 'request'>): ApiError =>
    new ApiError({ ...details, resource: resource.kind, request: 'list' });
  let text: string;
  let status: number;
  try {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the KubeConfig has no current cluster');
    const url = new URL(cluster.server + resource.path);
    for (const [key, value] of Object.entries(selectorQuery(resource))) url.searchParams.set(key, value);
    if (resourceVersion !== '') url.searchParams.set('resourceVersion', resourceVersion);
    const request = new RequestContext(url.toString(), HttpMethod.GET);
    request.setSignal(signal);
    await config.applySecurityAuthentication(request);
    const response = await http.send(request).toPromise();
    status = response.httpStatusCode;
    text = await response.body.text();
  } catch (err) {
    throw classifyFailure(err, resource.kind, 'list');
  }
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
