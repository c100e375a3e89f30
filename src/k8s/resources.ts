// What kipvs watches, with the selectors kube-proxy's informers use
// (cmd/kube-proxy/app/server.go, ProxyServer.Run): one informer factory whose
// list options carry the label selector "no service-proxy-name label and no
// headless label" for both Services and EndpointSlices, and a second factory
// for this node's Node object by field selector metadata.name=NODE.
import { HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL } from '../proxy/input.js';

export type WatchedKind = 'Service' | 'EndpointSlice' | 'Node';

export interface WatchedResource {
  readonly kind: WatchedKind;
  /** The cluster-wide collection path. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * The label selector as client-go writes it: labels.Selector.String() sorts
 * requirements by key, and a DoesNotExist requirement reads "!key".
 */
export const KUBE_PROXY_LABEL_SELECTOR = [HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL]
  .sort()
  .map((label) => `!${label}`)
  .join(',');

export function watchedResources(nodeName: string): readonly WatchedResource[] {
  return [
    { kind: 'Service', path: '/api/v1/services', labelSelector: KUBE_PROXY_LABEL_SELECTOR },
    {
      kind: 'EndpointSlice',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      labelSelector: KUBE_PROXY_LABEL_SELECTOR,
    },
    { kind: 'Node', path: '/api/v1/nodes', fieldSelector: `metadata.name=${nodeName}` },
  ];
}

/** The selectors of `resource` as query parameters. */
export function selectorQuery(resource: WatchedResource): Record<string, string> {
  const query: Record<string, string> = {};
  if (resource.labelSelector !== undefined) query['labelSelector'] = resource.labelSelector;
  if (resource.fieldSelector !== undefined) query['fieldSelector'] = resource.fieldSelector;
  return query;
}
