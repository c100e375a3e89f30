// From the kernel layer's report of one change to the audit trail's entry
// fields: which part of the kernel, which operation, and the target in the
// words of the describer (src/kernel/describe-change.ts).
import type { AppliedChange, KernelChange } from '../../contracts/kernel-port.js';
import { sysctlDottedName, type SysctlReport } from '../../kernel/index.js';
import { auditEntry, type AuditEntry } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';
import type { AuditedChange, KernelChangeKind } from './audit-entry.js';

export function kindOf(change: KernelChange): KernelChangeKind {
  return change.kind === 'ipvs-timeouts' ? 'ipvs' : change.kind;
}

export function opOf(change: KernelChange): string {
  switch (change.kind) {
    case 'link':
      return 'create-link';
    case 'ipvs-timeouts':
      return 'set-timeouts';
    case 'iptables':
      return 'restore';
    case 'conntrack':
      return 'delete-flows';
    case 'ipset':
    case 'ipvs':
    case 'address':
      return change.op.op;
  }
}

export function auditedChange(applied: AppliedChange): AuditedChange {
  return {
    kind: kindOf(applied.change),
    op: opOf(applied.change),
    target: applied.description,
    cause: applied.cause,
    ...(applied.result.ok ? {} : { error: applied.result.error }),
  };
}

/** The audit entries of a sync's applied changes, made one at a time as the trail takes them. */
export function* auditEntries(changes: Iterable<AppliedChange>, sync: string, time: number): Generator<AuditEntry> {
  for (const applied of changes) yield auditEntry(auditedChange(applied), sync, time);
}

/** Audit lines for the sysctls written at start (`stage`: "start" or "init"). */
export function auditSysctls(audit: AuditLog, changed: SysctlReport['changed'], stage: string): void {
  for (const { sysctl, previous } of changed) {
    const target = `${sysctlDottedName(sysctl.name)}=${sysctl.value} (was ${previous})`;
    audit.record(
      auditEntry(
        { kind: 'sysctl', op: 'set', target, cause: { reason: "required by kube-proxy's IPVS mode" } },
        stage,
        Date.now(),
      ),
    );
  }
}
