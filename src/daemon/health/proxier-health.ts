// The proxier's health, as kube-proxy's ProxyHealthServer (pkg/proxy/healthcheck/
// proxy_health.go) decides it; pure, with the clock handed in.
//
// - queuedUpdate(family): a Service or EndpointSlice change is waiting for a sync
//   of that family; only the oldest waiting change counts.
// - updated(family): a sync of that family succeeded; nothing waits any more.
// - failed(family): a sync of that family failed: the kernel may lack what the cluster
//   wants, as a waiting change would, so it counts as one waiting since the first failure,
//   and the family is judged even if it never synced (kipvs's addition: kube-proxy judges
//   only families that synced once, so a proxier that never succeeds stays healthy).
// - A family is unhealthy once a change has waited healthTimeout or longer
//   (kube-proxy passes 2 × syncPeriod). A family that never queued anything is
//   healthy: the proxier is starting up or fully synced.
// - The Node is eligible until a Node event says it is being deleted or carries
//   the cluster autoscaler's ToBeDeletedByClusterAutoscaler taint. Eligibility
//   fails /healthz (load balancers drain the node) but never /livez (the
//   process is fine and must not be restarted).
// - apiServerProblem(problem): what is wrong with the API server connection, said
//   in /healthz's body while it lasts. It never fails /healthz: kube-proxy keeps
//   serving (and the kernel is kept as it is) while it cannot see the API server,
//   and a control plane outage must not drain every node at once.
// kube-proxy's v1.IPFamily names ("IPv4", "IPv6"), as the model uses them.
import type { IpFamily } from '../../net/ip-family.js';
import type { FieldShape } from '../../proxy/read-fields.js';

/** The taint the cluster autoscaler puts on a Node it is about to delete. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** kube-proxy's healthTimeout: twice the sync period (cmd/kube-proxy/app/server.go). */
export function healthTimeoutMs(syncPeriodMs: number): number {
  return 2 * syncPeriodMs;
}

/** What syncNode reads of a Node: the cluster watch keeps these fields (read-fields.ts). */
export const NODE_ELIGIBILITY_FIELDS: FieldShape = {
  fields: {
    metadata: { fields: { deletionTimestamp: true } },
    spec: { fields: { taints: { each: { fields: { key: true } } } } },
  },
};

/** The few fields of a core/v1 Node that decide eligibility (a client-node V1Node fits). */
export interface NodeEligibilityFacts {
  readonly metadata?: { readonly deletionTimestamp?: unknown };
  readonly spec?: { readonly taints?: readonly { readonly key?: string }[] };
}

export interface ProxierHealthStatus {
  /** Every family synced in time (the Node does not count). */
  readonly healthy: boolean;
  /**
   * Healthy: the latest successful sync of any family. Unhealthy: the last successful
   * sync of the family found late. Undefined when there was none.
   */
  readonly lastUpdated?: number;
  readonly currentTime: number;
  readonly nodeEligible: boolean;
  /** What is wrong with the API server connection, while something is. */
  readonly apiServerProblem?: string;
}

export class ProxierHealth {
  private readonly lastUpdated = new Map<IpFamily, number>();
  private readonly oldestQueued = new Map<IpFamily, number>();
  /** Families whose last sync failed. */
  private readonly failing = new Set<IpFamily>();
  private eligible = true;
  private apiServer: string | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  queuedUpdate(family: IpFamily): void {
    if (!this.oldestQueued.has(family)) this.oldestQueued.set(family, this.now());
  }

  updated(family: IpFamily): void {
    this.oldestQueued.delete(family);
    this.failing.delete(family);
    this.lastUpdated.set(family, this.now());
  }

  failed(family: IpFamily): void {
    this.failing.add(family);
    this.queuedUpdate(family);
  }

  /** `node` is the Node as the API server sent it: anything of another shape counts as absent. */
  syncNode(node: unknown): void {
    const { metadata, spec } = (typeof node === 'object' && node !== null ? node : {}) as NodeEligibilityFacts;
    const deleting = metadata?.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null;
    const taints: unknown = spec?.taints;
    const tainted =
      Array.isArray(taints) &&
      taints.some((taint: unknown) => (taint as { key?: unknown } | null)?.key === TO_BE_DELETED_TAINT);
    this.eligible = !deleting && !tainted;
  }

  /** `problem` while the API server cannot be seen (a sentence for people), undefined once it can. */
  apiServerProblem(problem: string | undefined): void {
    this.apiServer = problem;
  }

  get nodeEligible(): boolean {
    return this.eligible;
  }

  isHealthy(): boolean {
    return this.status().healthy;
  }

  status(): ProxierHealthStatus {
    const currentTime = this.now();
    const problem = this.apiServer === undefined ? {} : { apiServerProblem: this.apiServer };
    let latest: number | undefined;
    // As kube-proxy, only families that have synced at least once are judged (a change
    // queued before the first sync never makes the proxier unhealthy), and those whose
    // syncs fail.
    for (const family of new Set([...this.lastUpdated.keys(), ...this.failing])) {
      const updatedAt = this.lastUpdated.get(family);
      if (updatedAt !== undefined && (latest === undefined || updatedAt > latest)) latest = updatedAt;
      const queuedAt = this.oldestQueued.get(family);
      if (queuedAt !== undefined && currentTime - queuedAt >= this.timeoutMs) {
        return {
          healthy: false,
          ...(updatedAt === undefined ? {} : { lastUpdated: updatedAt }),
          currentTime,
          nodeEligible: this.eligible,
          ...problem,
        };
      }
    }
    return {
      healthy: true,
      ...(latest === undefined ? {} : { lastUpdated: latest }),
      currentTime,
      nodeEligible: this.eligible,
      ...problem,
    };
  }
}
