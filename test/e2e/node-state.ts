// The node's kernel state as the operators' tools print it (never kipvs's own reader), and a
// poll for a condition on it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Netns } from '../uml/netns.js';

/** `ipvsadm -Sn` lines, sorted. */
export async function ipvsTable(netns: Netns): Promise<string[]> {
  return (await netns.ipvsSave())
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** `ipset save` lines, sorted. */
export async function ipsetSave(netns: Netns): Promise<string[]> {
  return (await netns.run('ipset', ['save'])).stdout
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** Polls `check` every 200 ms until it holds; the time it took, ms. `explain` adds to the failure. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  explain = (): string => '',
): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}\n${explain()}`);
    await sleep(200);
  }
  return performance.now() - started;
}
