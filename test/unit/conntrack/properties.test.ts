// Property tests: a flow encoded as the kernel sends an entry decodes to the
// same flow, and no reply, however broken, makes the decoder throw anything
// but NetlinkDecodeError; the flows it accepts from a broken reply encode again
// as entries that decode to the same flows.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NLM_F_MULTI,
  NetlinkDecodeError,
  Writer,
  nfnetlinkRequest,
  parseMessages,
  type NetlinkMessage,
} from '../../../src/netlink/index.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-address.js';
import { conntrackAttributes } from '../../../src/conntrack/attributes.js';
import * as c from '../../../src/conntrack/constants.js';
import { decodeFlow, decodeFlows, encodeTuple } from '../../../src/conntrack/messages.js';
import type { ConntrackFlow, FlowTuple } from '../../../src/conntrack/types.js';
import { fixtures } from '../netlink/fixture-files.js';

const conntrack = fixtures('conntrack');

const port = fc.integer({ min: 0, max: 0xffff });
function tuple(family: 'inet' | 'inet6'): fc.Arbitrary<FlowTuple> {
  const address =
    family === 'inet'
      ? fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b))
      : fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(b));
  return fc.record({ source: address, sourcePort: port, destination: address, destinationPort: port });
}
const flows: fc.Arbitrary<ConntrackFlow> = fc.constantFrom('inet' as const, 'inet6' as const).chain((family) =>
  fc.record(
    {
      family: fc.constant(family),
      protocol: fc.constantFrom('udp' as const, 'sctp' as const),
      original: tuple(family),
      reply: tuple(family),
      id: fc.nat({ max: 0xffffffff }),
      zone: fc.integer({ min: 1, max: 0xffff }),
    },
    { requiredKeys: ['family', 'protocol', 'original', 'reply'] },
  ),
);

/** A flow as a dump sends it: one IPCTNL_MSG_CT_NEW with both tuples. */
function asEntry(flow: ConntrackFlow): NetlinkMessage {
  const protocol = flow.protocol === 'udp' ? c.IPPROTO_UDP : c.IPPROTO_SCTP;
  const request = nfnetlinkRequest({
    subsystem: c.NFNL_SUBSYS_CTNETLINK,
    command: c.IPCTNL_MSG_CT_NEW,
    label: { family: 'conntrack', command: 'NEW' },
    family: flow.family === 'inet' ? c.AF_INET : c.AF_INET6,
    attributes: conntrackAttributes,
    values: {
      original: encodeTuple({ op: 'delete-flow', flow }, flow.family, protocol, flow.original),
      reply: encodeTuple({ op: 'delete-flow', flow }, flow.family, protocol, flow.reply),
      ...(flow.id !== undefined && { id: flow.id }),
      ...(flow.zone !== undefined && { zone: flow.zone }),
    },
  });
  const w = new Writer();
  const start = w.beginMessage(request.type, NLM_F_MULTI, 1);
  request.writePayload(w);
  w.endMessage(start);
  return parseMessages(w.take())[0] as NetlinkMessage;
}

describe('entries', () => {
  test('a flow encoded as an entry decodes to the same flow', () => {
    fc.assert(
      fc.property(flows, (flow) => {
        expect(decodeFlow(asEntry(flow))).toEqual(flow);
        expect(decodeFlows([asEntry(flow)], { family: flow.family, protocol: flow.protocol })).toEqual([flow]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decoders', () => {
  const captured = ['dump-udp-inet', 'dump-udp-inet6', 'dump-sctp-inet', 'dump-inet-unfiltered'].map((name) =>
    conntrack.replies(name),
  );

  test('random payloads, and every cut or changed byte of a captured reply, only ever yield NetlinkDecodeError or flows we can encode again', () => {
    const damaged = fc.oneof(
      fc
        .uint8Array({ maxLength: 300 })
        .map((b) => ({ type: 0x100, flags: 2, seq: 1, portId: 0, payload: Buffer.from(b) })),
      fc.tuple(fc.constantFrom(...captured), fc.nat(), fc.nat()).map(([msgs, which, cut]) => {
        const msg = msgs[which % msgs.length] as NetlinkMessage;
        return { ...msg, payload: msg.payload.subarray(0, cut % (msg.payload.length + 1)) };
      }),
      fc
        .tuple(fc.constantFrom(...captured), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([msgs, which, at, byte]) => {
          const msg = msgs[which % msgs.length] as NetlinkMessage;
          const payload = Buffer.from(msg.payload);
          payload[at % payload.length] = byte;
          return { ...msg, payload };
        }),
    );
    fc.assert(
      fc.property(damaged, (msg) => {
        // decodeFlow of every family and protocol: decodeFlows only keeps those of its query.
        let flow: ConntrackFlow | undefined;
        try {
          flow = decodeFlow(msg);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
          return;
        }
        if (flow !== undefined) expect(decodeFlow(asEntry(flow))).toEqual(flow);
      }),
      { numRuns: 20000 },
    );
  });
});
