// A ClusterWatch against the fake API server over real HTTPS, and the objects
// the tests put into it.
import {
  ApiServerConnectionSchema,
  Secret,
  type ApiServerConnection,
} from '../../../src/config/credentials/connection.js';
import {
  ClusterWatch,
  type ClusterWatchHealth,
  type ClusterWatchOptions,
  type ObjectChange,
  type WatchFault,
} from '../../../src/k8s/index.js';
import { afterEach } from '@jest/globals';
import { FakeApiServer, type FakeApiServerOptions, type RequestRecord } from '../../support/fake-apiserver/server.js';

export const NODE = 'node-a';

/** Fast retries, and no jitter unless a test asks for it. */
export const TEST_BACKOFF = { initialMs: 40, maxMs: 320, factor: 2, jitter: 0 };

export function connectionFor(
  server: FakeApiServer,
  change: (c: ApiServerConnection) => ApiServerConnection = (c) => c,
): ApiServerConnection {
  return ApiServerConnectionSchema.parse(
    change({
      source: 'kubeconfig',
      server: server.url,
      tls: { caFile: server.certificates.caFile, insecureSkipVerify: false },
      auth: { token: new Secret(server.token) },
      disableCompression: false,
      identity: 'test',
      client: { qps: 5, burst: 10, contentType: 'application/json', acceptContentTypes: '' },
    }),
  );
}

export interface WatchedCluster {
  readonly watch: ClusterWatch;
  readonly changes: ObjectChange[];
  readonly health: ClusterWatchHealth[];
  readonly faults: WatchFault[];
}

export interface WatchClusterOptions
  extends Pick<ClusterWatchOptions, 'random' | 'timeouts' | 'pageSize' | 'transform'> {
  readonly jitter?: number;
  /** Called before each change is recorded (a test's handler that throws). */
  readonly onChange?: (change: ObjectChange) => void;
}

export function watchCluster(connection: ApiServerConnection, options: WatchClusterOptions = {}): WatchedCluster {
  const changes: ObjectChange[] = [];
  const health: ClusterWatchHealth[] = [];
  const faults: WatchFault[] = [];
  const { jitter, onChange, ...rest } = options;
  const watch = new ClusterWatch({
    connection,
    nodeName: NODE,
    backoff: { ...TEST_BACKOFF, jitter: jitter ?? TEST_BACKOFF.jitter },
    onChange: (c) => {
      onChange?.(c);
      changes.push(c);
    },
    onHealth: (h) => health.push(h),
    onFault: (f) => faults.push(f),
    ...rest,
  });
  watch.start();
  return { watch, changes, health, faults };
}

/** Polls `condition` until it holds (or fails after `timeoutMs`). */
export async function eventually(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Until the server holds one open watch of each resource. */
export async function watching(server: FakeApiServer): Promise<void> {
  await eventually(
    () => (['services', 'endpointslices', 'nodes'] as const).every((r) => server.openWatches(r) === 1),
    10_000,
    'three open watches',
  );
}

export function service(
  name: string,
  labels: Record<string, string> = {},
  namespace = 'default',
): Record<string, unknown> {
  return {
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
  };
}

export function endpointSlice(
  name: string,
  serviceName: string,
  labels: Record<string, string> = {},
): Record<string, unknown> {
  return {
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName, ...labels } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function node(name: string): Record<string, unknown> {
  return {
    kind: 'Node',
    metadata: { name, labels: { 'topology.kubernetes.io/zone': 'z1' } },
    spec: { podCIDRs: ['10.244.1.0/24'] },
  };
}

export function names(objects: readonly unknown[]): string[] {
  return objects.map((o) => (o as { metadata: { name: string } }).metadata.name).sort();
}

/**
 * The servers and watches of a test file, all stopped after each test: `serve` starts a server
 * (with the file's `defaults`), `start` watches one (through a connection `change` makes).
 */
export function fakeClusters(defaults: FakeApiServerOptions = {}): {
  serve(options?: FakeApiServerOptions): Promise<FakeApiServer>;
  start(
    server: FakeApiServer,
    options?: WatchClusterOptions,
    change?: (c: ApiServerConnection) => ApiServerConnection,
  ): WatchedCluster;
} {
  const servers: FakeApiServer[] = [];
  const watches: ClusterWatch[] = [];
  afterEach(async () => {
    await Promise.all(watches.splice(0).map((w) => w.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async serve(options = {}) {
      const server = await FakeApiServer.start({ ...defaults, ...options });
      servers.push(server);
      return server;
    },
    start(server, options = {}, change = undefined) {
      const cluster = watchCluster(connectionFor(server, change), options);
      watches.push(cluster.watch);
      return cluster;
    },
  };
}

const SERVICES = '/api/v1/services';

/** The list requests (pages) the server saw for `path`. */
export const lists = (server: FakeApiServer, path = SERVICES): RequestRecord[] =>
  server.requests.filter((r) => r.path === path && !r.watch);

/** Watches that are not streaming lists. */
export const plainWatches = (server: FakeApiServer, path = SERVICES): RequestRecord[] =>
  server.requests.filter((r) => r.path === path && r.watch && r.query['sendInitialEvents'] === undefined);
