import { describe, expect, it } from '@jest/globals';
import { IPTABLES_FAILED_REASON, IptablesFailureReport } from '../../../src/daemon/iptables-failures.js';
import { ProxyMetrics } from '../../../src/daemon/metrics/proxy-metrics.js';
import type { NodeEvent } from '../../../src/k8s/node-event.js';
import type { AppliedChange } from '../../../src/contracts/kernel-port.js';
import { CommandError } from '../../../src/kernel/index.js';
import type { AddressFamily } from '../../../src/net/ip-address.js';

const TABLE_ADD =
  'iptables-nft-restore v1.8.9 (nf_tables): line 2: TABLE_ADD failed (Operation not supported): table nat';

function restore(family: AddressFamily, stderr?: string): AppliedChange {
  const rewrite = { family, table: 'nat' as const, restore: '*nat\nCOMMIT\n', cause: { reason: 'rules changed' } };
  const argv = [`${family === 'inet' ? 'iptables' : 'ip6tables'}-nft-restore`, '--noflush'];
  return {
    change: { kind: 'iptables', rewrite },
    description: 'rewrite iptables nat table',
    cause: rewrite.cause,
    result: stderr === undefined ? { ok: true } : { ok: false, error: new CommandError('failed', argv, stderr, 4) },
  };
}

function fixture(): {
  report: IptablesFailureReport;
  events: NodeEvent[];
  failures: (family: string) => Promise<number>;
} {
  const metrics = new ProxyMetrics();
  const events: NodeEvent[] = [];
  const report = new IptablesFailureReport(metrics, { record: async (event) => void events.push(event) });
  const failures = async (family: string): Promise<number> => {
    const metric = await metrics.registry
      .getSingleMetric('kubeproxy_sync_proxy_rules_iptables_restore_failures_total')
      ?.get();
    return metric?.values.find((v) => v.labels['ip_family'] === family)?.value ?? 0;
  };
  return { report, events, failures };
}

describe('IptablesFailureReport', () => {
  it('counts every failed restore in its family, and says nothing of successful ones', async () => {
    const { report, events, failures } = fixture();
    report.report([restore('inet')]);
    expect(events).toEqual([]);
    report.report([restore('inet', TABLE_ADD), restore('inet6', TABLE_ADD), restore('inet')]);
    report.report([restore('inet', TABLE_ADD)]);
    expect(await failures('IPv4')).toBe(2);
    expect(await failures('IPv6')).toBe(1);
  });

  it('records a Warning Event when failures start or change, not at every retry of the same one', () => {
    const { report, events } = fixture();
    report.report([restore('inet', TABLE_ADD)]);
    report.report([restore('inet', TABLE_ADD)]);
    expect(events).toEqual([
      {
        type: 'Warning',
        reason: IPTABLES_FAILED_REASON,
        action: 'SyncProxyRules',
        note: `the iptables part of the sync failed, so the Services' iptables rules may be missing or stale (kipvs retries): iptables-nft-restore --noflush: exited with status 4: ${TABLE_ADD}`,
      },
    ]);
    report.report([restore('inet6', 'other words')]);
    expect(events).toHaveLength(2);
    report.report([restore('inet')]);
    report.report([restore('inet6', 'other words')]);
    expect(events).toHaveLength(3);
  });
});
