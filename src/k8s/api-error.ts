// Failures of talking to the API server, as values with a kind: what went
// wrong (the credentials were refused, the certificate did not verify, the
// server could not be reached, ...), which request it was, and one sentence a
// person can act on, rendered here once. The reflector decides from the kind
// alone: `gone` means relist, everything else means retry later.
import { CredentialFileError } from './connection-credentials.js';
import type { WatchedKind } from './resources.js';

export type ApiErrorKind =
  /** 401: the token or client certificate was refused. */
  | 'unauthorized'
  /** 403: authenticated, but RBAC does not allow list/watch. */
  | 'forbidden'
  /** 410 Gone: the resourceVersion is too old (compacted); relist. */
  | 'gone'
  /** Any other HTTP failure status, or an ERROR watch event. */
  | 'status'
  /** The server's certificate did not verify (wrong CA, wrong name, expired). */
  | 'tls'
  /** No answer: connection refused or reset, name or route not found, timed out. */
  | 'unreachable'
  /** A 200 whose body is not a list. */
  | 'bad-response'
  /** Our own credential files could not be read (a token file that vanished). */
  | 'credentials';

export type ApiRequest = 'list' | 'watch' | 'create';

/** What a request was about: a watched kind, or the Event kipvs records about its node. */
export type ApiResource = WatchedKind | 'Event';

export interface ApiErrorDetails {
  readonly kind: ApiErrorKind;
  readonly resource: ApiResource;
  readonly request: ApiRequest;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** The system or TLS error code (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...). */
  readonly code?: string;
  /** The server's own words (a Status message) or the system's. */
  readonly detail?: string;
  /** A 429 or 5xx's Retry-After: how long the server asks clients to wait, in seconds. */
  readonly retryAfterSeconds?: number;
}

const WHAT: Readonly<Record<ApiErrorKind, string>> = {
  unauthorized: 'the API server refused the credentials (401 Unauthorized); check the token or client certificate',
  forbidden: 'the API server forbids it (403 Forbidden)',
  gone: 'the resource version is too old (410 Gone); listing again',
  status: 'the API server answered with an error',
  tls: "the API server's certificate did not verify; check the certificate authority and the server name",
  unreachable: 'the API server cannot be reached',
  'bad-response': 'the API server sent something that is not a list',
  credentials: 'the credentials cannot be read',
};

const PLURAL: Readonly<Record<ApiResource, string>> = {
  Service: 'Services',
  EndpointSlice: 'EndpointSlices',
  Node: 'the Node',
  Event: 'an Event',
};

/** "Services", "the Node": a resource as messages name it. */
export function resourcePhrase(resource: ApiResource): string {
  return PLURAL[resource];
}
/** The resource as an RBAC rule names it (resource.group). */
const RBAC_RESOURCE: Readonly<Record<ApiResource, string>> = {
  Service: 'services',
  EndpointSlice: 'endpointslices.discovery.k8s.io',
  Node: 'nodes',
  Event: 'events.events.k8s.io',
};

/** The RBAC rule a 403 says is missing: "list endpointslices.discovery.k8s.io". */
export function missingRule(resource: ApiResource, request: ApiRequest): string {
  return `${request} ${RBAC_RESOURCE[resource]}`;
}
const VERB: Readonly<Record<ApiRequest, string>> = { list: 'listing', watch: 'watching', create: 'creating' };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ApiErrorKind;
  readonly resource: ApiResource;
  readonly request: ApiRequest;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly retryAfterSeconds?: number;

  constructor(details: ApiErrorDetails, options?: ErrorOptions) {
    super(renderApiError(details), options);
    this.kind = details.kind;
    this.resource = details.resource;
    this.request = details.request;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.detail !== undefined) this.detail = details.detail;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** "watching Services: the API server cannot be reached (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6443)". */
function renderApiError(d: ApiErrorDetails): string {
  const facts = [d.status !== undefined ? `HTTP ${d.status}` : undefined, d.code, d.detail].filter(
    (f) => f !== undefined && f !== '',
  );
  const why = facts.length > 0 ? ` (${facts.join(': ')})` : '';
  const rule =
    d.kind === 'forbidden' ? `; kipvs's ClusterRole needs the rule "${missingRule(d.resource, d.request)}"` : '';
  const wait = d.retryAfterSeconds === undefined ? '' : `; it asks to retry after ${d.retryAfterSeconds} s`;
  return `${VERB[d.request]} ${PLURAL[d.resource]}: ${WHAT[d.kind]}${why}${rule}${wait}`;
}

/** The kind an HTTP failure status means. */
export function kindOfStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 410) return 'gone';
  return 'status';
}

// OpenSSL's verification failures (X509_V_ERR_* names) and Node's own TLS checks.
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS|^ERR_SSL|HOSTNAME_MISMATCH/;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly statusCode?: unknown;
}

/**
 * Errors are read by shape, not with instanceof: socket errors come from
 * Node's own realm, and code run in another (a Jest VM context) has a
 * different Error constructor.
 */
function errorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The innermost error with a `code`: undici wraps socket and TLS errors in "fetch failed". */
function rootCause(err: unknown): { code?: string; message: string } {
  const outer = errorLike(err);
  let found: { code?: string; message: string } = {
    message: typeof outer?.message === 'string' ? outer.message : String(err),
  };
  let current = outer;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (typeof current.code === 'string')
      found = { code: current.code, message: typeof current.message === 'string' ? current.message : '' };
    current = errorLike(current.cause);
  }
  return found;
}

/** An ApiError for whatever a request threw (an ApiError passes through unchanged). */
export function classifyFailure(err: unknown, resource: ApiResource, request: ApiRequest): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CredentialFileError) {
    return new ApiError(
      {
        kind: 'credentials',
        resource,
        request,
        ...(err.code === undefined ? {} : { code: err.code }),
        detail: err.path,
      },
      { cause: err },
    );
  }
  const statusCode = errorLike(err)?.statusCode;
  if (typeof statusCode === 'number')
    return new ApiError({ kind: kindOfStatus(statusCode), resource, request, status: statusCode }, { cause: err });
  const { code, message } = rootCause(err);
  const name = errorLike(err)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const kind: ApiErrorKind = code !== undefined && TLS_CODE.test(code) ? 'tls' : 'unreachable';
  return new ApiError(
    { kind, resource, request, ...(code === undefined ? {} : { code }), detail: timedOut ? 'timed out' : message },
    { cause: err },
  );
}
