// kube-proxy's metrics server (metricsBindAddress, 127.0.0.1:10249 by default),
// with the handlers cmd/kube-proxy/app/server.go installs on it:
//   /metrics      the Prometheus exposition
//   /proxyMode    the mode as plain text ("ipvs")
//   /configz      the effective configuration under its API group, as component-base's configz
//   /healthz      component-base's healthz: "ok" from its one "ping" check (also /healthz/ping)
// kube-proxy's health (/healthz with JSON, /livez) is the other server, on healthzBindAddress.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { JSON_TYPE, notFound, reply, requestPath, TEXT_TYPE } from '../health/http-reply.js';
import { parseBindAddress, serve, type RunningServer } from '../health/listen.js';
import type { ProxyMetrics } from './proxy-metrics.js';

/** configz's key for kube-proxy's configuration (kubeproxy.config.k8s.io, its GroupName). */
const CONFIGZ_GROUP = 'kubeproxy.config.k8s.io';

export interface MetricsServerOptions {
  readonly metrics: ProxyMetrics;
  /** The effective KubeProxyConfiguration, as /configz shows it. */
  readonly configuration: unknown;
  /** Called when rendering the exposition fails (a broken collector); the scrape gets a 500. */
  readonly onError?: (error: unknown) => void;
}

const PROXY_MODE = 'ipvs';

async function answerMetrics(options: MetricsServerOptions, res: ServerResponse): Promise<void> {
  try {
    reply(res, 200, options.metrics.contentType, await options.metrics.exposition());
  } catch (error) {
    options.onError?.(error);
    reply(res, 500, TEXT_TYPE, 'metrics unavailable\n');
  }
}

export function metricsRequestHandler(
  options: MetricsServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const configz = JSON.stringify({ [CONFIGZ_GROUP]: options.configuration });
  return (req, res) => {
    switch (requestPath(req)) {
      case '/metrics':
        void answerMetrics(options, res);
        return;
      case '/proxyMode':
        reply(res, 200, TEXT_TYPE, PROXY_MODE);
        return;
      case '/configz':
        reply(res, 200, JSON_TYPE, configz);
        return;
      case '/healthz':
      case '/healthz/ping':
        reply(res, 200, TEXT_TYPE, 'ok');
        return;
      default:
        notFound(res);
    }
  };
}

/** Starts the server on `bindAddress`; undefined when it is "" (disabled). Rejects with a ListenError. */
export async function startMetricsServer(
  bindAddress: string,
  options: MetricsServerOptions,
): Promise<RunningServer | undefined> {
  const address = parseBindAddress(bindAddress);
  if (!address) return undefined;
  return serve(createServer(metricsRequestHandler(options)), address);
}
