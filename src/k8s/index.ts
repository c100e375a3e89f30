// Watching the cluster for the proxy: Services, EndpointSlices and this Node,
// listed and watched as kube-proxy's informers do. Only `kipvs proxy` (through
// src/daemon) loads this module, and with it @kubernetes/client-node.
export { ClusterWatch } from './cluster-watch.js';
export type { ClusterWatchHealth, ClusterWatchOptions } from './cluster-watch.js';
export type { ObjectChange } from './reflector.js';
export { WatchFault } from './watch-fault.js';
export { ApiError } from './api-error.js';
export { KUBE_PROXY_LABEL_SELECTOR, type WatchedKind } from './resources.js';
export { createNodeEvent, createServiceEvent } from './node-event.js';
export { kubeConfigFor } from './kube-config.js';
export { listClusterObjects } from './cluster-list.js';
