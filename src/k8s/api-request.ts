// One request to the API server through client-node's request context and HTTP library,
// with its authentication and TLS (our ConnectionCredentials). The status, headers and
// body come back as they are for the caller to judge, read whole (callApiServer) or as a
// stream (openApiStream, for watches); a request that got no answer (refused,
// unverifiable, not answered in time) is an ApiError naming what was asked.
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
  type ResponseContext,
} from '@kubernetes/client-node';
import { ApiError, classifyFailure, kindOfStatus, type ApiRequest, type ApiResource } from './api-error.js';
import { listeningTimeout } from './listening-timeout.js';

export interface ApiCall {
  readonly method: HttpMethod;
  /** From the server's root, e.g. /api/v1/services. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly json?: unknown;
  readonly signal: AbortSignal;
  /** How long callApiServer waits for the whole answer; without it, only `signal` ends the request. */
  readonly timeoutMs?: number;
  /** What the request is, for its errors. */
  readonly resource: ApiResource;
  readonly request: ApiRequest;
}

export interface ApiAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

export interface ApiStream {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ReadableStream<Uint8Array>;
}

const http = new IsomorphicFetchHttpLibrary();

/** Why a request that took too long was ended (classifyFailure reads the name). */
export function timedOut(): DOMException {
  return new DOMException('no answer in time', 'TimeoutError');
}

/**
 * A controller that aborts when `parent` does, until `release()`. Requests link their
 * signals this way rather than with AbortSignal.any, whose signal is only weakly held
 * (a request could then outlive its caller's abort).
 */
export function abortWith(parent: AbortSignal): { readonly controller: AbortController; readonly release: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(parent.reason);
  if (parent.aborted) abort();
  else parent.addEventListener('abort', abort, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', abort) };
}

async function send(config: KubeConfig, call: ApiCall, signal: AbortSignal): Promise<ResponseContext> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the KubeConfig has no current cluster');
  const url = new URL(cluster.server + call.path);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const request = new RequestContext(url.toString(), call.method);
  if (call.json !== undefined) {
    request.setHeaderParam('Content-Type', 'application/json');
    request.setBody(JSON.stringify(call.json));
  }
  request.setSignal(signal);
  await config.applySecurityAuthentication(request);
  return http.send(request).toPromise();
}

export async function callApiServer(config: KubeConfig, call: ApiCall): Promise<ApiAnswer> {
  const { controller, release } = abortWith(call.signal);
  const timer =
    call.timeoutMs === undefined ? undefined : listeningTimeout(call.timeoutMs, () => controller.abort(timedOut()));
  try {
    const response = await send(config, call, controller.signal);
    return { status: response.httpStatusCode, headers: response.headers, text: await response.body.text() };
  } catch (err) {
    throw classifyFailure(err, call.resource, call.request);
  } finally {
    timer?.cancel();
    release();
  }
}

/**
 * Sends the request and resolves once the status and headers are in, with the body
 * unread; `signal` ends it, also while the caller reads the body (and the caller times it).
 */
export async function openApiStream(config: KubeConfig, call: ApiCall): Promise<ApiStream> {
  try {
    const response = await send(config, call, call.signal);
    const body = response.body.stream();
    if (!body)
      throw new ApiError({ kind: 'bad-response', resource: call.resource, request: call.request, detail: 'no body' });
    return { status: response.httpStatusCode, headers: response.headers, body };
  } catch (err) {
    throw classifyFailure(err, call.resource, call.request);
  }
}

/** The message of a Status body, when the failure came with one. */
export function statusMessage(body: string): string | undefined {
  try {
    const status: unknown = JSON.parse(body);
    if (typeof status === 'object' && status !== null && 'message' in status && typeof status.message === 'string')
      return status.message;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Retry-After in seconds, when the server sent it with a 429 or a 5xx: client-go waits
 * that long before it sends the request again (rest.checkWait). Only the delay-seconds
 * form; an HTTP date is not what kube-apiserver sends.
 */
export function retryAfterSeconds(status: number, headers: Readonly<Record<string, string>>): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  const text = headers['retry-after'];
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** The ApiError of a failure status, with the server's message and Retry-After. */
export function failedAnswer(
  answer: { readonly status: number; readonly headers: Readonly<Record<string, string>> },
  body: string,
  resource: ApiResource,
  request: ApiRequest,
): ApiError {
  const detail = statusMessage(body);
  const retryAfter = retryAfterSeconds(answer.status, answer.headers);
  return new ApiError({
    kind: kindOfStatus(answer.status),
    resource,
    request,
    status: answer.status,
    ...(detail === undefined ? {} : { detail }),
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  });
}

export { HttpMethod };
