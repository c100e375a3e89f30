// Counting what came back from the targets, window by window. Pure: the clock is a parameter.
import type { TargetReport, TrafficReport } from './protocol.js';

/** How one request ended. */
export type ProbeOutcome =
  | { readonly ok: true; readonly backend: string; readonly client: string }
  | { readonly ok: false; readonly reason: string };

interface Counts {
  requests: number;
  answered: number;
  failures: Record<string, number>;
  failedSentAt: number[];
  backends: Record<string, number>;
  clients: Record<string, number>;
}

function emptyCounts(): Counts {
  return { requests: 0, answered: 0, failures: {}, failedSentAt: [], backends: {}, clients: {} };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export class TrafficTally {
  private counts = new Map<string, Counts>();
  private inFlight = 0;

  /** `targets`: the targets' names, in report order. */
  constructor(
    private readonly targets: readonly string[],
    private windowStartMs: number,
  ) {
    this.reset();
  }

  started(): void {
    this.inFlight += 1;
  }

  /** `sentAtMs`: when the request went out (the clock of `take`). */
  ended(target: string, outcome: ProbeOutcome, sentAtMs: number): void {
    this.inFlight -= 1;
    const counts = this.counts.get(target);
    if (counts === undefined) throw new Error(`not a target of this tally: ${target}`);
    counts.requests += 1;
    if (outcome.ok) {
      counts.answered += 1;
      bump(counts.backends, outcome.backend);
      bump(counts.clients, outcome.client);
    } else {
      bump(counts.failures, outcome.reason);
      counts.failedSentAt.push(sentAtMs);
    }
  }

  /** The window so far, and a new window from `nowMs`. */
  take(nowMs: number): TrafficReport {
    const report: TrafficReport = {
      windowMs: nowMs - this.windowStartMs,
      inFlight: this.inFlight,
      targets: this.targets.map((target): TargetReport => ({ target, ...(this.counts.get(target) ?? emptyCounts()) })),
    };
    this.windowStartMs = nowMs;
    this.reset();
    return report;
  }

  private reset(): void {
    this.counts = new Map(this.targets.map((target) => [target, emptyCounts()]));
  }
}
