// The Services, EndpointSlices and this node's Node, listed once with the selectors the
// proxy's watch uses (resources.ts) and no watch: what `kipvs diff` compares with the kernel.
// Each list is a consistent read (resourceVersion ""), the cluster as it is now, where the
// proxy's first list may come from the API server's watch cache.
import type { ApiServerConnection } from '../config/credentials/connection.js';
import type { ClusterObjects } from '../proxy/index.js';
import { kubeConfigFor } from './kube-config.js';
import { LIST_PAGE_SIZE, listObjects } from './list-request.js';
import { watchedResources, type WatchedResource } from './resources.js';

/** How long one page of a list may take. */
const LIST_TIMEOUT_MS = 60_000;

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
  // Paged as the watch lists (LIST_PAGE_SIZE a page), from a consistent read.
  const list = async (resource: WatchedResource): Promise<readonly unknown[]> => {
    const items: unknown[] = [];
    const onItems = (page: readonly unknown[]): void => void items.push(...page);
    await listObjects(config, resource, {
      resourceVersion: '',
      signal: options.signal,
      timeoutMs: LIST_TIMEOUT_MS,
      pageSize: LIST_PAGE_SIZE,
      beforeRequest: async () => {},
      onItems,
    });
    return items;
  };
  const [services, endpointSlices, nodes] = await Promise.all(watchedResources(options.nodeName).map(list));
  const node = nodes?.[0];
  return { services: services ?? [], endpointSlices: endpointSlices ?? [], ...(node === undefined ? {} : { node }) };
}
