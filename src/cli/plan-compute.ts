// The plan for one node, computed from the objects of a file, the node's
// addresses and a resolved configuration: what `kipvs plan` prints and what
// `kipvs diff` compares with the kernel.
import type { ValidatedProxyConfig } from '../config/index.js';
import type { IpFamily } from '../net/ip-family.js';
import { computeDesiredState, type HostFacts } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';
import { nodeHostIPs, withBindAddress } from '../proxy/host-facts.js';
import { findNode, type ClusterObjects } from './cluster-objects-file.js';
import type { Plan } from './plan-format.js';

export interface PlanInput {
  readonly objects: ClusterObjects;
  readonly nodeName: string;
  /** The node's addresses as given; none: the Node's, as kube-proxy finds them. */
  readonly nodeIPs: readonly string[];
  readonly ipFamilies: readonly IpFamily[];
  readonly config: ValidatedProxyConfig;
}

/**
 * The plan for one node, as `kipvs proxy` with `config` would program it. The host facts the
 * daemon would observe come from the input: the node's addresses are its local addresses (the
 * NodePort candidates), the first of each family its primary IP unless a --bind-address
 * overrides it (as in kube-proxy); iptables is taken to support --random-fully (1.6.2 and
 * later) and the kernel to be recent.
 */
export function computePlan(input: PlanInput): Plan {
  const { objects, nodeName, config } = input;
  // A node sees only its own Node, as kube-proxy watches only its own.
  const node = findNode(objects, nodeName);
  const addresses = input.nodeIPs.length > 0 ? input.nodeIPs : nodeHostIPs(node);
  const nodeIPs = withBindAddress(addresses, config.configuration.bindAddress);
  const host: HostFacts = {
    nodeIPs,
    localAddresses: [...new Set([...nodeIPs, ...addresses])],
    iptablesRandomFully: true,
  };
  const state = computeDesiredState({
    services: objects.services,
    endpointSlices: objects.endpointSlices,
    ...(node === undefined ? {} : { node }),
    host,
    config: { ...modelConfigFrom(config, input.ipFamilies), nodeName },
  });
  return { nodeName, nodeIPs, state };
}
