// `kipvs dump -o json`: the live table as the domain model describes it
// (src/ipvs/types.ts), one object per service with its real servers, in the same
// order as the text formats. The kernel's 64-bit counters are JSON numbers while
// they are exact in a double (up to 2^53 - 1) and decimal strings above that, so a
// consumer never silently reads a rounded counter. The document is compact, one
// line (pretty-printed, 10,000 services x 10 would be 70 MB): pipe it to `jq`.
import type { CountedService, LiveVirtualServer, Stats } from '../ipvs/types.js';
import { inIpvsadmOrder } from './ipvsadm-order.js';

export type JsonCounter = number | string;
export type JsonStats = { readonly [K in keyof Stats]: JsonCounter };

const EXACT_IN_A_DOUBLE = BigInt(Number.MAX_SAFE_INTEGER);

export function jsonCounter(value: bigint): JsonCounter {
  return value <= EXACT_IN_A_DOUBLE ? Number(value) : value.toString();
}

function jsonStats(stats: Stats): JsonStats {
  return {
    connections: jsonCounter(stats.connections),
    inPackets: jsonCounter(stats.inPackets),
    outPackets: jsonCounter(stats.outPackets),
    inBytes: jsonCounter(stats.inBytes),
    outBytes: jsonCounter(stats.outBytes),
    cps: jsonCounter(stats.cps),
    inPps: jsonCounter(stats.inPps),
    outPps: jsonCounter(stats.outPps),
    inBps: jsonCounter(stats.inBps),
    outBps: jsonCounter(stats.outBps),
  };
}

/**
 * Services must be in the kernel's dump order (see ipvsadm-order.ts). `label` (`kipvs dump
 * --services`) adds each service's "kubernetes" member: the Service port it implements.
 */
export function formatJson(
  services: readonly CountedService[],
  label?: (service: LiveVirtualServer) => object | undefined,
): string {
  const table = {
    services: inIpvsadmOrder(services).map(({ service, realServers }) => ({
      ...service,
      ...(label && { kubernetes: label(service) ?? null }),
      stats: jsonStats(service.stats),
      realServers: realServers.map((rs) => ({ ...rs, stats: jsonStats(rs.stats) })),
    })),
  };
  return `${JSON.stringify(table)}\n`;
}
