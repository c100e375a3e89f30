// An "address[:port]" argument (-t, -u, --sctp-service, -r) read the way
// ipvsadm's parse_service reads it, quirks included, because a restore file
// must mean to kipvs what it means to ipvsadm:
// - text that is all digits is refused;
// - "[v6]:port" needs the ":port"; text that parses as IPv6 as a whole (no
//   brackets) has no port, so "2001:db8::1:80" is an address without a port;
// - otherwise the text after the last ":" is the port and the rest is IPv4 in
//   inet_aton's lenient syntax; "[1.2.3.4]:80" ends up with no port at all;
// - a port is a decimal number 0-65535 as strtol reads it ("+80", "080").
// ipvsadm also resolves host and service names; kipvs does not (no I/O here).
import type { AddressFamily } from '../net/ip-address.js';
import { formatIPv6, parseIPv6 } from '../net/ip-address.js';

import { dottedQuad, inetAton, inetNtoa } from './inet-aton.js';

export interface Endpoint {
  readonly family: AddressFamily;
  readonly address: string;
  /** Undefined when the text names no port. */
  readonly port?: number;
}

export type EndpointResult =
  | { readonly ok: true; readonly endpoint: Endpoint }
  | { readonly ok: false; readonly reason: string };

/** strtol(s, &end, 10) consuming all of s, within [min, max]. */
export function cDecimal(text: string, min: number, max: number): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  // "+ 0" turns the -0 of "-0" into 0.
  const value = Number(text) + 0;
  return value >= min && value <= max ? value : undefined;
}

function ipv6(text: string): string | undefined {
  // Every IPv6 address has two colons or more; skipping the rest keeps the common IPv4 case
  // (and "a.b.c.d:port") clear of parseIPv6's exception.
  if (text.indexOf(':') === text.lastIndexOf(':')) return undefined;
  try {
    return formatIPv6(parseIPv6(text));
  } catch {
    return undefined;
  }
}

const NOT_AN_ENDPOINT = { ok: false, reason: 'expected address[:port]' } as const;

export function parseEndpoint(text: string): EndpointResult {
  if (/^[0-9]*$/.test(text)) return NOT_AN_ENDPOINT;
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1 || text[close + 1] !== ':') return NOT_AN_ENDPOINT;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  }
  const v6 = ipv6(host);
  let endpoint: Omit<Endpoint, 'port'>;
  if (v6 !== undefined) {
    endpoint = { family: 'inet6', address: v6 };
  } else {
    const colon = host.lastIndexOf(':');
    portText = colon === -1 ? undefined : host.slice(colon + 1);
    const v4Text = colon === -1 ? host : host.slice(0, colon);
    const v4 = inetAton(v4Text);
    if (v4 === undefined) {
      return {
        ok: false,
        reason: `"${v4Text}" is not a numeric IP address (host names are not resolved; save with ipvsadm -Sn)`,
      };
    }
    // Text already in inet_ntoa's form is kept as it is rather than printed again.
    endpoint = { family: 'inet', address: dottedQuad(v4Text) === undefined ? inetNtoa(v4) : v4Text };
  }
  if (portText === undefined) return { ok: true, endpoint };
  const port = cDecimal(portText, 0, 65535);
  if (port === undefined) {
    return {
      ok: false,
      reason: `"${portText}" is not a port number 0-65535 (service names are not resolved; save with ipvsadm -Sn)`,
    };
  }
  return { ok: true, endpoint: { ...endpoint, port } };
}
