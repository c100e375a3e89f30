import { describe, expect, it } from '@jest/globals';
import { listeningTimeout } from '../../../src/k8s/listening-timeout.js';

/** Blocks the event loop, as a long synchronous computation does. */
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('listeningTimeout', () => {
  it('expires after its time when the process was free to listen', async () => {
    let expired = 0;
    listeningTimeout(30, () => expired++);
    await settle(200);
    expect(expired).toBe(1);
  });

  it('does not expire while cancelled', async () => {
    let expired = 0;
    listeningTimeout(30, () => expired++).cancel();
    await settle(100);
    expect(expired).toBe(0);
  });

  it('gives I/O held up by a busy event loop its chance before expiring', async () => {
    let expired = 0;
    const timeout = listeningTimeout(50, () => expired++);
    // An answer that arrived during the stall is handled after the timers of the loop's turn:
    // it cancels the timeout, as a watch's line re-arms its idle timer.
    setImmediate(() => timeout.cancel());
    busyFor(1_200);
    await settle(100);
    expect(expired).toBe(0);
  });

  it('expires after a stall when nothing came, once the held-up I/O has had its turn', async () => {
    let expired = 0;
    listeningTimeout(50, () => expired++);
    let afterStall = -1;
    setImmediate(() => {
      afterStall = expired;
    });
    busyFor(1_200);
    await settle(300);
    expect(afterStall).toBe(0);
    expect(expired).toBe(1);
  });
});

describe('listeningTimeout that hears things', () => {
  it('does not expire while it hears something every period, and expires within two periods of the last', async () => {
    let expired = 0;
    const timeout = listeningTimeout(60, () => expired++);
    const heard = setInterval(() => timeout.heard(), 20);
    await settle(400);
    expect(expired).toBe(0);
    clearInterval(heard);
    const silentFrom = performance.now();
    while (expired === 0 && performance.now() - silentFrom < 1_000) await settle(5);
    expect(expired).toBe(1);
    // At least one period of silence, at most two (the timer checks once a period).
    const waited = performance.now() - silentFrom;
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(200);
  });
});
