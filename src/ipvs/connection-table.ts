// IPVS's connection table, which the kernel exposes only as text in
// /proc/net/ip_vs_conn (one namespace's table; no netlink command lists it).
// The kernel prints a line per connection or persistence template
// (ip_vs_conn_seq_show): the protocol's name, the client, virtual and
// destination addresses (IPv4 as 8 hex digits of the host-order address, IPv6
// as %pI6's eight full groups) and ports (4 hex digits), the state, the seconds
// left, and a persistence engine's name and data when it has them.
import { readFileSync } from 'node:fs';
import { formatIPv4, formatIPv6, parseIPv6 } from '../net/ip-address.js';
import type { AddressFamily } from '../net/ip-address.js';

export const CONNECTION_TABLE_FILE = '/proc/net/ip_vs_conn';

export interface ConnectionEndpoint {
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
}

export interface IpvsConnection {
  /** As the kernel names it: TCP, UDP, SCTP, ICMP, ICMPv6, or IP for a persistence template. */
  readonly protocol: string;
  readonly client: ConnectionEndpoint;
  readonly virtual: ConnectionEndpoint;
  readonly destination: ConnectionEndpoint;
  /** ESTABLISHED, TIME_WAIT, ...; NONE for a template. */
  readonly state: string;
  readonly expiresSeconds: number;
  /** A persistence engine's name and data (SIP's Call-ID), when the connection has them. */
  readonly persistenceEngine?: { readonly name: string; readonly data: string };
}

/** A line the kernel would not print. */
export class ConnectionTableError extends Error {
  constructor(line: number, text: string) {
    super(`${CONNECTION_TABLE_FILE} line ${line}: unexpected "${text}"`);
    this.name = 'ConnectionTableError';
  }
}

function endpoint(address: string, portHex: string): ConnectionEndpoint | undefined {
  const port = /^[0-9A-Fa-f]{1,4}$/.test(portHex) ? Number.parseInt(portHex, 16) : NaN;
  if (Number.isNaN(port)) return undefined;
  if (/^[0-9A-Fa-f]{8}$/.test(address)) {
    const value = Number.parseInt(address, 16);
    const bytes = Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
    return { family: 'inet', address: formatIPv4(bytes), port };
  }
  try {
    return { family: 'inet6', address: formatIPv6(parseIPv6(address)), port };
  } catch {
    return undefined;
  }
}

/** The connections of the table's text (its first line is the column names). */
export function parseConnectionTable(text: string): IpvsConnection[] {
  const lines = text.split('\n');
  const connections: IpvsConnection[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const [
      protocol = '',
      c = '',
      cport = '',
      v = '',
      vport = '',
      d = '',
      dport = '',
      state = '',
      expires = '',
      peName,
      peData,
    ] = line.trim().split(/\s+/);
    const client = endpoint(c, cport);
    const virtual = endpoint(v, vport);
    const destination = endpoint(d, dport);
    if (!client || !virtual || !destination || state === '' || !/^[0-9]+$/.test(expires))
      throw new ConnectionTableError(i + 1, line);
    connections.push({
      protocol,
      client,
      virtual,
      destination,
      state,
      expiresSeconds: Number(expires),
      ...(peName !== undefined && { persistenceEngine: { name: peName, data: peData ?? '' } }),
    });
  }
  return connections;
}

/** This namespace's connection table; throws the system error when the file cannot be read (no ip_vs module). */
export function readConnectionTable(file = CONNECTION_TABLE_FILE): IpvsConnection[] {
  return parseConnectionTable(readFileSync(file, 'utf8'));
}
