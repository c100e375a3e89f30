// The conntrack client against the kernel, checked with the conntrack tool:
// flows made by `conntrack -I` (plain and NATed, as IPVS masquerading leaves
// them), listed by us as `conntrack -L` lists them, and deleted exactly as
// kube-proxy clears them when a service address or a real server goes.
import { describe, expect, test } from '@jest/globals';
import type { ConntrackFlow } from '../../src/conntrack/index.js';
import type { ConntrackDeletion } from '../../src/contracts/plan.js';
import {
  CLIENTS,
  conntrack,
  conntrackClientPerFile,
  flowText,
  flowTo,
  insertWithTool,
  listedByTool,
} from './conntrack-support.js';

const client = conntrackClientPerFile();

// Two UDP services, one NATed to two real servers, one answered by itself; an
// IPv6 service with two real servers; an SCTP service; and a TCP flow, which
// no UDP or SCTP query may return.
const DNS_A = flowTo('inet', 'udp', 40001, '10.96.0.10', 53, '10.244.1.5', 53);
const DNS_B = flowTo('inet', 'udp', 40002, '10.96.0.10', 53, '10.244.2.5', 53);
const MDNS_A = flowTo('inet', 'udp', 40003, '10.96.0.10', 5353, '10.244.1.5', 5353);
const NTP = flowTo('inet', 'udp', 40004, '10.96.0.20', 123);
const V4 = [DNS_A, DNS_B, MDNS_A, NTP];
const V6_A = flowTo('inet6', 'udp', 40005, 'fd00:96::a', 53, 'fd00:244:1::5', 53);
const V6_B = flowTo('inet6', 'udp', 40006, 'fd00:96::a', 53, 'fd00:244:2::5', 53);
const SCTP = [
  flowTo('inet', 'sctp', 40007, '10.96.0.30', 9, '10.244.1.6', 9),
  flowTo('inet', 'sctp', 40008, '10.96.0.30', 9, '10.244.2.6', 9),
];

async function insertAll(): Promise<void> {
  for (const flow of [...V4, V6_A, V6_B, ...SCTP]) await insertWithTool(flow);
  await conntrack(
    '-I',
    '-p',
    'tcp',
    '-t',
    '120',
    '--state',
    'ESTABLISHED',
    '-s',
    CLIENTS.inet,
    '-d',
    '10.96.0.1',
    '--sport',
    '40009',
    '--dport',
    '443',
    '-r',
    '10.244.1.7',
    '-q',
    CLIENTS.inet,
    '--reply-port-src',
    '6443',
    '--reply-port-dst',
    '40009',
  );
}

const texts = (flows: readonly ConntrackFlow[]): string[] => flows.map(flowText).sort();

describe('listFlows', () => {
  test('lists what conntrack -L lists, for each family and protocol, NATed reply sources included', async () => {
    await insertAll();
    for (const query of [
      { family: 'inet', protocol: 'udp' },
      { family: 'inet6', protocol: 'udp' },
      { family: 'inet', protocol: 'sctp' },
      { family: 'inet6', protocol: 'sctp' },
    ] as const) {
      const ours = await client().listFlows(query);
      expect(
        ours.every((flow) => flow.family === query.family && flow.protocol === query.protocol && flow.id !== undefined),
      ).toBe(true);
      expect(texts(ours)).toEqual(await listedByTool(query.family, query.protocol));
    }
    const v4 = await client().listFlows({ family: 'inet', protocol: 'udp' });
    expect(texts(v4.filter((flow) => flow.original.source === CLIENTS.inet))).toEqual(texts(V4));
    expect(v4.find((flow) => flow.original.sourcePort === 40001)?.reply.source).toBe('10.244.1.5');
  });
});

describe('deleteFlows', () => {
  test('removes exactly the flows to a removed service address, or NATed to a removed real server, and leaves the others', async () => {
    await insertAll();
    const deletions: ConntrackDeletion[] = [
      // A real server of 10.96.0.10:53 goes: only the flow it answered.
      {
        family: 'inet',
        protocol: 'udp',
        destination: '10.96.0.10',
        destinationPort: 53,
        replySource: '10.244.2.5',
        replySourcePort: 53,
      },
      // The service 10.96.0.20:123 goes: its flows, whoever answered.
      { family: 'inet', protocol: 'udp', destination: '10.96.0.20', destinationPort: 123 },
      // An IPv6 real server, written another way than the kernel prints it.
      {
        family: 'inet6',
        protocol: 'udp',
        destination: 'FD00:96:0::A',
        destinationPort: 53,
        replySource: 'fd00:244:1:0::5',
      },
      // An SCTP service.
      { family: 'inet', protocol: 'sctp', destination: '10.96.0.30', destinationPort: 9 },
      // Nothing goes to it.
      { family: 'inet', protocol: 'udp', destination: '10.96.0.99', destinationPort: 53 },
    ];
    const result = await client().deleteFlows(deletions);
    expect(result).toEqual({ deleted: 5, expired: 0, failures: [] });
    expect(await listedByTool('inet', 'udp')).toEqual(texts([DNS_A, MDNS_A]));
    expect(await listedByTool('inet6', 'udp')).toEqual(texts([V6_B]));
    expect(await listedByTool('inet', 'sctp')).toEqual([]);
    expect(await conntrack('-L', '-p', 'tcp')).toContain('dport=443');
  });

  test('a deletion the wire cannot carry fails alone, naming itself', async () => {
    await insertWithTool(NTP);
    const bad: ConntrackDeletion = { family: 'inet', protocol: 'udp', destination: '10.96.0.300', destinationPort: 53 };
    const result = await client().deleteFlows([
      bad,
      { family: 'inet', protocol: 'udp', destination: '10.96.0.20', destinationPort: 123 },
    ]);
    expect(result.deleted).toBe(1);
    expect(result.failures.map((f) => [f.deletion, f.error.code])).toEqual([[bad, 'EINVAL']]);
  });
});

describe('deleteListedFlows', () => {
  test('an entry gone since the dump, or named by another CTA_ID (an entry made again since), counts as expired and is left alone', async () => {
    for (const flow of [DNS_A, DNS_B, MDNS_A]) await insertWithTool(flow);
    const listed = (await client().listFlows({ family: 'inet', protocol: 'udp' })).filter(
      (flow) => flow.original.source === CLIENTS.inet,
    );
    const byPort = (port: number): ConntrackFlow => {
      const flow = listed.find((f) => f.original.sourcePort === port);
      if (flow?.id === undefined) throw new Error(`flow from port ${port} not listed with its id`);
      return flow;
    };
    await conntrack('-D', '-p', 'udp', '-s', CLIENTS.inet, '--sport', '40001');
    // The kernel gives an entry made again another id (unless it lands on the very same memory).
    const other = { ...byPort(40002), id: ((byPort(40002).id ?? 0) ^ 1) >>> 0 };
    const result = await client().deleteListedFlows([byPort(40001), other, byPort(40003)]);
    expect(result).toEqual({ deleted: 1, expired: 2, failures: [] });
    expect(await listedByTool('inet', 'udp')).toEqual([flowText(DNS_B)]);
  });
});
