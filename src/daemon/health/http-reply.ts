// Replies as Go's net/http writes them in kube-proxy's servers: every handler
// sets X-Content-Type-Options: nosniff, and an unknown path gets Go ServeMux's
// plain-text 404.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export function reply(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function notFound(res: ServerResponse): void {
  reply(res, 404, TEXT_TYPE, '404 page not found\n');
}

/** The request's path without its query, as ServeMux matches it. */
export function requestPath(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}
