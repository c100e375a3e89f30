// What kipvs knows of the cluster: the Services and EndpointSlices kube-proxy
// would see and this node's Node, each kept by a reflector (list, then watch),
// as kube-proxy's informers keep them, each object reduced on arrival to what its
// readers read (`transform`: the daemon's keeps the Services and EndpointSlices
// validated, src/sync/admitted-object.ts). The daemon reads a snapshot of what is
// kept for each sync, waits for hasSynced()
// before the first sync (kube-proxy never syncs from an empty cache: it waits
// for its informers' HasSynced), counts changes for the
// kubeproxy_sync_proxy_rules_{service,endpoint}_changes_total metrics, and logs
// and exports health.
import type { ApiServerConnection } from '../config/credentials/connection.js';
import type { ClusterObjects } from '../proxy/index.js';
import type { ApiError } from './api-error.js';
import { API_SERVER_BACKOFF, type BackoffPolicy } from './backoff.js';
import { kubeConfigFor } from './kube-config.js';
import { LIST_PAGE_SIZE } from './list-request.js';
import { Reflector, type ObjectChange, type ReflectorState, type RequestTimeouts } from './reflector.js';
import { RequestRateLimiter } from './request-rate.js';
import { StreamingListSupport } from './streaming-list.js';
import { watchedResources, type WatchedKind } from './resources.js';
import type { WatchFault } from './watch-fault.js';

/**
 * A list page or a watch's answer that takes longer is given up and retried with
 * backoff: the server accepted the connection and is not answering. A watch silent for
 * 90 s is taken for dead and made again: a live one gets a BOOKMARK every minute. A
 * streaming list silent for 10 s before its initial-events-end bookmark comes from a
 * server that does not stream lists.
 */
export const DEFAULT_TIMEOUTS: RequestTimeouts = { requestMs: 60_000, watchIdleMs: 90_000, initialEventsMs: 10_000 };

export interface ClusterWatchOptions {
  readonly connection: ApiServerConnection;
  /** This node's name: its Node object is watched by metadata.name. */
  readonly nodeName: string;
  /** Sent as User-Agent, as client-go sends "kube-proxy/VERSION (...)". */
  readonly userAgent?: string;
  readonly onChange?: (change: ObjectChange) => void;
  /** After a list completes, a watch opens or a request fails, for logs and metrics. */
  readonly onHealth?: (health: ClusterWatchHealth) => void;
  /** An event that could not be taken in (the resource is listed again), for logs and metrics. */
  readonly onFault?: (fault: WatchFault) => void;
  /** What is kept of each object of `kind` as it arrives; all of it by default. */
  readonly transform?: (kind: WatchedKind, object: unknown) => unknown;
  /** Each one given replaces its default. */
  readonly timeouts?: Partial<RequestTimeouts>;
  /** Objects per list page; client-go's 500 by default. */
  readonly pageSize?: number;
  readonly backoff?: BackoffPolicy;
  /** [0, 1); Math.random by default. */
  readonly random?: () => number;
  readonly now?: () => Date;
}

/**
 * The objects as the server sent them, reduced by `transform`; the model validates them.
 * The Node is absent until it exists (kube-proxy then goes on without its labels).
 */
export type ClusterSnapshot = ClusterObjects;

export interface ClusterWatchHealth {
  /** Every resource has been listed once. */
  readonly synced: boolean;
  /** Every resource's last request succeeded. */
  readonly connected: boolean;
  /** Lists after the first, over all resources (each follows a 410 Gone). */
  readonly relists: number;
  /** The most recent failure of any resource. */
  readonly lastError?: { readonly error: ApiError; readonly at: Date };
  readonly resources: Readonly<Record<WatchedKind, ReflectorState>>;
}

export class ClusterWatch {
  readonly #reflectors: ReadonlyMap<WatchedKind, Reflector>;
  readonly #onHealth: ((health: ClusterWatchHealth) => void) | undefined;
  #synced: Promise<void>;
  #markSynced: () => void = () => undefined;

  constructor(options: ClusterWatchOptions) {
    const config = kubeConfigFor(options.connection, options.userAgent ?? 'kipvs');
    const onChange = options.onChange ?? (() => undefined);
    const onFault = options.onFault ?? (() => undefined);
    const transform = options.transform ?? ((_kind: WatchedKind, object: unknown) => object);
    this.#onHealth = options.onHealth;
    this.#synced = new Promise((resolve) => (this.#markSynced = resolve));
    const now = options.now ?? (() => new Date());
    const { qps, burst } = options.connection.client;
    const limiter = new RequestRateLimiter(qps, burst, () => now().getTime());
    const streaming = new StreamingListSupport();
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const reflectors = new Map<WatchedKind, Reflector>();
    for (const resource of watchedResources(options.nodeName)) {
      reflectors.set(
        resource.kind,
        new Reflector({
          config,
          resource,
          backoff: options.backoff ?? API_SERVER_BACKOFF,
          limiter,
          streaming,
          random: options.random ?? Math.random,
          now,
          onChange,
          onState: () => this.#stateChanged(),
          onFault,
          transform: (object) => transform(resource.kind, object),
          timeouts,
          pageSize: options.pageSize ?? LIST_PAGE_SIZE,
        }),
      );
    }
    this.#reflectors = reflectors;
  }

  start(): void {
    for (const reflector of this.#reflectors.values()) reflector.start();
  }

  /** Ends every request; the cache keeps its last state. */
  async stop(): Promise<void> {
    await Promise.all([...this.#reflectors.values()].map((r) => r.stop()));
  }

  hasSynced(): boolean {
    return [...this.#reflectors.values()].every((r) => r.state().synced);
  }

  /** Resolves once hasSynced() is true (never rejects: failures are retried, see health()). */
  whenSynced(): Promise<void> {
    return this.#synced;
  }

  snapshot(): ClusterSnapshot {
    const node = this.#reflector('Node').objects()[0];
    return {
      services: this.#reflector('Service').objects(),
      endpointSlices: this.#reflector('EndpointSlice').objects(),
      ...(node === undefined ? {} : { node }),
    };
  }

  health(): ClusterWatchHealth {
    const resources = Object.fromEntries([...this.#reflectors].map(([kind, r]) => [kind, r.state()])) as Record<
      WatchedKind,
      ReflectorState
    >;
    const states = Object.values(resources);
    const lastError = states
      .map((s) => s.lastError)
      .filter((e) => e !== undefined)
      .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return {
      synced: states.every((s) => s.synced),
      connected: states.every((s) => s.connected),
      relists: states.reduce((sum, s) => sum + s.relists, 0),
      ...(lastError ? { lastError } : {}),
      resources,
    };
  }

  #reflector(kind: WatchedKind): Reflector {
    const reflector = this.#reflectors.get(kind);
    if (!reflector) throw new Error(`no reflector for ${kind}`);
    return reflector;
  }

  #stateChanged(): void {
    if (this.hasSynced()) this.#markSynced();
    this.#onHealth?.(this.health());
  }
}
