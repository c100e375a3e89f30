// Watching the cluster for the proxy: Services, EndpointSlices and this Node,
// listed and watched as kube-proxy's informers do. Only `kipvs proxy` (through
// src/daemon) loads this module, and with it @kubernetes/client-node.
export { ClusterWatch, DEFAULT_TIMEOUTS } from './cluster-watch.js';
export type { ClusterSnapshot, ClusterWatchHealth, ClusterWatchOptions } from './cluster-watch.js';
export type { ChangeType, ObjectChange, ReflectorState, RequestTimeouts } from './reflector.js';
export { WatchFault, type WatchFaultReason } from './watch-fault.js';
export { LIST_PAGE_SIZE } from './list-request.js';
export { ApiError } from './api-error.js';
export type { ApiErrorKind, ApiRequest } from './api-error.js';
export { API_SERVER_BACKOFF, type BackoffPolicy } from './backoff.js';
export { KUBE_PROXY_LABEL_SELECTOR, type WatchedKind } from './resources.js';
export { createNodeEvent, createServiceEvent } from './node-event.js';
export { kubeConfigFor } from './kube-config.js';
export { listClusterObjects } from './cluster-list.js';
