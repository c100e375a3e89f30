// A sync whose iptables part failed is a failed sync (the proxier retries it and /healthz
// judges it), and is said where an operator looks besides the log: kube-proxy's
// kubeproxy_sync_proxy_rules_iptables_restore_failures_total for each failed
// iptables-restore, and a Warning Event on the Node when the failures start or their words
// change, not at every retry of the same failure (a retry every few seconds would flood the
// API server with the same Event).
import type { AppliedChange } from '../contracts/kernel-port.js';
import type { IpFamily } from '../net/ip-family.js';
import type { ProxyMetrics } from './metrics/proxy-metrics.js';
import type { NodeEventRecorder } from './node-events.js';

/** The Event's reason, in kube-proxy's style ("FailedToStartProxierHealthcheck"). */
export const IPTABLES_FAILED_REASON = 'FailedToSyncIptablesRules';

export interface IptablesFailure {
  readonly family: IpFamily;
  /** The tool's own words (CommandError's message: the command, its status and stderr). */
  readonly message: string;
}

/** The iptables-restore runs of one sync that failed. */
export function iptablesFailures(changes: readonly AppliedChange[]): IptablesFailure[] {
  return changes.flatMap(({ change, result }) => {
    if (change.kind !== 'iptables' || result.ok) return [];
    return [{ family: change.rewrite.family === 'inet' ? 'IPv4' : 'IPv6', message: result.error.message }];
  });
}

export class IptablesFailureReport {
  /** The note of the last Event recorded; undefined while the iptables part succeeds. */
  private lastNote: string | undefined;

  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly events: Pick<NodeEventRecorder, 'record'> | undefined,
  ) {}

  /** One sync's changes: counts its failed restores, and records an Event when the failures are new. */
  report(changes: readonly AppliedChange[]): void {
    const failures = iptablesFailures(changes);
    for (const failure of failures) this.metrics.recordIptablesRestoreFailure(failure.family);
    if (failures.length === 0) {
      this.lastNote = undefined;
      return;
    }
    const note = `the iptables part of the sync failed, so the Services' iptables rules may be missing or stale (kipvs retries): ${failures.map((f) => f.message).join('; ')}`;
    if (note === this.lastNote) return;
    this.lastNote = note;
    void this.events?.record({ type: 'Warning', reason: IPTABLES_FAILED_REASON, note, action: 'SyncProxyRules' });
  }
}
