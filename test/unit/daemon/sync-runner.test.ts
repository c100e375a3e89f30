import type { SyncTrigger } from '../../../src/sync/sync-trigger.js';
import { describe, expect, it } from '@jest/globals';
import { SyncRunner, type Timers } from '../../../src/daemon/sync-runner.js';

/** A clock that moves only when the test says, running due timers in order. */
class ManualTimers implements Timers {
  private time = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; run: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, delayMs: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.time + delayMs, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Moves the clock to `ms` from the start, running each timer due on the way (and the syncs they start). */
  async advanceTo(ms: number): Promise<void> {
    for (;;) {
      await flush();
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= ms)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
      const first = due[0];
      if (!first) break;
      this.pending.delete(first[0]);
      this.time = first[1].at;
      first[1].run();
    }
    this.time = ms;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function runner(results: boolean[] = [], durationMs = 0) {
  const timers = new ManualTimers();
  const syncs: { at: number; trigger: SyncTrigger }[] = [];
  const sync = async (trigger: SyncTrigger): Promise<boolean> => {
    syncs.push({ at: timers.now(), trigger });
    if (durationMs > 0) await new Promise<void>((resolve) => timers.setTimeout(resolve, durationMs));
    const ok = results.shift();
    if (ok === undefined) return true;
    if (!ok) throw new Error('kernel said no');
    return ok;
  };
  const r = new SyncRunner({ minIntervalMs: 1_000, maxIntervalMs: 30_000, retryMinMs: 500, sync, timers });
  return { r, timers, syncs };
}

describe('SyncRunner', () => {
  it('syncs at once on start, then every maxInterval without requests', async () => {
    const { r, timers, syncs } = runner();
    r.start();
    await timers.advanceTo(95_000);
    expect(syncs).toEqual([
      { at: 0, trigger: 'requested' },
      { at: 30_000, trigger: 'periodic' },
      { at: 60_000, trigger: 'periodic' },
      { at: 90_000, trigger: 'periodic' },
    ]);
    await r.stop();
  });

  it('folds a burst of requests into one sync, no sooner than minInterval after the last', async () => {
    const { r, timers, syncs } = runner();
    r.start();
    await timers.advanceTo(200);
    r.request();
    r.request();
    await timers.advanceTo(500);
    r.request();
    await timers.advanceTo(5_000);
    expect(syncs.map((s) => s.at)).toEqual([0, 1_000]);
    // A request long after the last sync runs at once.
    r.request();
    await timers.advanceTo(5_000);
    expect(syncs.map((s) => s.at)).toEqual([0, 1_000, 5_000]);
    await r.stop();
  });

  it('never overlaps syncs: a request during a sync runs after it, paced', async () => {
    const { r, timers, syncs } = runner([], 2_500);
    r.start();
    await timers.advanceTo(100);
    r.request();
    await timers.advanceTo(2_400);
    expect(syncs).toHaveLength(1);
    await timers.advanceTo(2_500);
    expect(syncs.map((s) => s.at)).toEqual([0, 2_500]);
    const stopping = r.stop();
    await timers.advanceTo(5_000);
    await stopping;
  });

  it('retries a failed sync with a doubling delay capped at maxInterval, then paces normally', async () => {
    const { r, timers, syncs } = runner([false, false, false, true]);
    r.start();
    await timers.advanceTo(10_000);
    expect(syncs).toEqual([
      { at: 0, trigger: 'requested' },
      { at: 500, trigger: 'retry' },
      { at: 1_500, trigger: 'retry' },
      { at: 3_500, trigger: 'retry' },
    ]);
    await timers.advanceTo(33_500);
    expect(syncs.at(-1)).toEqual({ at: 33_500, trigger: 'periodic' });
    await r.stop();
  });

  it('caps the retry delay at maxInterval', async () => {
    const { r, timers, syncs } = runner(Array.from({ length: 12 }, () => false));
    r.start();
    await timers.advanceTo(200_000);
    const gaps = syncs.slice(1).map((s, i) => s.at - (syncs[i]?.at ?? 0));
    expect(gaps.slice(0, 7)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    await r.stop();
  });

  it('stops: no sync after stop, and stop waits for the one in flight', async () => {
    const { r, timers, syncs } = runner([], 1_000);
    r.start();
    await timers.advanceTo(10);
    let stopped = false;
    const stopping = r.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    await timers.advanceTo(1_000);
    await stopping;
    expect(stopped).toBe(true);
    r.request();
    await timers.advanceTo(100_000);
    expect(syncs).toHaveLength(1);
  });
});
