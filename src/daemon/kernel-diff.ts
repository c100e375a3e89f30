// The plan the first sync of `kipvs proxy` would apply on this node, computed and not applied
// (`kipvs diff`): the node's iptables backend and families are chosen as the proxier chooses
// them and the host observed as it observes it; then the sync engine plans its first sync
// (SyncEngine.firstPlan) through the real kernel port, so the two cannot drift apart. Nothing
// is written: no sysctl, no link, no rule.
import type { ValidatedProxyConfig } from '../config/index.js';
import type { LiveState } from '../contracts/live-state.js';
import { KernelClients, NetlinkKernel, runCommand } from '../kernel/index.js';
import { LINK_NAME, type ClusterObjects, type DesiredState } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';
import type { DiffResult } from '../reconcile/index.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { GRACE_PERIOD_MS } from './grace-period.js';
import { observeHost } from './host-observer.js';
import type { Logger } from './log/logger.js';
import { chooseIptables, probeRandomFully, servedFamilies } from './node-setup.js';

export interface KernelDiffResult {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly diff: DiffResult;
}

export async function diffWithKernel(
  config: ValidatedProxyConfig,
  objects: ClusterObjects,
  log: Logger,
): Promise<KernelDiffResult> {
  const iptables = await chooseIptables(config.options.iptablesBackend, runCommand, log);
  const [families, iptablesRandomFully] = await Promise.all([
    servedFamilies(iptables, runCommand, log),
    probeRandomFully(iptables, runCommand),
  ]);
  const model = modelConfigFrom(config, families);
  const clients = await KernelClients.open();
  try {
    const host = await observeHost(objects.node, {
      routes: clients.route,
      bindAddress: config.configuration.bindAddress,
      linkName: LINK_NAME,
      iptablesRandomFully,
    });
    const kernel = new NetlinkKernel({ clients, iptables, linkName: LINK_NAME });
    return await new SyncEngine({ kernel, model, gracePeriodMs: GRACE_PERIOD_MS, now: Date.now }).firstPlan(
      objects,
      host,
    );
  } finally {
    clients.close();
  }
}
