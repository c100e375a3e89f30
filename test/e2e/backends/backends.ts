// The test's handle on the backends helper: pods in the pods namespace, added, removed and made
// to misbehave while traffic flows.
//
//   const backends = await startBackends(topology);
//   await backends.add([{ address: podAddress('ipv4', 2) }]);   // answers on :8080 (HTTP), :8053 (UDP)
//   await backends.setState([podAddress('ipv4', 2)], 'refusing');
//
// The topology closes the helper (stopping every pod) when it is deleted.
import { HelperProcess } from '../helper-process.js';
import { LINKS, type Topology } from '../topology.js';
import type { BackendsCommand, BackendsReplies, PodSpec, PodState } from './protocol.js';

const SCRIPT = 'build/test/e2e/backends/pods-process.js';

export interface Backends {
  /** Binds the pods' addresses and starts their servers; resolves once they all listen. */
  add(pods: readonly PodSpec[]): Promise<void>;
  /** Stops the pods (open connections dropped) and unbinds their addresses. */
  remove(addresses: readonly string[]): Promise<void>;
  setState(addresses: readonly string[], state: PodState): Promise<void>;
}

/** Starts the backends helper in the topology's pods namespace (about 1.3 s in UML). */
export async function startBackends(topology: Topology): Promise<Backends> {
  const helper = await HelperProcess.start<BackendsCommand, BackendsReplies>(topology.pods, SCRIPT, [LINKS.uplink]);
  topology.adopt(helper);
  return {
    add: async (pods) => {
      await helper.request({ op: 'add', pods });
    },
    remove: async (addresses) => {
      await helper.request({ op: 'remove', addresses });
    },
    setState: async (addresses, state) => {
      await helper.request({ op: 'set-state', addresses, state });
    },
  };
}
