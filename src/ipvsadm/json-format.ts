// `kipvs dump -o json`: the live table as the domain model describes it
// (src/ipvs/types.ts), one object per service with its real servers, in the same
// order as the text formats. The kernel's 64-bit counters are JSON numbers while
// they are exact in a double (up to 2^53 - 1) and decimal strings above that, so a
// consumer never silently reads a rounded counter.
import type { LiveService, Stats } from '../ipvs/types.js';
import { inIpvsadmOrder } from './ipvsadm-order.js';

export type JsonCounter = number | string;
export type JsonStats = { readonly [K in keyof Stats]: JsonCounter };

export function jsonCounter(value: bigint): JsonCounter {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function jsonStats(stats: Stats): JsonStats {
  const entries = Object.entries(stats).map(([name, value]: [string, bigint]) => [name, jsonCounter(value)]);
  return Object.fromEntries(entries) as JsonStats;
}

/** Services must be in the kernel's dump order (see ipvsadm-order.ts). */
export function formatJson(services: readonly LiveService[]): string {
  const table = {
    services: inIpvsadmOrder(services).map(({ service, realServers }) => ({
      ...service,
      stats: jsonStats(service.stats),
      realServers: realServers.map((rs) => ({ ...rs, stats: jsonStats(rs.stats) })),
    })),
  };
  return `${JSON.stringify(table, null, 2)}\n`;
}
