// Which services `kipvs dump --address A --port P --protocol tcp --fwmark N` shows.
// Every given criterion must hold; address, port and protocol select
// address-based services, a fwmark selects fwmark services.
import type { AddressFamily } from '../net/ip-address.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../net/ip-address.js';
import { isFwmarkKey, type LiveService, type Protocol, type ServiceKey } from '../ipvs/types.js';

export interface ServiceFilter {
  readonly address?: { readonly family: AddressFamily; readonly address: string };
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly fwmark?: number;
}

/** An address as a person types it ("2001:DB8::1", "[::1]") in the canonical form dumps use; throws InvalidAddressError. */
export function filterAddress(text: string): NonNullable<ServiceFilter['address']> {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) return { family: 'inet6', address: formatIPv6(parseIPv6(bare)) };
  return { family: 'inet', address: formatIPv4(parseIPv4(bare)) };
}

function matches(key: ServiceKey, filter: ServiceFilter): boolean {
  if (isFwmarkKey(key)) {
    return (
      filter.address === undefined &&
      filter.port === undefined &&
      filter.protocol === undefined &&
      (filter.fwmark ?? key.fwmark) === key.fwmark
    );
  }
  return (
    filter.fwmark === undefined &&
    (filter.address === undefined ||
      (filter.address.family === key.family && filter.address.address === key.address)) &&
    (filter.port ?? key.port) === key.port &&
    (filter.protocol ?? key.protocol) === key.protocol
  );
}

export function filterServices<S extends LiveService>(services: readonly S[], filter: ServiceFilter): S[] {
  return services.filter(({ service }) => matches(service.key, filter));
}
