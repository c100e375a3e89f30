// What a failed request is called, and how it reads: the kind comes from the
// HTTP status or from the innermost system or TLS error code.
import { describe, expect, it } from '@jest/globals';
import { ApiError, classifyFailure } from '../../../src/k8s/api-error.js';
import { CredentialFileError } from '../../../src/k8s/connection-credentials.js';
import { objectKey } from '../../../src/proxy/object-key.js';
import { resourceVersionOf } from '../../../src/k8s/resource-version.js';
import { mutableRows } from '../../support/each-rows.js';

function wrapped(code: string, message: string): Error {
  const cause = Object.assign(new Error(message), { code });
  return new TypeError('fetch failed', { cause });
}

describe('classifyFailure', () => {
  it.each(
    mutableRows([
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [410, 'gone'],
      [500, 'status'],
    ] as const),
  )('an HTTP %i is %s', (status, kind) => {
    const error = classifyFailure(Object.assign(new Error('x'), { statusCode: status }), 'Service', 'watch');
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it.each(
    mutableRows([
      ['ECONNREFUSED', 'unreachable'],
      ['ECONNRESET', 'unreachable'],
      ['ENOTFOUND', 'unreachable'],
      ['UND_ERR_CONNECT_TIMEOUT', 'unreachable'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
      ['CERT_HAS_EXPIRED', 'tls'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ] as const),
  )('undici\'s "fetch failed" caused by %s is %s', (code, kind) => {
    const error = classifyFailure(wrapped(code, `connect ${code}`), 'EndpointSlice', 'list');
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
  });

  it('renders one line with the request, the resource, the meaning and the facts', () => {
    expect(
      classifyFailure(wrapped('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443'), 'Node', 'watch').message,
    ).toBe('watching the Node: the API server cannot be reached (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6443)');
  });

  it('names an unreadable credential file', () => {
    const error = classifyFailure(new CredentialFileError('/var/run/token', 'EACCES'), 'Service', 'list');
    expect(error.kind).toBe('credentials');
    expect(error.message).toBe('listing Services: the credentials cannot be read (EACCES: /var/run/token)');
  });

  it('passes an ApiError through', () => {
    const error = new ApiError({ kind: 'gone', resource: 'Service', request: 'watch', status: 410 });
    expect(classifyFailure(error, 'Node', 'list')).toBe(error);
  });
});

describe('an ApiError reads as the request it was', () => {
  it('a 403 names the RBAC rule that is missing: the verb and the resource with its group', () => {
    expect(new ApiError({ kind: 'forbidden', resource: 'Event', request: 'create', status: 403 }).message).toBe(
      'creating an Event: the API server forbids it (403 Forbidden) (HTTP 403); kipvs\'s ClusterRole needs the rule "create events.events.k8s.io"',
    );
    expect(
      new ApiError({ kind: 'forbidden', resource: 'EndpointSlice', request: 'list', status: 403 }).message,
    ).toMatch(/^listing EndpointSlices: .*needs the rule "list endpointslices\.discovery\.k8s\.io"$/);
    expect(new ApiError({ kind: 'forbidden', resource: 'Node', request: 'watch', status: 403 }).message).toMatch(
      /needs the rule "watch nodes"$/,
    );
  });

  it('says how long the server asked to wait', () => {
    expect(
      new ApiError({ kind: 'status', resource: 'Service', request: 'list', status: 429, retryAfterSeconds: 2 }).message,
    ).toBe('listing Services: the API server answered with an error (HTTP 429); it asks to retry after 2 s');
  });
});

describe('objectKey', () => {
  it.each(
    mutableRows([
      [{ metadata: { namespace: 'ns', name: 'web' } }, 'ns/web'],
      [{ metadata: { name: 'node-a' } }, 'node-a'],
      [{ metadata: { uid: 'u1' } }, '<unnamed uid u1>'],
      [{ metadata: 'broken' }, '<unnamed>'],
      [42, '<unnamed>'],
    ] as const),
  )('%j is keyed %s', (object, key) => {
    expect(objectKey(object)).toBe(key);
  });

  it('reads the resourceVersion only when it is a string', () => {
    expect(resourceVersionOf({ metadata: { resourceVersion: '12' } })).toBe('12');
    expect(resourceVersionOf({ metadata: { resourceVersion: 12 } })).toBeUndefined();
  });
});
