// The traffic helper: ONE Node.js process in a namespace (the node's, the outside client's) that
// keeps requesting its targets and counts the outcomes. Commands: protocol.ts.
//
//   node build/test/e2e/traffic/traffic-process.js
import { serveCommands } from '../command-loop.js';
import { probe } from './probe.js';
import {
  parseTrafficCommand,
  targetName,
  type Target,
  type TrafficCommand,
  type TrafficReplies,
  type TrafficReport,
  type TrafficSettings,
} from './protocol.js';
import { TrafficTally } from './tally.js';

interface Run {
  readonly tally: TrafficTally;
  readonly timers: readonly NodeJS.Timeout[];
  readonly inFlight: Set<Promise<void>>;
}

let run: Run | undefined;

function start(targets: readonly Target[], settings: TrafficSettings): Run {
  const tally = new TrafficTally(targets.map(targetName), Date.now());
  const inFlight = new Set<Promise<void>>();
  const send = (target: Target, name: string): void => {
    tally.started();
    const sentAt = Date.now();
    const request = probe(target, settings.timeoutMs).then((outcome) => {
      tally.ended(name, outcome, sentAt);
      inFlight.delete(request);
    });
    inFlight.add(request);
  };
  const timers = targets.map((target) => {
    const name = targetName(target);
    send(target, name);
    return setInterval(() => send(target, name), settings.intervalMs);
  });
  return { tally, timers, inFlight };
}

async function stop(current: Run): Promise<TrafficReport> {
  for (const timer of current.timers) clearInterval(timer);
  await Promise.all(current.inFlight);
  return current.tally.take(Date.now());
}

function running(): Run {
  if (run === undefined) throw new Error('not started');
  return run;
}

serveCommands<TrafficCommand, TrafficReplies>({
  parse: parseTrafficCommand,
  handle: async (command) => {
    switch (command.op) {
      case 'start':
        if (run !== undefined) await stop(run);
        run = start(command.targets, command);
        return null;
      case 'report':
        return running().tally.take(Date.now());
      case 'stop': {
        const report = await stop(running());
        run = undefined;
        return report;
      }
    }
  },
  close: async () => {
    if (run !== undefined) await stop(run);
  },
});
