// `kipvs proxy --cleanup`: remove what kube-proxy's IPVS mode (or kipvs) put in
// the kernel, then exit; no API server needed, as in kube-proxy. The plan is
// pure (src/reconcile/cleanup-plan.ts) and every change is audited like a
// sync's. kube-ipvs0 goes last, taking its addresses with it.
import { desiredSetNames } from '../contracts/ipset-names.js';
import { addressFamilyOf } from '../net/ip-family.js';
import type { ValidatedProxyConfig } from '../config/index.js';
import { applyPlan, KernelClients, readLiveState, runCommand } from '../kernel/index.js';
import { computeDesiredState, LINK_NAME } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';

import { cleanupPlan } from '../reconcile/cleanup-plan.js';
import { formatPlanSummary, summarizePlan } from '../reconcile/index.js';
import { RouteError } from '../rtnl/index.js';
import { auditEntry } from './audit/audit-entry.js';
import { AuditLog } from './audit/audit-log.js';
import { auditedChange } from './audit/kernel-change.js';
import { ProxierError } from './errors.js';
import { observeHost } from './host-observer.js';
import { Logger } from './log/logger.js';
import { chooseIptables, servedFamilies } from './node-setup.js';

export async function runCleanup(config: ValidatedProxyConfig): Promise<void> {
  const c = config.configuration;
  const log = new Logger({ verbosity: c.logging.verbosity, format: c.logging.format });
  const iptables = await chooseIptables(config.options.iptablesBackend, runCommand, log);
  const families = await servedFamilies(iptables, runCommand, log);
  const model = modelConfigFrom(config, families);
  const clients = await KernelClients.open();
  const audit = new AuditLog(config.options.auditLogPath, (err) => log.error(err, 'The audit trail cannot be written'));
  try {
    const host = await observeHost(undefined, {
      routes: clients.route,
      bindAddress: c.bindAddress,
      linkName: LINK_NAME,
      iptablesRandomFully: false,
    });
    const empty = computeDesiredState({ services: [], endpointSlices: [], host, config: model });
    const live = await readLiveState(clients, {
      families: families.map(addressFamilyOf),
      linkName: LINK_NAME,
      setNames: desiredSetNames(empty),
      iptables,
    });
    const plan = cleanupPlan(empty, live);
    const report = await applyPlan(plan, { clients, linkName: LINK_NAME, iptables });
    const time = Date.now();
    const failures: string[] = [];
    for (const applied of report.changes) {
      audit.record(auditEntry(auditedChange(applied), 'cleanup', time));
      if (!applied.result.ok) failures.push(`${applied.description}: ${applied.result.error.message}`);
    }
    if (live.link) {
      try {
        await clients.route.deleteLink(LINK_NAME);
        audit.record(
          auditEntry(
            { kind: 'link', op: 'delete-link', target: LINK_NAME, cause: { reason: 'cleanup' } },
            'cleanup',
            Date.now(),
          ),
        );
      } catch (err) {
        if (!(err instanceof RouteError)) throw err;
        failures.push(`delete link ${LINK_NAME}: ${err.message}`);
      }
    }
    log.info('Cleaned up', {
      changes: formatPlanSummary(summarizePlan(plan)),
      link: live.link ? 'deleted' : 'absent',
      failed: failures.length,
    });
    if (failures.length > 0) throw new ProxierError(failures, 'the cleanup left changes undone');
  } finally {
    clients.close();
    await audit.close();
  }
}
