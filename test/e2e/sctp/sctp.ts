// SCTP traffic for the end-to-end tests. Node.js has no SCTP sockets, so the pods' server and the
// client are small Python programs (pods.py, probe.py) run with Debian's python3; they speak the
// same answers as the HTTP and UDP pods ({"pod", "client"}).
//
//   const pods = await startSctpPods(topology, 9999, ['10.244.1.2', '10.244.1.3']);
//   const outcomes = await sctpProbe(topology.outside, { address: nodeIp, port: 30099 }, 6);
import { createInterface } from 'node:readline';
import type { Netns } from '../../uml/netns.js';
import { isPodAnswer } from '../backends/protocol.js';
import { spawnInNetns } from '../netns-spawn.js';
import type { Topology } from '../topology.js';
import type { ProbeOutcome } from '../traffic/tally.js';

const PYTHON = '/usr/bin/python3';
const PODS = 'test/e2e/sctp/pods.py';
const PROBE = 'test/e2e/sctp/probe.py';
const START_TIMEOUT_MS = 30_000;

/** Whether this kernel speaks SCTP (the sctp module loaded: /proc/net/sctp exists). */
export async function kernelHasSctp(netns: Netns): Promise<boolean> {
  return (await netns.run('test', ['-d', '/proc/net/sctp'], { allowFailure: true })).status === 0;
}

/**
 * Starts SCTP servers on `port` of every pod address (already bound by the backends helper) in
 * the pods namespace; resolves once they listen. The topology stops them when it is deleted.
 */
export async function startSctpPods(topology: Topology, port: number, addresses: readonly string[]): Promise<void> {
  const child = spawnInNetns(topology.pods, PYTHON, [PODS, String(port), ...addresses]);
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  topology.adopt({
    close: async () => {
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) =>
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line === 'ready') resolve();
        }),
      ),
      exited.then(() => {
        throw new Error(`SCTP pods exited before listening: ${stderr.join('\n')}`);
      }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`SCTP pods: not listening after ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` SCTP associations to `target` from `netns`, one after the other: their outcomes. */
export async function sctpProbe(
  netns: Netns,
  target: { readonly address: string; readonly port: number; readonly source?: string },
  count: number,
): Promise<ProbeOutcome[]> {
  const args = [PROBE, target.address, String(target.port), String(count), ...(target.source ? [target.source] : [])];
  const { stdout } = await netns.run(PYTHON, args);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line): ProbeOutcome => {
      const answer: unknown = JSON.parse(line);
      if (isPodAnswer(answer)) return { ok: true, backend: answer.pod, client: answer.client };
      const error = (answer as { error?: unknown }).error;
      return { ok: false, reason: typeof error === 'string' ? error : 'bad-answer' };
    });
}
