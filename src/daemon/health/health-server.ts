// kube-proxy's health server (healthzBindAddress, 0.0.0.0:10256 by default):
// /healthz and /livez, with its status codes, headers and JSON bodies
// (pkg/proxy/healthcheck/proxy_health.go).
//
// /healthz is 200 when the proxier is healthy and the Node is eligible, else 503;
// /livez ignores the Node. A healthy reply gives the current time as
// "lastUpdated" (kube-proxy keeps that meaning from releases where it was the
// last sync loop run); an unhealthy one gives the last successful sync. While
// the API server cannot be used, /healthz's body says why in one more field,
// "apiServer" (kipvs's own; the status code stays kube-proxy's).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { formatGoTime, GO_ZERO_TIME } from './go-time.js';
import { JSON_TYPE, notFound, reply, requestPath } from './http-reply.js';
import { parseBindAddress, serve, type RunningServer } from './listen.js';
import type { ProxierHealth } from './proxier-health.js';

export type HealthProbe = 'healthz' | 'livez';

export interface HealthServerOptions {
  readonly health: ProxierHealth;
  /** Counts each reply (kubeproxy_proxy_healthz_total / _livez_total{code}). */
  readonly onProbe?: (probe: HealthProbe, code: 200 | 503) => void;
}

function answer(probe: HealthProbe, options: HealthServerOptions, res: ServerResponse): void {
  const status = options.health.status();
  const healthy = probe === 'healthz' ? status.healthy && status.nodeEligible : status.healthy;
  const lastUpdated = healthy ? status.currentTime : status.lastUpdated;
  const times = `"lastUpdated": ${JSON.stringify(lastUpdated === undefined ? GO_ZERO_TIME : formatGoTime(lastUpdated))},"currentTime": ${JSON.stringify(formatGoTime(status.currentTime))}`;
  // Byte for byte kube-proxy's bodies, spacing included: {"lastUpdated": "…","currentTime": "…", "nodeEligible": true}
  const apiServer =
    status.apiServerProblem === undefined ? '' : `, "apiServer": ${JSON.stringify(status.apiServerProblem)}`;
  const body = probe === 'healthz' ? `{${times}, "nodeEligible": ${status.nodeEligible}${apiServer}}` : `{${times}}`;
  const code = healthy ? 200 : 503;
  options.onProbe?.(probe, code);
  reply(res, code, JSON_TYPE, body);
}

export function healthRequestHandler(
  options: HealthServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = requestPath(req);
    if (path === '/healthz') answer('healthz', options, res);
    else if (path === '/livez') answer('livez', options, res);
    else notFound(res);
  };
}

/** Starts the server on `bindAddress`; undefined when it is "" (disabled). Rejects with a ListenError. */
export async function startHealthServer(
  bindAddress: string,
  options: HealthServerOptions,
): Promise<RunningServer | undefined> {
  const address = parseBindAddress(bindAddress);
  if (!address) return undefined;
  return serve(createServer(healthRequestHandler(options)), address);
}
