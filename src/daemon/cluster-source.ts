// What the proxier needs of the cluster watch (src/k8s): a snapshot of the
// raw objects, whether every initial list has arrived (never sync from an
// empty cache: that would delete every service), and a call per change.
import type { ClusterObjects } from '../proxy/index.js';

export type ClusterChangeKind = 'Service' | 'EndpointSlice' | 'Node';

export interface ClusterChange {
  readonly kind: ClusterChangeKind;
  /** namespace/name, or the name of a cluster-scoped object. */
  readonly key: string;
  /** An EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time, ms since the epoch. */
  readonly triggerTime?: number;
}

export interface ClusterSourceHandlers {
  onChange(change: ClusterChange): void;
  /** Every initial list has completed. */
  onSynced(): void;
}

export interface ClusterSource {
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  snapshot(): ClusterObjects;
}

export type ClusterSourceFactory = (handlers: ClusterSourceHandlers) => ClusterSource;
