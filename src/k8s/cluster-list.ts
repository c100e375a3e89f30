// The Services, EndpointSlices and this node's Node, listed once with the selectors the
// proxy's watch uses (resources.ts) and no watch: what `kipvs diff` compares with the kernel.
// Each list is a consistent read (resourceVersion ""), the cluster as it is now, where the
// proxy's first list may come from the API server's watch cache.
import type { ApiServerConnection } from '../config/credentials/connection.js';
import type { ClusterObjects } from '../proxy/index.js';
import { kubeConfigFor } from './kube-config.js';
import { listObjects } from './list-request.js';
import { watchedResources, type WatchedResource } from './resources.js';

export interface ClusterListOptions {
  readonly connection: ApiServerConnection;
  readonly nodeName: string;
  readonly userAgent: string;
  /** Ends every request (a timeout, say); the lists then fail with an ApiError. */
  readonly signal: AbortSignal;
}

/** Throws the ApiError of the first list that fails. */
export async function listClusterObjects(options: ClusterListOptions): Promise<ClusterObjects> {
  const config = kubeConfigFor(options.connection, options.userAgent);
  const list = async (resource: WatchedResource): Promise<readonly unknown[]> => (await listObjects(config, resource, '', options.signal)).items;
  const [services, endpointSlices, nodes] = await Promise.all(watchedResources(options.nodeName).map(list));
  const node = nodes?.[0];
  return { services: services ?? [], endpointSlices: endpointSlices ?? [], ...(node === undefined ? {} : { node }) };
}
