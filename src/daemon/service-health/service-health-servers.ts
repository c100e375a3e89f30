// kube-proxy's service health checks (pkg/proxy/healthcheck/service_health.go):
// for each LoadBalancer Service with externalTrafficPolicy Local, an HTTP
// server on its healthCheckNodePort that cloud load balancers probe. 200 when
// the node has local ready endpoints and the proxier is healthy, else 503 (the
// load balancer then sends nothing to this node); any path answers. The count
// also goes in X-Load-Balancing-Endpoint-Weight, as kube-proxy sends it (load
// balancers that weigh nodes by it read that header).
//
// sync() opens a listener per new port (on each NodePort address, or on all
// addresses), closes the ones no Service wants any more, and updates counts in
// place without reopening. A port that cannot be bound (another process holds
// it) is closed again on every address and reported; the next sync retries it,
// as kube-proxy does.
import { createServer, type ServerResponse } from 'node:http';
import type { HealthCheckNodePorts, HealthCheckService } from '../../proxy/health-check-node-ports.js';
import { JSON_TYPE, reply } from '../health/http-reply.js';
import { ListenError, serve, type RunningServer } from '../health/listen.js';

export interface ServiceHealthOptions {
  /** The node addresses that serve NodePorts; empty for every address (kube-proxy's default). */
  readonly addresses: readonly string[];
  /** The proxier's own health (ProxierHealth.isHealthy), reported as serviceProxyHealthy. */
  readonly isProxyHealthy: () => boolean;
}

export interface HealthCheckBindFailure {
  readonly port: number;
  readonly service: HealthCheckService;
  readonly error: ListenError;
}

interface OpenPort {
  service: HealthCheckService;
  readonly servers: readonly RunningServer[];
}

/** kube-proxy's body: its tab-indented JSON, without a final newline. */
function body(service: HealthCheckService, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(service.namespace)},`,
    `\t\t"name": ${JSON.stringify(service.name)}`,
    '\t},',
    `\t"localEndpoints": ${service.localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

export class ServiceHealthServers {
  private readonly open = new Map<number, OpenPort>();
  /** Syncs run one after the other: a port is never opened twice. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ServiceHealthOptions) {}

  /** Makes the open ports those of `wanted`; resolves with the ports that could not be bound. */
  sync(wanted: HealthCheckNodePorts): Promise<readonly HealthCheckBindFailure[]> {
    const run = this.queue.then(() => this.apply(wanted));
    this.queue = run;
    return run;
  }

  /** The ports listened on now, ascending. */
  get ports(): readonly number[] {
    return [...this.open.keys()].sort((a, b) => a - b);
  }

  /** Closes every listener. */
  close(): Promise<readonly HealthCheckBindFailure[]> {
    return this.sync(new Map());
  }

  private async apply(wanted: HealthCheckNodePorts): Promise<readonly HealthCheckBindFailure[]> {
    const closing = [...this.open].filter(([port]) => !wanted.has(port));
    for (const [port] of closing) this.open.delete(port);
    await Promise.all(closing.flatMap(([, open]) => open.servers.map((server) => server.close())));

    const failures: HealthCheckBindFailure[] = [];
    for (const [port, service] of wanted) {
      const open = this.open.get(port);
      if (open) {
        open.service = service;
        continue;
      }
      const opened = await this.listen(port);
      if (opened instanceof ListenError) failures.push({ port, service, error: opened });
      else this.open.set(port, { service, servers: opened });
    }
    return failures;
  }

  /** One listener per address, or none at all when any of them fails. */
  private async listen(port: number): Promise<RunningServer[] | ListenError> {
    const hosts = this.options.addresses.length === 0 ? [''] : this.options.addresses;
    const servers: RunningServer[] = [];
    for (const host of hosts) {
      const server = createServer((_, res) => this.answer(port, res));
      try {
        servers.push(await serve(server, { host, port }));
      } catch (error) {
        await Promise.all(servers.map((s) => s.close()));
        if (error instanceof ListenError) return error;
        throw error;
      }
    }
    return servers;
  }

  private answer(port: number, res: ServerResponse): void {
    const open = this.open.get(port);
    // A request racing the close of its port: kube-proxy answers it with an empty reply too.
    if (!open) {
      res.end();
      return;
    }
    const proxyHealthy = this.options.isProxyHealthy();
    const code = open.service.localEndpoints !== 0 && proxyHealthy ? 200 : 503;
    reply(res, code, JSON_TYPE, body(open.service, proxyHealthy), {
      'X-Load-Balancing-Endpoint-Weight': String(open.service.localEndpoints),
    });
  }
}
