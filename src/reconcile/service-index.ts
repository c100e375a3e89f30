// Which Service port asks for an address or an address:port, so that changes
// the model does not tie to a Service (a bound address, a set member) still
// name one in their cause. The first virtual server in the model's order wins,
// as it does when two Services claim one virtual server.
import type { Protocol } from '../ipvs/types.js';
import type { FamilyState, ServicePortRef } from '../contracts/desired-state.js';

export interface ServiceIndex {
  byAddress(address: string): ServicePortRef | undefined;
  byEndpoint(address: string, protocol: Protocol, port: number): ServicePortRef | undefined;
}

/** Built on first use: a sync that binds no address and changes no member never needs it. */
export function serviceIndex(desired: FamilyState): ServiceIndex {
  let built:
    | { readonly addresses: Map<string, ServicePortRef>; readonly endpoints: Map<string, ServicePortRef> }
    | undefined;
  const index = (): NonNullable<typeof built> => {
    if (built) return built;
    const addresses = new Map<string, ServicePortRef>();
    const endpoints = new Map<string, ServicePortRef>();
    for (const d of desired.virtualServers) {
      const key = d.virtualServer.key;
      if ('fwmark' in key) continue;
      if (!addresses.has(key.address)) addresses.set(key.address, d.service);
      endpoints.set(`${key.address}|${key.protocol}|${key.port}`, d.service);
    }
    built = { addresses, endpoints };
    return built;
  };
  return {
    byAddress: (address) => index().addresses.get(address),
    byEndpoint: (address, protocol, port) => index().endpoints.get(`${address}|${protocol}|${port}`),
  };
}
