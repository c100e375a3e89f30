// kube-ipvs0: created when missing, wanted addresses bound as host routes, the
// others unbound with their own prefix length.
import { describe, expect, it } from '@jest/globals';
import type { AddressChange, Plan, PlannedChange } from '../../../src/contracts/plan.js';
import { desiredOf, desiredServer, diffAt, family, liveFamilyOf, liveOf } from './states.js';

function addressChanges(plan: Plan): PlannedChange<AddressChange>[] {
  return plan.phases.flatMap((p) => (p.kind === 'address' ? p.changes : []));
}

describe('kube-ipvs0', () => {
  const web = desiredServer('web', '10.96.0.1', 80, 'tcp', []);

  it('is created when missing', () => {
    const desired = desiredOf(family());
    const { link: _gone, ...live } = liveOf(desired);
    expect(diffAt(desired, live).plan).toEqual({ createLink: true, phases: [] });
  });

  it('gets the missing addresses as /32 and /128, naming the Service that wants them', () => {
    const v4 = family({ virtualServers: [web], linkAddresses: ['10.96.0.1', '10.96.0.2'] });
    const v6 = family({ family: 'IPv6', linkAddresses: ['fd00::1'] });
    const live = liveOf(desiredOf(family(), { ...family(), family: 'IPv6' }));
    expect(addressChanges(diffAt(desiredOf(v4, v6), live).plan)).toEqual([
      {
        op: { op: 'add-address', address: '10.96.0.1', prefixLength: 32 },
        cause: { service: web.service, reason: 'address bound' },
      },
      { op: { op: 'add-address', address: '10.96.0.2', prefixLength: 32 }, cause: { reason: 'address bound' } },
      { op: { op: 'add-address', address: 'fd00::1', prefixLength: 128 }, cause: { reason: 'address bound' } },
    ]);
  });

  it('loses the addresses nobody wants, with the prefix length they have', () => {
    const f = family({ linkAddresses: ['10.96.0.1'] });
    const live = {
      ...liveOf(desiredOf(f)),
      families: [
        {
          ...liveFamilyOf(f),
          linkAddresses: [
            { address: '10.96.0.1', prefixLength: 32 },
            { address: '10.96.0.3', prefixLength: 24 },
          ],
        },
      ],
    };
    const { plan } = diffAt(desiredOf(f), live);
    expect(plan.phases).toEqual([
      {
        kind: 'address',
        changes: [
          {
            op: { op: 'delete-address', address: '10.96.0.3', prefixLength: 24 },
            cause: { reason: 'address unbound' },
          },
        ],
      },
    ]);
  });

  it('counts a wanted address bound with another prefix length as bound', () => {
    const f = family({ linkAddresses: ['10.96.0.1'] });
    const live = {
      ...liveOf(desiredOf(f)),
      families: [{ ...liveFamilyOf(f), linkAddresses: [{ address: '10.96.0.1', prefixLength: 16 }] }],
    };
    expect(diffAt(desiredOf(f), live).plan.phases).toEqual([]);
  });
});
