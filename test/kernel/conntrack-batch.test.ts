// 1,000 matching entries deleted in a few sendmsg calls (one dump, then
// hundreds of deletes per datagram), checked with the conntrack tool, and
// timed beside the tool's own `conntrack -D` of as many entries.
import { expect, test } from '@jest/globals';
import type { ConntrackFlow } from '../../src/conntrack/index.js';
import { conntrack, conntrackClientPerFile, flowTo, insertMany, listedByTool } from './conntrack-support.js';
import { ownNetns } from '../uml/netns.js';

const client = conntrackClientPerFile();
const N = 1000;

/** N flows to a service, NATed to four real servers. */
const flowsTo = (service: string, firstPort: number): ConntrackFlow[] =>
  Array.from({ length: N }, (_, i) => flowTo('inet', 'udp', firstPort + i, service, 53, `10.244.${i % 4}.10`, 53));

test('1,000 flows of a removed service address go in a few sendmsg calls; the others stay', async () => {
  await insertMany([...flowsTo('10.96.1.1', 20000), ...flowsTo('10.96.1.2', 30000)]);
  expect(await listedByTool('inet', 'udp')).toHaveLength(2 * N);

  const before = { ...client().counters };
  const started = performance.now();
  const result = await client().deleteFlows([
    { family: 'inet', protocol: 'udp', destination: '10.96.1.1', destinationPort: 53 },
  ]);
  const ms = performance.now() - started;
  expect(result).toEqual({ deleted: N, expired: 0, failures: [] });
  const sendCalls = client().counters.sendCalls - before.sendCalls;
  const receiveCalls = client().counters.receiveCalls - before.receiveCalls;
  const messages = client().counters.messagesSent - before.messagesSent;
  const bytes = client().counters.bytesSent - before.bytesSent;
  // One dump request, then the deletes packed into 64 KiB datagrams.
  expect(messages).toBe(1 + N);
  expect(sendCalls).toBeLessThanOrEqual(1 + Math.ceil(bytes / (60 * 1024)));
  expect(sendCalls).toBeLessThanOrEqual(3);

  const left = await listedByTool('inet', 'udp');
  expect(left).toHaveLength(N);
  expect(left.every((flow) => flow.includes('>10.96.1.2:53'))).toBe(true);

  // The peer: the conntrack tool deleting the other 1,000 in a process of its own.
  const toolStarted = performance.now();
  await ownNetns().run('conntrack', ['-D', '-p', 'udp', '-d', '10.96.1.2']);
  const toolMs = performance.now() - toolStarted;
  expect(await conntrack('-L', '-p', 'udp', '-d', '10.96.1.2')).toBe('');
  process.stdout.write(
    `conntrack: ${N} of ${2 * N} flows deleted in ${sendCalls} sendmsg calls (${messages} messages, ${bytes} bytes), ` +
      `${receiveCalls} receive calls, ${ms.toFixed(0)} ms; conntrack -D of ${N} ${toolMs.toFixed(0)} ms\n`,
  );
});
