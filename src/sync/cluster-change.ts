// One change the cluster watch reports: the sync engine's input besides the snapshot of
// every object. The watch (src/k8s, wired by src/daemon) says what changed; the change feed
// (change-feed.ts) gathers the changes between two syncs.

export type ClusterChangeKind = 'Service' | 'EndpointSlice' | 'Node';

export interface ClusterChange {
  readonly kind: ClusterChangeKind;
  /** namespace/name, or the name of a cluster-scoped object. */
  readonly key: string;
  /** An EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time, ms since the epoch. */
  readonly triggerTime?: number;
  /**
   * The object now, as the snapshot holds it, or that it was deleted. Without it the change
   * feed (change-feed.ts) cannot tell what changed, and the next sync reads every object.
   */
  readonly state?: { readonly deleted: true } | { readonly deleted: false; readonly object: unknown };
}
