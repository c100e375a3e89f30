// The live table in exactly the format of `ipvsadm -Ln` (ipvsadm 1.31), with the
// column sets of --stats, --rate, --thresholds, --persistent-conn and --tun-info,
// and --exact. Widths and trailing spaces are ipvsadm's printf formats
// (print_title and print_service_entry in ipvsadm.c).
import type { Counted, CountedService, IpvsInfo, LiveVirtualServer, ReadRealServer, Stats } from '../ipvs/types.js';
import { inIpvsadmOrder } from './ipvsadm-order.js';
import { formatLargeNumber } from './large-number.js';
import { forwardingName, hostPort, serviceLabel, serviceListDetails, tunnelInfo } from './rule-text.js';

export const LIST_COLUMNS = ['default', 'stats', 'rate', 'thresholds', 'persistent-conn', 'tun-info'] as const;
export type ListColumns = (typeof LIST_COLUMNS)[number];

export interface ListOptions {
  readonly columns: ListColumns;
  /** --exact: every digit of --stats and --rate counters instead of K/M/G/T. */
  readonly exact: boolean;
  /** `kipvs dump --services`: a name printed after a service's line as "  # NAME" (not ipvsadm's). */
  readonly label?: (service: LiveVirtualServer) => string | undefined;
  /** false: no "IP Virtual Server version" line, as ipvsadm lists one service (-L -t VIP:PORT). */
  readonly versionLine?: boolean;
}

interface ColumnSet {
  readonly title: string;
  service(service: LiveVirtualServer & Counted, exact: boolean): string;
  realServer(realServer: ReadRealServer & Counted, name: string, exact: boolean): string;
}

const SERVICE_HEADING = 'Prot LocalAddress:Port';

/** "%-33s %8s %8s ..." headings of the two counter views. */
function counterTitle(headings: readonly string[]): string {
  return `${SERVICE_HEADING.padEnd(33)}${headings.map((h) => ` ${h.padStart(8)}`).join('')}\n  -> RemoteAddress:Port\n`;
}

function leftColumns(values: readonly (string | number)[], widths: readonly number[]): string {
  return values.map((value, i) => ` ${String(value).padEnd(widths[i] ?? 0)}`).join('');
}

function totals(stats: Stats, exact: boolean): string {
  return [stats.connections, stats.inPackets, stats.outPackets, stats.inBytes, stats.outBytes]
    .map((value) => formatLargeNumber(value, exact))
    .join('');
}

function serviceLine(service: LiveVirtualServer): string {
  return `${serviceLabel(service.key)} ${serviceListDetails(service)}`;
}

const COLUMN_SETS: Record<ListColumns, ColumnSet> = {
  default: {
    title:
      'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n',
    service: serviceLine,
    realServer: (rs, name) =>
      `  -> ${name.padEnd(28)}${leftColumns([forwardingName(rs), rs.weight, rs.activeConnections, rs.inactiveConnections], [7, 6, 10, 10])}`,
  },
  stats: {
    title: counterTitle(['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes']),
    service: (service, exact) => `${serviceLabel(service.key).padEnd(33)}${totals(service.stats, exact)}`,
    realServer: (rs, name, exact) => `  -> ${name.padEnd(28)}${totals(rs.stats, exact)}`,
  },
  rate: {
    title: counterTitle(['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS']),
    service: (service, exact) => {
      const s = service.stats;
      return `${serviceLabel(service.key).padEnd(33)}${[s.cps, s.inPps, s.outPps, s.inBps, s.outBps].map((v) => formatLargeNumber(v, exact)).join('')}`;
    },
    // ipvsadm prints a real server's three per-second counts with plain %8llu (never K/M/G),
    // and only the two byte rates through print_largenum.
    realServer: (rs, name, exact) => {
      const s = rs.stats;
      const counts = [s.cps, s.inPps, s.outPps].map((v) => ` ${v.toString().padStart(8)}`).join('');
      return `  -> ${name.padEnd(28)}${counts}${formatLargeNumber(s.inBps, exact)}${formatLargeNumber(s.outBps, exact)}`;
    },
  },
  thresholds: {
    title: `${SERVICE_HEADING.padEnd(33)}${leftColumns(['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'], [10, 10, 10, 10])}\n  -> RemoteAddress:Port\n`,
    service: serviceLine,
    realServer: (rs, name) =>
      `  -> ${name.padEnd(28)}${leftColumns([rs.upperThreshold, rs.lowerThreshold, rs.activeConnections, rs.inactiveConnections], [10, 10, 10, 10])}`,
  },
  'persistent-conn': {
    title: `${SERVICE_HEADING.padEnd(33)}${leftColumns(['Weight', 'PersistConn', 'ActiveConn', 'InActConn'], [9, 11, 10, 10])}\n  -> RemoteAddress:Port\n`,
    service: serviceLine,
    realServer: (rs, name) =>
      `  -> ${name.padEnd(28)}${leftColumns([rs.weight, rs.persistentConnections, rs.activeConnections, rs.inactiveConnections], [9, 11, 10, 10])}`,
  },
  'tun-info': {
    title:
      'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n',
    service: serviceLine,
    realServer: (rs, name) =>
      `  -> ${name.padEnd(28)}${leftColumns([forwardingName(rs), tunnelInfo(rs) ?? 'n/a', rs.weight, rs.activeConnections, rs.inactiveConnections], [7, 13, 6, 10, 10])}`,
  },
};

/** NVERSION: IP_VS_VERSION_CODE 0x010201 is "1.2.1". */
function versionText(version: number): string {
  return `${(version >> 16) & 0xff}.${(version >> 8) & 0xff}.${version & 0xff}`;
}

/** Services must be in the kernel's dump order (see ipvsadm-order.ts). */
export function formatList(info: IpvsInfo, services: readonly CountedService[], options: ListOptions): string {
  const columns = COLUMN_SETS[options.columns];
  const version =
    options.versionLine === false
      ? ''
      : `IP Virtual Server version ${versionText(info.version)} (size=${info.connectionTableSize})\n`;
  const lines = [`${version}${columns.title}`];
  for (const { service, realServers } of inIpvsadmOrder(services)) {
    const label = options.label?.(service);
    lines.push(`${columns.service(service, options.exact)}${label === undefined ? '' : `  # ${label}`}\n`);
    for (const rs of realServers) {
      lines.push(`${columns.realServer(rs, hostPort(rs.family, rs.address, rs.port), options.exact)}\n`);
    }
  }
  return lines.join('');
}
