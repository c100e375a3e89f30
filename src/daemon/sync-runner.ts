// When the proxier syncs: kube-proxy's pacing (its BoundedFrequencyRunner), as
// one small state machine with the clock and timers handed in.
//
// - A requested sync (a Service or EndpointSlice changed) runs as soon as
//   `minInterval` has passed since the last one started: bursts of changes
//   fold into one sync.
// - Without requests a sync still runs every `maxInterval` (syncPeriod): the
//   full resync that repairs drift.
// - Syncs never overlap; a request during a sync runs once it ends (paced).
// - A failed sync is retried after `retryMin`, doubling up to `maxInterval`,
//   so a kernel that refused part of a plan is never left without a retry.
import type { SyncTrigger } from '../sync/sync-trigger.js';

export interface Timers {
  now(): number;
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SyncRunnerOptions {
  /** minSyncPeriod in ms: the least time between the starts of two syncs. */
  readonly minIntervalMs: number;
  /** syncPeriod in ms: the most time between two syncs. */
  readonly maxIntervalMs: number;
  /** The first retry delay after a failed sync. */
  readonly retryMinMs: number;
  /** One sync; resolves true when it succeeded. A throw counts as a failure. */
  readonly sync: (trigger: SyncTrigger) => Promise<boolean>;
  readonly timers?: Timers;
}

export class SyncRunner {
  private readonly timers: Timers;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private requested = false;
  private stopped = true;
  /** Start time of the last sync; -Infinity before the first, so that it runs at once. */
  private lastStart = Number.NEGATIVE_INFINITY;
  private failures = 0;

  constructor(private readonly options: SyncRunnerOptions) {
    this.timers = options.timers ?? SYSTEM_TIMERS;
  }

  /** Starts pacing; the first sync runs at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.requested = true;
    this.schedule();
  }

  /** Asks for a sync as soon as the pacing allows. */
  request(): void {
    if (this.stopped) return;
    this.requested = true;
    if (!this.running) this.schedule();
  }

  /** Stops scheduling, and waits for a sync in flight to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    await this.running;
  }

  private clear(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.clear();
    if (this.stopped) return;
    const { minIntervalMs, maxIntervalMs, retryMinMs } = this.options;
    const next =
      this.failures > 0
        ? this.lastStart + Math.min(retryMinMs * 2 ** (this.failures - 1), maxIntervalMs)
        : this.lastStart + (this.requested ? minIntervalMs : maxIntervalMs);
    const trigger: SyncTrigger = this.failures > 0 ? 'retry' : this.requested ? 'requested' : 'periodic';
    const delay = Math.max(0, next - this.timers.now());
    this.timer = this.timers.setTimeout(() => this.run(trigger), delay);
  }

  private run(trigger: SyncTrigger): void {
    this.timer = undefined;
    this.requested = false;
    this.lastStart = this.timers.now();
    this.running = this.options
      .sync(trigger)
      .catch(() => false)
      .then((ok) => {
        this.failures = ok ? 0 : this.failures + 1;
        this.running = undefined;
        this.schedule();
      });
  }
}
