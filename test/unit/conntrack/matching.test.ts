// Which flows a list of deletions clears (kube-proxy's rules: the original
// destination, and for a removed real server the reply source too), and how a
// batch's outcomes are counted.
import { describe, expect, test } from '@jest/globals';
import { NetlinkError } from '../../../src/netlink/index.js';
import { conntrackErrorFrom } from '../../../src/conntrack/errors.js';
import { groupDeletions, matchFlows } from '../../../src/conntrack/matching.js';
import { tallyDeletes } from '../../../src/conntrack/results.js';
import type { ConntrackFlow } from '../../../src/conntrack/types.js';
import type { ConntrackDeletion } from '../../../src/contracts/plan.js';
import { mutableRows } from '../../support/each-rows.js';

function flow(
  destination: string,
  destinationPort: number,
  replySource: string,
  replySourcePort: number,
  family: 'inet' | 'inet6' = 'inet',
): ConntrackFlow {
  const client = family === 'inet' ? '10.0.0.1' : 'fd00::1';
  return {
    family,
    protocol: 'udp',
    original: { source: client, sourcePort: 40000, destination, destinationPort },
    reply: { source: replySource, sourcePort: replySourcePort, destination: client, destinationPort: 40000 },
  };
}

const TO_A = flow('10.96.0.10', 53, '10.244.1.5', 53);
const TO_B = flow('10.96.0.10', 53, '10.244.1.6', 53);
const OTHER_PORT = flow('10.96.0.10', 5353, '10.244.1.5', 5353);
const NOT_NATED = flow('10.96.0.20', 53, '10.96.0.20', 53);
const V6 = flow('fd00:96::a', 53, 'fd00:244::5', 53, 'inet6');
const FLOWS = [TO_A, TO_B, OTHER_PORT, NOT_NATED];

const deletion = (
  destination: string,
  destinationPort: number,
  reply: Partial<ConntrackDeletion> = {},
): ConntrackDeletion => ({
  family: 'inet',
  protocol: 'udp',
  destination,
  destinationPort,
  ...reply,
});

/** The flows one deletion clears out of FLOWS. */
function cleared(d: ConntrackDeletion, flows: readonly ConntrackFlow[] = FLOWS): ConntrackFlow[] {
  const { groups, invalid } = groupDeletions([d]);
  expect(invalid).toEqual([]);
  return groups.flatMap((group) => matchFlows(group, flows).map((m) => m.flow));
}

describe('matching', () => {
  test.each(
    mutableRows([
      [
        'a removed service address: every flow to it, whatever real server answered',
        deletion('10.96.0.10', 53),
        [TO_A, TO_B],
      ],
      [
        'a removed real server: only the flows it answered',
        deletion('10.96.0.10', 53, { replySource: '10.244.1.5' }),
        [TO_A],
      ],
      [
        'a removed real server and port',
        deletion('10.96.0.10', 53, { replySource: '10.244.1.6', replySourcePort: 53 }),
        [TO_B],
      ],
      [
        'a real server on another port answers nothing here',
        deletion('10.96.0.10', 53, { replySource: '10.244.1.5', replySourcePort: 5353 }),
        [],
      ],
      ['a flow that was not NATed', deletion('10.96.0.20', 53), [NOT_NATED]],
      ['an address nobody sends to', deletion('10.96.0.99', 53), []],
    ] as const),
  )('%s', (_, d, expected) => {
    expect(cleared(d)).toEqual(expected);
  });

  test('IPv6 addresses match whatever their spelling', () => {
    const d: ConntrackDeletion = {
      family: 'inet6',
      protocol: 'udp',
      destination: 'FD00:96:0::000A',
      destinationPort: 53,
      replySource: 'fd00:244:0:0::5',
    };
    expect(cleared(d, [V6])).toEqual([V6]);
  });

  test('one group per family and protocol; a flow of another group is not matched', () => {
    const deletions = [
      deletion('10.96.0.10', 53),
      { ...deletion('10.96.0.10', 53), protocol: 'sctp' as const },
      deletion('10.96.0.20', 53),
      { ...deletion('fd00:96::a', 53), family: 'inet6' as const },
    ];
    const { groups } = groupDeletions(deletions);
    expect(groups.map((g) => g.query)).toEqual([
      { family: 'inet', protocol: 'udp' },
      { family: 'inet', protocol: 'sctp' },
      { family: 'inet6', protocol: 'udp' },
    ]);
    expect(matchFlows(groups[1] as (typeof groups)[number], FLOWS)).toEqual([]);
  });

  test('a flow two deletions name is deleted once, for the first of them', () => {
    const first = deletion('10.96.0.10', 53, { replySource: '10.244.1.5' });
    const second = deletion('10.96.0.10', 53);
    const [group] = groupDeletions([first, second]).groups;
    expect(matchFlows(group as NonNullable<typeof group>, FLOWS)).toEqual([
      { flow: TO_A, deletion: first },
      { flow: TO_B, deletion: second },
    ]);
  });

  test('deletions the wire cannot carry fail (EINVAL, naming them) and the others go on', () => {
    const good = deletion('10.96.0.10', 53);
    const bad = [
      deletion('fd00::1', 53),
      deletion('10.96.0.10', 65536),
      deletion('10.96.0.10', 53, { replySource: '10.244.1' }),
      deletion('10.96.0.10', 53, { replySourcePort: -1 }),
      { ...deletion('10.96.0.10', 53), protocol: 'tcp' as 'udp' },
    ];
    const { groups, invalid } = groupDeletions([bad[0] as ConntrackDeletion, good, ...bad.slice(1)]);
    expect(invalid.map((f) => f.deletion)).toEqual(bad);
    expect(invalid.map((f) => [f.error.code, f.error.op])).toEqual(bad.map(() => ['EINVAL', 'delete-flows']));
    expect(invalid[0]?.error.userMessage).toBe(
      "delete-flows udp fd00::1:53: invalid IPv4 address 'fd00::1': expected four decimal numbers 0-255 separated by dots (EINVAL)",
    );
    expect(invalid[2]?.error.target).toBe('udp 10.96.0.10:53 via 10.244.1:*');
    expect(groups).toHaveLength(1);
  });
});

describe('counting outcomes', () => {
  const label = { family: 'conntrack', command: 'DELETE' };
  const failed = (f: ConntrackFlow, code: string, errno: number) =>
    ({
      op: f,
      ok: false,
      error: conntrackErrorFrom(new NetlinkError(code, errno, label), { op: 'delete-flow', flow: f }),
    }) as const;

  test('ENOENT (the entry expired since the dump) is counted apart, not a failure; other errors are failures', () => {
    const result = tallyDeletes([
      { op: TO_A, ok: true },
      failed(TO_B, 'ENOENT', 2),
      { op: NOT_NATED, ok: true },
      failed(OTHER_PORT, 'EPERM', 1),
    ]);
    expect(result.deleted).toBe(2);
    expect(result.expired).toBe(1);
    expect(result.failures.map((f) => [f.flow, f.error.code])).toEqual([[OTHER_PORT, 'EPERM']]);
  });
});
