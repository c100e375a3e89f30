// Streaming lists (KEP-3157 "watch-list", client-go's WatchListClient, on by default in
// Kubernetes 1.35): the reflector's list is one watch request with sendInitialEvents=true
// and resourceVersionMatch=NotOlderThan. The server sends every object as an ADDED event,
// then a BOOKMARK whose metadata.annotations["k8s.io/initial-events-end"] is "true", at the
// resourceVersion to go on from; the same stream then carries the changes. One request
// instead of a page per 500 objects, and one small JSON text per object instead of a page
// of megabytes.
//
// A server that cannot stream answers the request with an error: kube-apiserver's
// ListOptions validation refuses sendInitialEvents with 422 Invalid when its WatchList
// feature gate is off, as do servers older than the parameter (resourceVersionMatch is
// "forbidden for watch"). What client-go's reflector (watchList) does with each failure
// of the stream before its bookmark, and what kipvs does:
//   - 410 Gone (the resourceVersion asked for is compacted): stream again from "" (the
//     freshest state), as client-go does;
//   - 429, or no connection: retry the stream after the backoff, as client-go does (and
//     after a 5xx's Retry-After, which client-go's request layer honours);
//   - anything else: list page by page this time (client-go falls back to its paged LIST).
// client-go tries the stream again at every relist. kipvs also remembers a refusal (400 or
// 422: the server does not know or does not allow the parameters) and a server that never
// ends its initial events (one that ignored the parameters and sent a plain watch), for
// every resource of that server, so that each relist costs one request less.
import type { ApiError } from './api-error.js';
import type { WatchedResource } from './resources.js';
import { selectorQuery } from './resources.js';

/** The annotation of the BOOKMARK that ends the initial events (metav1.InitialEventsAnnotationKey). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** What to do after a streaming list failed before its initial-events-end bookmark. */
export type StreamFailureAction = 'retry' | 'page-this-time' | 'page-from-now-on';

export function afterStreamFailure(error: ApiError): StreamFailureAction {
  if (error.kind === 'gone' || error.kind === 'unreachable' || error.status === 429) return 'retry';
  // client-go's request layer waits as long as a 429 or 5xx's Retry-After asks and sends it again.
  if (error.retryAfterSeconds !== undefined) return 'retry';
  if (error.status === 400 || error.status === 422) return 'page-from-now-on';
  return 'page-this-time';
}

/** Whether one API server streams lists; shared by the reflectors of one client. */
export class StreamingListSupport {
  #refused = false;

  get usable(): boolean {
    return !this.#refused;
  }

  /** The server refused a streaming list, or never ended its initial events: page from now on. */
  refuse(): void {
    this.#refused = true;
  }
}

/** The query of a streaming list from `resourceVersion` ("" for the freshest state). */
export function streamingListQuery(
  resource: WatchedResource,
  resourceVersion: string,
  timeoutSeconds: number,
): Record<string, string> {
  return {
    ...selectorQuery(resource),
    resourceVersion,
    resourceVersionMatch: 'NotOlderThan',
    sendInitialEvents: 'true',
    allowWatchBookmarks: 'true',
    timeoutSeconds: String(timeoutSeconds),
  };
}

/** Whether a BOOKMARK's object ends the initial events. */
export function endsInitialEvents(bookmark: object): boolean {
  const metadata = (bookmark as { metadata?: unknown }).metadata;
  const annotations =
    typeof metadata === 'object' && metadata !== null ? (metadata as { annotations?: unknown }).annotations : undefined;
  return (
    typeof annotations === 'object' &&
    annotations !== null &&
    (annotations as Record<string, unknown>)[INITIAL_EVENTS_END_ANNOTATION] === 'true'
  );
}
