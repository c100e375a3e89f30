// The optional PrometheusRule (docs/audit-and-alerts.md): off by default, rendered by the real
// helm template when enabled, with exactly the rules the document shows as a plain rule file,
// Prometheus's own {{ $labels }} templates passed through Helm untouched.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BASE_VALUES, deepMerge, helm, only, render, ROOT } from './helm.js';

const enabled = { prometheusRule: { enabled: true } };

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}
interface RuleFile {
  readonly groups: { readonly name: string; readonly rules: Rule[] }[];
}

/** The rule file of docs/audit-and-alerts.md: its one ```yaml block that starts with groups:. */
function documentedRules(): RuleFile {
  const text = readFileSync(join(ROOT, 'docs/audit-and-alerts.md'), 'utf8');
  const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1] ?? '')
    .filter((b) => b.startsWith('groups:'));
  expect(blocks).toHaveLength(1);
  return parse(blocks[0] ?? '') as RuleFile;
}

describe('prometheusRule', () => {
  it('is off by default', () => {
    expect(render().filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
  });

  it('renders a monitoring.coreos.com/v1 PrometheusRule in the release namespace, with the chart labels and extra ones', () => {
    const rule = only(
      render({ prometheusRule: { enabled: true, labels: { release: 'prometheus' } } }),
      'PrometheusRule',
    );
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe('kube-system');
    expect(rule.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'kipvs',
      'app.kubernetes.io/part-of': 'kipvs',
      release: 'prometheus',
    });
  });

  it('holds exactly the rules docs/audit-and-alerts.md shows', () => {
    const rule = only(render(enabled), 'PrometheusRule');
    expect(rule['spec']).toEqual(documentedRules());
  });

  it('alerts on drift repairs at once and on sync failures that last, naming the metrics the daemon exports', () => {
    const rules = documentedRules().groups.flatMap((g) => g.rules);
    expect(rules.map((r) => [r.alert, r.expr, r.for, r.labels['severity']])).toEqual([
      ['KipvsKernelStateDrift', 'increase(kipvs_drift_repairs_total[30m]) > 0', undefined, 'warning'],
      ['KipvsSyncFailing', 'increase(kipvs_sync_failures_total[10m]) > 0', '15m', 'critical'],
    ]);
  });

  it("keeps Prometheus's templates for Prometheus", () => {
    const rule = only(render(enabled), 'PrometheusRule');
    const text = JSON.stringify(rule['spec']);
    expect(text).toContain('{{ $labels.kind }}');
    expect(text).toContain('{{ $labels.instance }}');
    expect(text).toContain('{{ $value }}');
  });

  it('passes helm lint when enabled; the schema refuses unknown keys and non-string labels', () => {
    expect(helm('lint', deepMerge(BASE_VALUES, enabled)).status).toBe(0);
    const unknown = helm('template', deepMerge(BASE_VALUES, { prometheusRule: { enabled: true, interval: '1m' } }));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('interval');
    expect(helm('template', deepMerge(BASE_VALUES, { prometheusRule: { enabled: 'yes' } })).status).not.toBe(0);
    expect(
      helm('template', deepMerge(BASE_VALUES, { prometheusRule: { enabled: true, labels: { release: 1 } } })).status,
    ).not.toBe(0);
  });
});
