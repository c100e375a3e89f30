// One list of a watched resource, in pages as client-go's pager reads it (limit 500,
// then the continue token of each page), so that a cluster of 50,000 Services never
// arrives as one response of hundreds of megabytes, and each page's objects can be
// reduced before the next is read. Raw JSON through client-node's request context
// (api-request.ts): its typed APIs would deserialize the objects into its models, and
// the model wants them as the server sent them (src/proxy validates them).
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError } from './api-error.js';
import { callApiServer, failedAnswer, HttpMethod } from './api-request.js';
import { selectorQuery, type WatchedResource } from './resources.js';

/** client-go's pager.defaultPageSize. */
export const LIST_PAGE_SIZE = 500;

export interface ListOptions {
  /**
   * "0" lets the server answer from its watch cache (what client-go's reflector asks
   * for first); "" asks for a consistent read (what it asks for after 410 Gone).
   */
  readonly resourceVersion: string;
  readonly signal: AbortSignal;
  /** How long one page may take. */
  readonly timeoutMs: number;
  readonly pageSize: number;
  /** Waited for before each page's request (the client's rate limiter). */
  readonly beforeRequest: () => Promise<void>;
  /** Each page's items, in order, as they arrive. */
  readonly onItems: (items: readonly unknown[]) => void;
}

interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continueToken: string;
}

function parsePage(text: string, fail: (detail: string) => ApiError): ListPage {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
  const body =
    typeof list === 'object' && list !== null
      ? (list as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } })
      : {};
  // Go writes an empty list's items as null.
  const items = body.items === null ? [] : body.items;
  if (!Array.isArray(items)) throw fail('no items array');
  const version = body.metadata?.resourceVersion;
  if (typeof version !== 'string' || version === '') throw fail('no metadata.resourceVersion');
  const token = body.metadata?.continue;
  return { items, resourceVersion: version, continueToken: typeof token === 'string' ? token : '' };
}

/**
 * GETs the collection page by page and resolves with the list's resourceVersion, the
 * one to watch from. A continue token the server no longer honours (410 Expired, when
 * paging took longer than etcd keeps the list's revision) rejects with kind `gone`:
 * the list starts over.
 */
export async function listObjects(
  config: KubeConfig,
  resource: WatchedResource,
  options: ListOptions,
): Promise<string> {
  const fail = (detail: string): ApiError =>
    new ApiError({ kind: 'bad-response', resource: resource.kind, request: 'list', detail });
  let continueToken = '';
  for (;;) {
    // The API server refuses a resourceVersion beside a continue token: the token carries it.
    const query: Record<string, string> = { ...selectorQuery(resource), limit: String(options.pageSize) };
    if (continueToken !== '') query['continue'] = continueToken;
    else if (options.resourceVersion !== '') query['resourceVersion'] = options.resourceVersion;
    await options.beforeRequest();
    const answer = await callApiServer(config, {
      method: HttpMethod.GET,
      path: resource.path,
      query,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      resource: resource.kind,
      request: 'list',
    });
    if (answer.status !== 200) throw failedAnswer(answer, answer.text, resource.kind, 'list');
    const page = parsePage(answer.text, fail);
    options.onItems(page.items);
    if (page.continueToken === '') return page.resourceVersion;
    continueToken = page.continueToken;
  }
}
