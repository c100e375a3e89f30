// What the proxier needs of the cluster watch (src/k8s): a snapshot of what it
// keeps of each object (the Services and EndpointSlices admitted), whether every initial list has arrived (never sync from an
// empty cache: that would delete every service), and a call per change, with the
// object it leaves in the snapshot.
import type { ClusterObjects } from '../proxy/index.js';
import type { AdmittedKind } from '../sync/admitted-object.js';
import type { ClusterChange } from '../sync/cluster-change.js';

export interface ClusterSourceHandlers {
  /**
   * What to keep of a Service or EndpointSlice (reduced to the fields kipvs reads) instead of
   * it: the sync engine's admitted object (src/sync/admitted-object.ts). Without it the
   * reduced object is kept.
   */
  admit?(kind: AdmittedKind, reduced: unknown): unknown;
  onChange(change: ClusterChange): void;
  /** Every initial list has completed. */
  onSynced(): void;
  /** The objects were listed again (after a 410 Gone or a lost event): whatever the changes said, any object may differ. */
  onRelisted?(): void;
  /** An event was lost (it is repaired by a relist): `resource` is services, endpointslices or nodes. */
  onWatchError?(resource: string, reason: string): void;
  /** What is wrong with the API server connection, or undefined once it works again. */
  onApiServerProblem?(problem: string | undefined): void;
}

export interface ClusterSource {
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  snapshot(): ClusterObjects;
}

export type ClusterSourceFactory = (handlers: ClusterSourceHandlers) => ClusterSource;
