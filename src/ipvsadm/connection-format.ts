// The connection table as `ipvsadm -Lnc` prints it (ipvsadm 1.31 list_conn and
// print_conn): a title, the column names, then one line per connection with
// the seconds left as minutes:seconds and the endpoints as address:port
// ([address]:port for IPv6), in the kernel's order. And as JSON.
import type { ConnectionEndpoint, IpvsConnection } from '../ipvs/connection-table.js';
import { hostPort } from './rule-text.js';

function endpointText(endpoint: ConnectionEndpoint): string {
  return hostPort(endpoint.family, endpoint.address, endpoint.port);
}

/** "%02d:%02d" of minutes and seconds; the minutes grow past two digits as they must. */
function expireText(seconds: number): string {
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

export function formatConnections(connections: readonly IpvsConnection[]): string {
  const lines = [
    'IPVS connection entries\n',
    `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`,
  ];
  for (const c of connections) {
    lines.push(
      `${c.protocol.padEnd(3)} ${expireText(c.expiresSeconds).padEnd(6)} ${c.state.padEnd(11)} ${endpointText(c.client).padEnd(18)} ${endpointText(c.virtual).padEnd(18)} ${endpointText(c.destination)}\n`,
    );
  }
  return lines.join('');
}

export function formatConnectionsJson(connections: readonly IpvsConnection[]): string {
  return `${JSON.stringify({ connections }, null, 2)}\n`;
}
