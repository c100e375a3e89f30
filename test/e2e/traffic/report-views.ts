// Views of traffic reports that end-to-end tests compare: failures, who answered, the rate.
import type { TrafficReport } from './protocol.js';

/** Failures by target over reports (windows), only the targets that had any. */
export function failures(reports: readonly TrafficReport[]): Record<string, Record<string, number>> {
  const found: Record<string, Record<string, number>> = {};
  for (const report of reports) {
    for (const t of report.targets) {
      for (const [reason, count] of Object.entries(t.failures)) {
        const byReason = (found[t.target] ??= {});
        byReason[reason] = (byReason[reason] ?? 0) + count;
      }
    }
  }
  return found;
}

/** Who answered each target in a report: target name -> sorted pod addresses. */
export function answeredBy(report: TrafficReport): Record<string, string[]> {
  return Object.fromEntries(report.targets.map((t) => [t.target, Object.keys(t.backends).sort()]));
}

/** The source addresses the pods saw, for each target in a report: target name -> sorted addresses. */
export function seenClients(report: TrafficReport): Record<string, string[]> {
  return Object.fromEntries(report.targets.map((t) => [t.target, Object.keys(t.clients).sort()]));
}

/** Answers a second over reports. */
export function answerRate(reports: readonly TrafficReport[]): number {
  const answered = reports.reduce((sum, r) => sum + r.targets.reduce((s, t) => s + t.answered, 0), 0);
  const seconds = reports.reduce((sum, r) => sum + r.windowMs, 0) / 1000;
  return answered / seconds;
}
