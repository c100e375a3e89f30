// One request to the API server through client-node's request context and HTTP library,
// the same authentication and TLS path its Watch takes. The status and body come back as
// they are for the caller to judge; a request that got no answer (refused, unverifiable,
// timed out) is an ApiError naming what was asked.
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { classifyFailure, type ApiRequest, type ApiResource } from './api-error.js';

export interface ApiCall {
  readonly method: HttpMethod;
  /** From the server's root, e.g. /api/v1/services. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly json?: unknown;
  readonly signal: AbortSignal;
  /** What the request is, for its errors. */
  readonly resource: ApiResource;
  readonly request: ApiRequest;
}

export interface ApiAnswer {
  readonly status: number;
  readonly text: string;
}

const http = new IsomorphicFetchHttpLibrary();

export async function callApiServer(config: KubeConfig, call: ApiCall): Promise<ApiAnswer> {
  try {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the KubeConfig has no current cluster');
    const url = new URL(cluster.server + call.path);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const request = new RequestContext(url.toString(), call.method);
    if (call.json !== undefined) {
      request.setHeaderParam('Content-Type', 'application/json');
      request.setBody(JSON.stringify(call.json));
    }
    request.setSignal(call.signal);
    await config.applySecurityAuthentication(request);
    const response = await http.send(request).toPromise();
    return { status: response.httpStatusCode, text: await response.body.text() };
  } catch (err) {
    throw classifyFailure(err, call.resource, call.request);
  }
}

/** The message of a Status body, when the failure came with one. */
export function statusMessage(body: string): string | undefined {
  try {
    const status: unknown = JSON.parse(body);
    if (typeof status === 'object' && status !== null && 'message' in status && typeof status.message === 'string') return status.message;
  } catch {
    return undefined;
  }
  return undefined;
}

export { HttpMethod };
