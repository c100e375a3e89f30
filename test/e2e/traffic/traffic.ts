// The test's handle on a traffic helper: a client in a namespace that keeps requesting targets.
//
//   const client = await startTraffic(topology, 'outside');
//   await client.start([{ protocol: 'http', address: ADDRESSES.ipv4.nodeIp, port: 30080 }]);
//   ...
//   const report = await client.report();    // what ended since start (or the previous report)
//
// The topology closes the helper when it is deleted.
import { HelperProcess } from '../helper-process.js';
import type { Netns } from '../../uml/netns.js';
import type { Role, Topology } from '../topology.js';
import {
  targetName,
  type Target,
  type TargetReport,
  type TrafficCommand,
  type TrafficReplies,
  type TrafficReport,
  type TrafficSettings,
} from './protocol.js';

const SCRIPT = 'build/test/e2e/traffic/traffic-process.js';

/** A request to every target every 50 ms, given up after 1 s (UML is slow: keep timeouts generous). */
export const DEFAULT_TRAFFIC: TrafficSettings = { intervalMs: 50, timeoutMs: 1_000 };

export interface TrafficClient {
  /** Starts requesting the targets (replacing earlier ones); a new window starts. */
  start(targets: readonly Target[], settings?: TrafficSettings): Promise<void>;
  /** What ended since start or the previous report; a new window starts. */
  report(): Promise<TrafficReport>;
  /** Stops requesting and reports the last window once the requests in flight have ended. */
  stop(): Promise<TrafficReport>;
}

/**
 * Starts a traffic helper in one of the topology's namespaces, or in another one wired to it (a
 * client pod): about 1.3 s in UML.
 */
export async function startTraffic(topology: Topology, from: Role | Netns): Promise<TrafficClient> {
  const netns = typeof from === 'string' ? topology[from] : from;
  const helper = await HelperProcess.start<TrafficCommand, TrafficReplies>(netns, SCRIPT, []);
  topology.adopt(helper);
  return {
    start: async (targets, settings = DEFAULT_TRAFFIC) => {
      await helper.request({ op: 'start', targets, ...settings });
    },
    report: () => helper.request({ op: 'report' }),
    stop: () => helper.request({ op: 'stop' }),
  };
}

/** One target's part of a report; throws when the report has none for it. */
export function reportFor(report: TrafficReport, target: Target): TargetReport {
  const name = targetName(target);
  const found = report.targets.find((entry) => entry.target === name);
  if (found === undefined)
    throw new Error(`no report for ${name} (reported: ${report.targets.map((entry) => entry.target).join(' ')})`);
  return found;
}
