// Decoding of replies captured from a real kernel (test/fixtures/conntrack).
// The expected flows are what the conntrack commands in each fixture's header
// created; entry ids are the kernel's choice.
import { describe, expect, test } from '@jest/globals';
import { NetlinkDecodeError, NetlinkError, parseErrorReply, type NetlinkMessage } from '../../../src/netlink/index.js';
import { ConntrackPermissionError, conntrackErrorFrom } from '../../../src/conntrack/errors.js';
import { decodeFlow, decodeFlows } from '../../../src/conntrack/messages.js';
import { fixtures } from '../netlink/fixture-files.js';

const conntrack = fixtures('conntrack');
const id = expect.any(Number) as unknown as number;

const NATED = {
  family: 'inet',
  protocol: 'udp',
  original: { source: '10.0.0.1', sourcePort: 40001, destination: '10.96.0.10', destinationPort: 53 },
  reply: { source: '10.244.1.5', sourcePort: 53, destination: '10.0.0.1', destinationPort: 40001 },
  id,
} as const;
const NOT_NATED = {
  family: 'inet',
  protocol: 'udp',
  original: { source: '10.0.0.2', sourcePort: 40002, destination: '10.96.0.20', destinationPort: 5353 },
  reply: { source: '10.96.0.20', sourcePort: 5353, destination: '10.0.0.2', destinationPort: 40002 },
  id,
} as const;
const SCTP = {
  family: 'inet',
  protocol: 'sctp',
  original: { source: '10.0.0.3', sourcePort: 40004, destination: '10.96.0.30', destinationPort: 9 },
  reply: { source: '10.244.1.6', sourcePort: 9, destination: '10.0.0.3', destinationPort: 40004 },
  id,
} as const;

const byDestination = (a: { original: { destination: string } }, b: { original: { destination: string } }): number =>
  a.original.destination.localeCompare(b.original.destination);

describe('dumps', () => {
  test('IPv4 UDP, filtered in the kernel: the NATed flow and the plain one, nothing else', () => {
    const replies = conntrack.replies('dump-udp-inet');
    expect(replies).toHaveLength(2);
    expect(decodeFlows(replies, { family: 'inet', protocol: 'udp' }).sort(byDestination)).toEqual([NATED, NOT_NATED]);
  });

  test('IPv6 UDP: addresses in inet_ntop form', () => {
    expect(decodeFlows(conntrack.replies('dump-udp-inet6'), { family: 'inet6', protocol: 'udp' })).toEqual([
      {
        family: 'inet6',
        protocol: 'udp',
        original: { source: 'fd00::1', sourcePort: 40003, destination: 'fd00:96::a', destinationPort: 53 },
        reply: { source: 'fd00:244::5', sourcePort: 53, destination: 'fd00::1', destinationPort: 40003 },
        id,
      },
    ]);
  });

  test('IPv4 SCTP', () => {
    expect(decodeFlows(conntrack.replies('dump-sctp-inet'), { family: 'inet', protocol: 'sctp' })).toEqual([SCTP]);
  });

  test('a dump without CTA_FILTER (a kernel before 5.8) has every protocol: only the one asked for is kept', () => {
    const replies = conntrack.replies('dump-inet-unfiltered');
    expect(replies).toHaveLength(4);
    expect(decodeFlows(replies, { family: 'inet', protocol: 'udp' }).sort(byDestination)).toEqual([NATED, NOT_NATED]);
    expect(decodeFlows(replies, { family: 'inet', protocol: 'sctp' })).toEqual([SCTP]);
    expect(decodeFlows(replies, { family: 'inet6', protocol: 'udp' })).toEqual([]);
    // The TCP entry is not one kipvs models.
    expect(replies.map(decodeFlow).filter((flow) => flow === undefined)).toHaveLength(1);
  });

  test('entry ids differ from entry to entry', () => {
    const ids = decodeFlows(conntrack.replies('dump-inet-unfiltered'), { family: 'inet', protocol: 'udp' }).map(
      (flow) => flow.id,
    );
    expect(new Set(ids).size).toBe(2);
  });

  test('a message of another subsystem, or an entry without its tuples, is a NetlinkDecodeError', () => {
    const reply = conntrack.replies('dump-udp-inet')[0] as NetlinkMessage;
    expect(() => decodeFlow({ ...reply, type: 0x607 })).toThrow(NetlinkDecodeError);
    // nfgenmsg alone: no attributes at all.
    expect(() => decodeFlow({ ...reply, payload: reply.payload.subarray(0, 4) })).toThrow(
      new NetlinkDecodeError('CTA', 'an entry without CTA_TUPLE_ORIG or CTA_TUPLE_REPLY'),
    );
  });
});

describe('deletes', () => {
  test('an ACK, then ENOENT for the same entry again', () => {
    expect(parseErrorReply(conntrack.error('delete-udp-inet')).errno).toBe(0);
    const reply = parseErrorReply(conntrack.error('error-delete-enoent'));
    expect(reply.errno).toBe(2);
    const flow = { ...NOT_NATED, id: 1 };
    const error = conntrackErrorFrom(new NetlinkError('ENOENT', 2, { family: 'conntrack', command: 'DELETE' }), {
      op: 'delete-flow',
      flow,
    });
    expect(error.userMessage).toBe(
      'delete-flow udp 10.0.0.2:40002 -> 10.96.0.20:5353 (reply from 10.96.0.20:5353): no such conntrack entry (ENOENT)',
    );
  });

  test('EPERM is a ConntrackPermissionError; EINVAL on a dump points at the module', () => {
    const label = { family: 'conntrack', command: 'GET' };
    const query = { op: 'list-flows', family: 'inet6', protocol: 'udp' } as const;
    expect(conntrackErrorFrom(new NetlinkError('EPERM', 1, label), query)).toBeInstanceOf(ConntrackPermissionError);
    expect(conntrackErrorFrom(new NetlinkError('EINVAL', 22, label), query).userMessage).toBe(
      'list-flows udp inet6: the kernel refused the request (is the nf_conntrack_netlink module loaded?) (EINVAL)',
    );
  });
});
