// Property tests: an address request carries exactly the address meant, and
// no reply, however broken, makes a decoder throw anything but NetlinkDecodeError;
// what a decoder accepts from a broken reply encodes again to the same value.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  NLM_F_ACK,
  NLM_F_REQUEST,
  NetlinkDecodeError,
  Writer,
  parseMessages,
  structRequest,
  type NetlinkMessage,
  type Request,
} from '../../../src/netlink/index.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-address.js';
import { ifinfomsg, linkAttributes } from '../../../src/rtnl/attributes.js';
import { IF_OPER_STATES, RTM_NEWLINK } from '../../../src/rtnl/constants.js';
import { addressRequest, decodeAddress, decodeLink } from '../../../src/rtnl/messages.js';
import type { AddressOperation, Link, LinkAddress } from '../../../src/rtnl/types.js';
import { fixtures } from '../netlink/fixture-files.js';

const rtnl = fixtures('rtnl');
const RTM_NEWADDR = 20;

const address: fc.Arbitrary<{ text: string; bits: number }> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ text: formatIPv4(b), bits: 32 })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ({ text: formatIPv6(b), bits: 128 })),
);
const operation: fc.Arbitrary<AddressOperation> = fc
  .tuple(
    address,
    fc.integer({ min: 1, max: 0x7fffffff }),
    fc.nat(),
    fc.constantFrom('add-address', 'delete-address' as const),
  )
  .map(([a, linkIndex, prefix, op]) => ({
    op,
    address: { linkIndex, address: a.text, prefixLength: prefix % (a.bits + 1) },
  }));

/** Frames a request, and reads it back as one well-formed message. */
function sent(request: Request): NetlinkMessage {
  const w = new Writer();
  const start = w.beginMessage(request.type, NLM_F_REQUEST | NLM_F_ACK, 1);
  request.writePayload(w);
  w.endMessage(start);
  const [msg, ...rest] = parseMessages(w.take());
  expect(rest).toHaveLength(0);
  return msg as NetlinkMessage;
}

/** Frames a request, and reads it back as a NEWADDR message (the layout a dump entry has too). */
function sentAsAddress(op: AddressOperation): NetlinkMessage {
  return { ...sent(addressRequest(op)), type: RTM_NEWADDR };
}

/**
 * What a decoder returned is a value the wire carries: an address goes back as the request
 * that adds it (scope global, no flags, no label: what we send), a link as the RTM_NEWLINK
 * the kernel would send, written from the table the decoder reads.
 */
function sendsBackUnchanged(decoded: Link | LinkAddress): void {
  if ('linkIndex' in decoded) {
    const { linkIndex, address, prefixLength } = decoded;
    expect(decodeAddress(sentAsAddress({ op: 'add-address', address: { linkIndex, address, prefixLength } }))).toEqual({
      linkIndex,
      family: decoded.family,
      address,
      prefixLength,
      scope: 'global',
      flags: 0,
    });
    return;
  }
  const reply = structRequest({
    type: RTM_NEWLINK,
    label: { family: 'rtnetlink', command: 'NEWLINK' },
    header: ifinfomsg,
    headerValues: { family: 0, type: 0, index: decoded.index, flags: decoded.flags, change: 0 },
    attributes: linkAttributes,
    values: {
      name: decoded.name,
      mtu: decoded.mtu,
      txQueueLength: decoded.txQueueLength,
      operState: IF_OPER_STATES.indexOf(decoded.operState),
      ...(decoded.kind !== undefined && { linkInfo: { kind: decoded.kind } }),
    },
  });
  expect(decodeLink(sent(reply))).toEqual(decoded);
}

describe('address requests', () => {
  test('decode back to the link, address and prefix they were built from, scope global, no flags', () => {
    fc.assert(
      fc.property(operation, (op) => {
        expect(decodeAddress(sentAsAddress(op))).toEqual({
          linkIndex: op.address.linkIndex,
          family: op.address.address.includes(':') ? 'inet6' : 'inet',
          address: op.address.address,
          prefixLength: op.address.prefixLength,
          scope: 'global',
          flags: 0,
        });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('decoders', () => {
  const captured = [
    ...rtnl.replies('get-link-dummy'),
    ...rtnl.replies('get-link-lo'),
    ...rtnl.replies('get-addr-dump'),
  ];

  function decodeAny(msg: NetlinkMessage): Link | LinkAddress | undefined {
    return msg.type === RTM_NEWADDR ? decodeAddress(msg) : decodeLink(msg);
  }

  test('random payloads, and every cut or changed byte of a captured reply, only ever yield NetlinkDecodeError or a value we can encode again', () => {
    const payloads = fc.oneof(
      fc
        .tuple(fc.constantFrom(16, RTM_NEWADDR), fc.uint8Array({ maxLength: 200 }))
        .map(([type, b]) => ({ type, payload: Buffer.from(b) })),
      fc
        .tuple(fc.constantFrom(...captured), fc.nat())
        .map(([msg, cut]) => ({ type: msg.type, payload: msg.payload.subarray(0, cut % (msg.payload.length + 1)) })),
      fc.tuple(fc.constantFrom(...captured), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([msg, at, byte]) => {
        const payload = Buffer.from(msg.payload);
        payload[at % payload.length] = byte;
        return { type: msg.type, payload };
      }),
    );
    fc.assert(
      fc.property(payloads, ({ type, payload }) => {
        let decoded: Link | LinkAddress | undefined;
        try {
          decoded = decodeAny({ type, flags: 0, seq: 1, portId: 0, payload });
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
          return;
        }
        if (decoded !== undefined) sendsBackUnchanged(decoded);
      }),
      { numRuns: 20000 },
    );
  });
});
