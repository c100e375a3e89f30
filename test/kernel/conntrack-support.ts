// Shared pieces of the conntrack client's kernel tests. The client runs in the
// Jest process, on the namespace kernel-tests.sh gave Jest; the conntrack tool,
// the independent peer, runs in that same namespace (ownNetns). Every flow the
// tests make comes from one of CLIENTS, so cleaning up leaves other files'
// entries alone.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import {
  ConntrackClient,
  type ConntrackFlow,
  type ConntrackProtocol,
  type FlowTuple,
} from '../../src/conntrack/index.js';
import { conntrackAttributes } from '../../src/conntrack/attributes.js';
import * as c from '../../src/conntrack/constants.js';
import { encodeTuple } from '../../src/conntrack/messages.js';
import {
  NETLINK_NETFILTER,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NetlinkSocket,
  nfnetlinkRequest,
} from '../../src/netlink/index.js';
import type { AddressFamily } from '../../src/net/ip-address.js';
import { ownNetns } from '../uml/netns.js';

/** The client addresses of every flow the tests make. */
export const CLIENTS = { inet: '10.123.0.1', inet6: 'fd00:123::1' } as const;

const TOOL_FAMILY: Record<AddressFamily, string> = { inet: 'ipv4', inet6: 'ipv6' };

/** Runs the conntrack tool in the client's namespace. */
export async function conntrack(...args: string[]): Promise<string> {
  return (await ownNetns().run('conntrack', args)).stdout;
}

/**
 * A flow from CLIENTS[family]:sourcePort to destination, answered by replySource
 * (the destination itself unless NATed), as the conntrack tool would track it.
 */
export function flowTo(
  family: AddressFamily,
  protocol: ConntrackProtocol,
  sourcePort: number,
  destination: string,
  destinationPort: number,
  replySource = destination,
  replySourcePort = destinationPort,
): ConntrackFlow {
  const client = CLIENTS[family];
  return {
    family,
    protocol,
    original: { source: client, sourcePort, destination, destinationPort },
    reply: { source: replySource, sourcePort: replySourcePort, destination: client, destinationPort: sourcePort },
  };
}

/** Makes the entry with the conntrack tool (`conntrack -I`, 120 s timeout). */
export async function insertWithTool(flow: ConntrackFlow): Promise<void> {
  const { original: o, reply: r } = flow;
  const sctp = flow.protocol === 'sctp' ? ['--state', 'ESTABLISHED', '--orig-vtag', '1', '--reply-vtag', '2'] : [];
  await conntrack(
    '-I',
    '-p',
    flow.protocol,
    '-t',
    '120',
    '-s',
    o.source,
    '-d',
    o.destination,
    '--sport',
    String(o.sourcePort),
    '--dport',
    String(o.destinationPort),
    '-r',
    r.source,
    '-q',
    r.destination,
    '--reply-port-src',
    String(r.sourcePort),
    '--reply-port-dst',
    String(r.destinationPort),
    ...sctp,
  );
}

/** A tuple pair as text, to compare lists whatever their order. */
export const flowText = (flow: { original: FlowTuple; reply: FlowTuple }): string =>
  [flow.original, flow.reply].map((t) => `${t.source}:${t.sourcePort}>${t.destination}:${t.destinationPort}`).join(' ');

/** `conntrack -L -f FAMILY -p PROTOCOL`, each entry as flowText (its first four key=value pairs are the original tuple, the next four the reply). */
export async function listedByTool(family: AddressFamily, protocol: ConntrackProtocol): Promise<string[]> {
  const out = await conntrack('-L', '-f', TOOL_FAMILY[family], '-p', protocol);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const values = [...line.matchAll(/\b(src|dst|sport|dport)=(\S+)/g)].map((m) => m[2] as string);
      const tuple = (at: number): FlowTuple => ({
        source: values[at] as string,
        destination: values[at + 1] as string,
        sourcePort: Number(values[at + 2]),
        destinationPort: Number(values[at + 3]),
      });
      return flowText({ original: tuple(0), reply: tuple(4) });
    })
    .sort();
}

/**
 * Makes many entries at once (IPCTNL_MSG_CT_NEW, hundreds per sendmsg): the
 * tool makes one per process, and a process start costs a third of a second in
 * UML. The tests check what this made with the tool.
 */
export async function insertMany(flows: readonly ConntrackFlow[]): Promise<void> {
  const socket = NetlinkSocket.open(NETLINK_NETFILTER);
  try {
    const requests = flows.map((flow) => {
      const protocol = flow.protocol === 'udp' ? c.IPPROTO_UDP : c.IPPROTO_SCTP;
      const request = { op: 'delete-flow', flow } as const;
      return nfnetlinkRequest({
        subsystem: c.NFNL_SUBSYS_CTNETLINK,
        command: c.IPCTNL_MSG_CT_NEW,
        label: { family: 'conntrack', command: 'NEW' },
        family: flow.family === 'inet' ? c.AF_INET : c.AF_INET6,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        attributes: conntrackAttributes,
        values: {
          original: encodeTuple(request, flow.family, protocol, flow.original),
          reply: encodeTuple(request, flow.family, protocol, flow.reply),
          timeout: 120,
        },
      });
    });
    const failed = (await socket.batch(requests)).filter((outcome) => !outcome.ok);
    if (failed.length > 0) throw new Error(`${failed.length} of ${flows.length} entries were not created`);
  } finally {
    socket.close();
  }
}

/** Deletes every entry the tests made (the tool's -D by original source). */
export async function deleteTestFlows(): Promise<void> {
  for (const family of ['inet', 'inet6'] as const) {
    // tcp too: a test makes a TCP flow that UDP and SCTP queries must not return.
    for (const protocol of ['udp', 'sctp', 'tcp']) {
      // Status 1 when nothing matched.
      await ownNetns().run('conntrack', ['-D', '-f', TOOL_FAMILY[family], '-p', protocol, '-s', CLIENTS[family]], {
        allowFailure: true,
      });
    }
  }
}

/** A conntrack client for the tests of one file, and none of the tests' entries after each test. */
export function conntrackClientPerFile(): () => ConntrackClient {
  let client: ConntrackClient | undefined;
  beforeAll(async () => {
    await deleteTestFlows();
    client = ConntrackClient.open();
  });
  afterEach(deleteTestFlows);
  afterAll(() => client?.close());
  return () => {
    if (!client) throw new Error('the conntrack client is not open');
    return client;
  };
}
