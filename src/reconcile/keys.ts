// Canonical text keys for IPVS objects, so desired and live ones meet in Maps
// (no pairwise scans: a node may have 100,000 real servers). Addresses are
// compared as text because both sides spell them as glibc's inet_ntop does
// (src/net for the kernel's, src/proxy/ip.ts for the model's).
import type { RealServer, ServiceKey } from '../ipvs/types.js';

/** "inet|tcp|10.96.0.1|443" or "inet|fwmark|7". */
export function virtualServerKeyText(key: ServiceKey): string {
  return 'fwmark' in key
    ? `${key.family}|fwmark|${key.fwmark}`
    : `${key.family}|${key.protocol}|${key.address}|${key.port}`;
}

/** A real server within its virtual server: "inet|tcp|10.96.0.1|443>10.244.1.5|8443". */
export function realServerKeyText(service: ServiceKey, realServer: Pick<RealServer, 'address' | 'port'>): string {
  return `${virtualServerKeyText(service)}>${realServer.address}|${realServer.port}`;
}
