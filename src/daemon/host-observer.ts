// The host facts the model needs (src/proxy/config.ts HostFacts), observed
// the way kube-proxy observes them: node IPs from the Node object (overridden
// for one family by a specified --bind-address), the addresses of every
// interface but kube-ipvs0 (NodePort candidates), whether iptables has
// MASQUERADE --random-fully, and the kernel release.
import { release } from 'node:os';
import type { HostFacts } from '../proxy/index.js';
import { nodeHostIPs, withBindAddress } from '../proxy/host-facts.js';
import type { RouteClient } from '../rtnl/index.js';

export interface HostObserverOptions {
  readonly routes: RouteClient;
  /** bindAddress of the configuration ("0.0.0.0" when unset). */
  readonly bindAddress: string;
  readonly linkName: string;
  /** Probed once at start: iptables >= 1.6.2 has --random-fully. */
  readonly iptablesRandomFully: boolean;
}

/** Reads the host's addresses (one rtnetlink dump) and combines them with the Node's. */
export async function observeHost(node: unknown, options: HostObserverOptions): Promise<HostFacts> {
  const link = await options.routes.getLink(options.linkName);
  const addresses = await options.routes.listAddresses(0);
  const localAddresses = addresses.filter((a) => a.linkIndex !== link?.index).map((a) => a.address);
  return {
    nodeIPs: withBindAddress(nodeHostIPs(node), options.bindAddress),
    localAddresses: [...new Set(localAddresses)],
    iptablesRandomFully: options.iptablesRandomFully,
    kernelRelease: release(),
  };
}
