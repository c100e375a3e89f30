// One audit line: a kernel change kipvs made, why, and how it went. Written as
// one JSON object per line, so that `jq` or a log shipper reads it as is.
import { servicePortKey } from '../../proxy/service-ports.js';
import type { ChangeCause } from '../../contracts/plan.js';

/** What part of the kernel a change touches (also kipvs_kernel_changes_total{kind}). */
export type KernelChangeKind = 'ipvs' | 'address' | 'ipset' | 'iptables' | 'conntrack' | 'link' | 'sysctl';

export interface AuditEntry {
  /** When the change was applied, ISO 8601 in UTC with milliseconds. */
  readonly time: string;
  /** The sync the change belongs to: every change of one sync shares it. */
  readonly sync: string;
  readonly kind: KernelChangeKind;
  /** The operation: "add-service", "delete-real-server", "add-entry", "restore", "set", ... */
  readonly op: string;
  /** What it applies to, as the matching tool prints it: "-t 10.96.0.10:80", "KUBE-CLUSTER-IP 10.96.0.10,tcp:80", ... */
  readonly target: string;
  /** The Service port ("namespace/name:portName/protocol") that wants the change; absent for state no Service claims. */
  readonly service?: string;
  /** Why, in a few words: "new virtual server", "endpoint removed", "drifted scheduler", ... */
  readonly reason: string;
  readonly result: 'ok' | 'error';
  /** The error's text, when result is "error". */
  readonly error?: string;
}

export interface AuditedChange {
  readonly kind: KernelChangeKind;
  readonly op: string;
  readonly target: string;
  readonly cause: ChangeCause;
  /** Undefined when the change succeeded; the error it failed with otherwise. */
  readonly error?: unknown;
}

/** The audit entry of one applied change of sync `sync` at `time` (ms since the epoch). */
export function auditEntry(change: AuditedChange, sync: string, time: number): AuditEntry {
  const { service } = change.cause;
  return {
    time: new Date(time).toISOString(),
    sync,
    kind: change.kind,
    op: change.op,
    target: change.target,
    ...(service ? { service: servicePortKey(service) } : {}),
    reason: change.cause.reason,
    ...(change.error === undefined
      ? { result: 'ok' as const }
      : {
          result: 'error' as const,
          error: change.error instanceof Error ? change.error.message : String(change.error),
        }),
  };
}
