// The plan the first sync of `kipvs proxy` would apply on this node, computed and not applied
// (`kipvs diff`): the same steps as a sync's first full read (sync.ts), in the same order and
// with the same settings. The node's iptables backend and families are chosen as the proxier
// chooses them and the host observed as it observes it; the objects go through the pure model,
// the kernel is read whole (readLiveState) and diffed (diffState) with no real server draining
// yet. Nothing is written: no sysctl, no link, no rule.
import type { ValidatedProxyConfig } from '../config/index.js';
import { desiredSetNames, KernelClients, readLiveState, runCommand, type LiveState } from '../kernel/index.js';
import { computeDesiredState, LINK_NAME, type ClusterObjects, type DesiredState } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';
import { ipvsFamily } from '../proxy/ip.js';
import { diffState, type DiffResult } from '../reconcile/index.js';
import { GRACE_PERIOD_MS } from './grace-period.js';
import { observeHost } from './host-observer.js';
import type { Logger } from './log/logger.js';
import { chooseIptables, probeRandomFully, servedFamilies } from './node-setup.js';

export interface KernelDiffResult {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly diff: DiffResult;
}

export async function diffWithKernel(config: ValidatedProxyConfig, objects: ClusterObjects, log: Logger): Promise<KernelDiffResult> {
  const iptables = await chooseIptables(config.options.iptablesBackend, runCommand, log);
  const [families, iptablesRandomFully] = await Promise.all([servedFamilies(iptables, runCommand, log), probeRandomFully(iptables, runCommand)]);
  const model = modelConfigFrom(config, families);
  const clients = await KernelClients.open();
  try {
    const host = await observeHost(objects.node, { routes: clients.route, bindAddress: config.configuration.bindAddress, linkName: LINK_NAME, iptablesRandomFully });
    const desired = computeDesiredState({ ...objects, host, config: model });
    const live = await readLiveState(clients, { families: families.map(ipvsFamily), linkName: LINK_NAME, setNames: desiredSetNames(desired), iptables });
    const diff = diffState({ desired, live, terminating: new Map(), now: Date.now(), gracePeriodMs: GRACE_PERIOD_MS });
    return { desired, live, diff };
  } finally {
    clients.close();
  }
}
