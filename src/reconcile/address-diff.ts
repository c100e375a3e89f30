// The addresses on kube-ipvs0 for one family. kipvs owns that link, as
// kube-proxy does (it unbinds every address no Service wants, proxier.go
// syncProxyRules): wanted addresses missing are bound as host routes (/32,
// /128, as kube-proxy's EnsureAddressBind), live ones not wanted are unbound
// with the prefix length they have. A wanted address bound with another
// prefix length counts as bound: it is local either way.
import type { LiveFamilyState } from '../contracts/live-state.js';
import type { FamilyState } from '../contracts/desired-state.js';
import type { AddressChange, PlannedChange } from '../contracts/plan.js';
import type { ServiceIndex } from './service-index.js';

export interface AddressFamilyDiff {
  readonly binds: readonly PlannedChange<AddressChange>[];
  readonly unbinds: readonly PlannedChange<AddressChange>[];
}

export function diffAddresses(
  desired: FamilyState,
  live: LiveFamilyState | undefined,
  services: ServiceIndex,
): AddressFamilyDiff {
  const liveAddresses = live?.linkAddresses ?? [];
  const bound = new Set(liveAddresses.map((a) => a.address));
  const wanted = new Set(desired.linkAddresses);
  const hostPrefix = desired.family === 'IPv4' ? 32 : 128;
  const binds = desired.linkAddresses
    .filter((address) => !bound.has(address))
    .map((address): PlannedChange<AddressChange> => {
      const service = services.byAddress(address);
      return {
        op: { op: 'add-address', address, prefixLength: hostPrefix },
        cause: { ...(service ? { service } : {}), reason: 'address bound' },
      };
    });
  const unbinds = liveAddresses
    .filter((a) => !wanted.has(a.address))
    .map(
      (a): PlannedChange<AddressChange> => ({
        op: { op: 'delete-address', address: a.address, prefixLength: a.prefixLength },
        cause: { reason: 'address unbound' },
      }),
    );
  return { binds, unbinds };
}
