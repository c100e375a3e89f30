// Property tests: an address request carries exactly the address meant, and
// no reply, however broken, makes a decoder throw anything but NetlinkDecodeError.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { NLM_F_ACK, NLM_F_REQUEST, NetlinkDecodeError, Writer, parseMessages, type NetlinkMessage } from '../../../src/netlink/index.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-address.js';
import { addressRequest, decodeAddress, decodeLink } from '../../../src/rtnl/messages.js';
import type { AddressOperation } from '../../../src/rtnl/types.js';
import { fixtures } from '../netlink/fixture-files.js';

const rtnl = fixtures('rtnl');
const RTM_NEWADDR = 20;

const address: fc.Arbitrary<{ text: string; bits: number }> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ({ text: formatIPv4(b), bits: 32 })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ({ text: formatIPv6(b), bits: 128 })),
);
const operation: fc.Arbitrary<AddressOperation> = fc
  .tuple(address, fc.integer({ min: 1, max: 0x7fffffff }), fc.nat(), fc.constantFrom('add-address', 'delete-address' as const))
  .map(([a, linkIndex, prefix, op]) => ({ op, address: { linkIndex, address: a.text, prefixLength: prefix % (a.bits + 1) } }));

/** Frames a request, and reads it back as a NEWADDR message (the layout a dump entry has too). */
function sentAsAddress(op: AddressOperation): NetlinkMessage {
  const w = new Writer();
  const request = addressRequest(op);
  const start = w.beginMessage(request.type, NLM_F_REQUEST | NLM_F_ACK, 1);
  request.writePayload(w);
  w.endMessage(start);
  const [msg] = parseMessages(w.take());
  return { ...(msg as NetlinkMessage), type: RTM_NEWADDR };
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
  const captured = [...rtnl.replies('get-link-dummy'), ...rtnl.replies('get-link-lo'), ...rtnl.replies('get-addr-dump')];

  function decodeAny(msg: NetlinkMessage): void {
    if (msg.type === RTM_NEWADDR) decodeAddress(msg);
    else decodeLink(msg);
  }

  test('random payloads, and every cut of a captured reply, only ever yield NetlinkDecodeError', () => {
    const payloads = fc.oneof(
      fc.tuple(fc.constantFrom(16, RTM_NEWADDR), fc.uint8Array({ maxLength: 200 })).map(([type, b]) => ({ type, payload: Buffer.from(b) })),
      fc.tuple(fc.constantFrom(...captured), fc.nat()).map(([msg, cut]) => ({ type: msg.type, payload: msg.payload.subarray(0, cut % (msg.payload.length + 1)) })),
      fc.tuple(fc.constantFrom(...captured), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([msg, at, byte]) => {
        const payload = Buffer.from(msg.payload);
        payload[at % payload.length] = byte;
        return { type: msg.type, payload };
      }),
    );
    fc.assert(
      fc.property(payloads, ({ type, payload }) => {
        try {
          decodeAny({ type, flags: 0, seq: 1, portId: 0, payload });
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkDecodeError);
        }
      }),
      { numRuns: 20000 },
    );
  });
});
