// `kipvs proxy --init-only`, as kube-proxy's: the start-up steps that need
// more privilege than the daemon keeps (the IPVS and conntrack sysctls), done
// once, then exit, so that the daemon itself can run with CAP_NET_ADMIN only.
// Problems stop it with one sentence each, as they would stop the daemon.
import type { ValidatedProxyConfig } from '../config/index.js';
import { AuditLog } from './audit/audit-log.js';
import { auditSysctls } from './audit/kernel-change.js';
import { Logger } from './log/logger.js';
import { nodeSetupOptions, prepareNode } from './node-setup.js';

export async function runInitOnly(config: ValidatedProxyConfig): Promise<void> {
  const c = config.configuration;
  const log = new Logger({ verbosity: c.logging.verbosity, format: c.logging.format });
  const setup = await prepareNode(nodeSetupOptions(config, log));
  const audit = new AuditLog(config.options.auditLogPath, (err) => log.error(err, 'The audit trail cannot be written'));
  auditSysctls(audit, setup.sysctlsChanged, 'init');
  await audit.close();
  log.info('Node prepared', { sysctlsSet: setup.sysctlsChanged.length, families: setup.families.join(',') });
}
