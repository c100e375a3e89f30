// fast-check generators of IPVS tables and operations that the ipvsadm rules
// format can express: what a kernel table built by ipvsadm (or by kipvs) holds.
// Out of reach of the format, and so not generated: thresholds in a saved table,
// a persistence granularity on a non-persistent service, flag-3 on sh/mh, and
// the local and bypass forwarding methods.
import type { AddressFamily } from '../../../src/net/ip-address.js';
import fc from 'fast-check';
import { formatIPv6, parseIPv6 } from '../../../src/net/ip-address.js';
import {
  SCHEDULERS,
  isFwmarkKey,
  type IpvsOperation,
  type LiveRealServer,
  type LiveService,
  type RealServer,
  type ServiceKey,
  type TunnelOptions,
  type VirtualServer,
} from '../../../src/ipvs/types.js';
import { NO_TRAFFIC } from './table.js';

const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;

const family = fc.constantFrom<AddressFamily>('inet', 'inet6');
export const address = (of: AddressFamily) =>
  of === 'inet' ? fc.ipV4() : fc.ipV6().map((text) => formatIPv6(parseIPv6(text)));
const port = fc.integer({ min: 0, max: 65535 });

export const serviceKey: fc.Arbitrary<ServiceKey> = family.chain((f) =>
  fc.oneof(
    fc.record({
      family: fc.constant(f),
      protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
      address: address(f),
      port,
    }),
    fc.record({ family: fc.constant(f), fwmark: fc.integer({ min: 1, max: 0xffffffff }) }),
  ),
);

export const keyText = (key: ServiceKey) => JSON.stringify(key);

export function virtualServer(key: ServiceKey): fc.Arbitrary<VirtualServer> {
  const addressPort0 = !isFwmarkKey(key) && key.port === 0;
  return fc
    .record({
      scheduler: fc.constantFrom(...SCHEDULERS),
      persistent: addressPort0 ? fc.constant(true) : fc.boolean(),
      onePacket: isFwmarkKey(key) || key.protocol === 'udp' ? fc.boolean() : fc.constant(false),
      sched: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
      timeout: fc.integer({ min: 1, max: MAX_TIMEOUT }),
      netmask: key.family === 'inet' ? fc.integer({ min: 0, max: 0xffffffff }) : fc.integer({ min: 1, max: 128 }),
      sip: fc.boolean(),
    })
    .map(({ scheduler, persistent, onePacket, sched, timeout, netmask, sip }) => ({
      key,
      scheduler,
      flags: {
        persistent,
        hashed: false,
        onePacket,
        sched1: sched[0],
        sched2: sched[1],
        sched3: sched[2] && scheduler !== 'sh' && scheduler !== 'mh',
      },
      timeout: persistent ? timeout : 0,
      netmask: persistent ? netmask : key.family === 'inet' ? 0xffffffff : 128,
      ...(sip ? { persistenceEngine: 'sip' } : {}),
    }));
}

const tunnel: fc.Arbitrary<TunnelOptions> = fc.oneof(
  fc.constant({ type: 'ipip' as const, port: 0, flags: 0 }),
  fc.record({
    type: fc.constant('gue' as const),
    port: fc.integer({ min: 1, max: 65535 }),
    flags: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ type: fc.constant('gre' as const), port: fc.constant(0), flags: fc.integer({ min: 0, max: 1 }) }),
);

/** A real server of `service` as -a/-e send it: direct routing and tunnels use the service's port. */
export function realServer(service: ServiceKey, thresholds: boolean): fc.Arbitrary<RealServer> {
  return fc.constantFrom('masquerade' as const, 'route' as const, 'tunnel' as const).chain((forwarding) => {
    const tunnelling = forwarding === 'tunnel';
    const ownFamily = tunnelling ? family : fc.constant(service.family);
    const fixedPort = !isFwmarkKey(service) && forwarding !== 'masquerade' ? fc.constant(service.port) : port;
    const threshold = thresholds ? fc.integer({ min: 0, max: INT_MAX }) : fc.constant(0);
    return ownFamily.chain((f) =>
      fc.record({
        family: fc.constant(f),
        address: address(f),
        port: fixedPort,
        forwarding: fc.constant(forwarding),
        weight: fc.integer({ min: 0, max: INT_MAX }),
        upperThreshold: threshold,
        lowerThreshold: threshold,
        ...(tunnelling ? { tunnel } : {}),
      }),
    );
  });
}

function live(service: VirtualServer, realServers: readonly RealServer[], hashed: boolean): LiveService {
  const liveServers: LiveRealServer[] = realServers.map((rs) => ({
    ...rs,
    activeConnections: 0,
    inactiveConnections: 0,
    persistentConnections: 0,
    stats: NO_TRAFFIC,
  }));
  // The kernel reports IP_VS_SVC_F_HASHED on every service it lists; nobody sets it.
  return { service: { ...service, flags: { ...service.flags, hashed }, stats: NO_TRAFFIC }, realServers: liveServers };
}

/** A table as a dump returns it: unique services, each with unique real servers. */
export const table: fc.Arbitrary<LiveService[]> = fc
  .uniqueArray(serviceKey, { selector: keyText, maxLength: 6 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((key) =>
        fc.tuple(
          virtualServer(key),
          fc.uniqueArray(realServer(key, false), {
            selector: (rs) => `${rs.family} ${rs.address} ${rs.port}`,
            maxLength: 4,
          }),
          fc.boolean(),
        ),
      ),
    ),
  )
  .map((entries) => entries.map(([service, realServers, hashed]) => live(service, realServers, hashed)));

/** Any operation the rules format can express. */
export const operation: fc.Arbitrary<IpvsOperation> = fc.oneof(
  serviceKey.chain(virtualServer).map((service) => ({ op: 'add-service' as const, service })),
  serviceKey.chain(virtualServer).map((service) => ({ op: 'edit-service' as const, service })),
  serviceKey.map((key) => ({ op: 'delete-service' as const, key })),
  serviceKey.chain((service) =>
    realServer(service, true).map((realServer) => ({ op: 'add-real-server' as const, service, realServer })),
  ),
  serviceKey.chain((service) =>
    realServer(service, true).map((realServer) => ({ op: 'edit-real-server' as const, service, realServer })),
  ),
  serviceKey.chain((service) =>
    family.chain((f) =>
      fc
        .record({ family: fc.constant(f), address: address(f), port })
        .map((realServer) => ({ op: 'delete-real-server' as const, service, realServer })),
    ),
  ),
  fc.constant({ op: 'flush' as const }),
  fc.constant({ op: 'zero' as const }),
  serviceKey.map((service) => ({ op: 'zero' as const, service })),
  fc
    .tuple(
      fc.integer({ min: 0, max: MAX_TIMEOUT }),
      fc.integer({ min: 0, max: MAX_TIMEOUT }),
      fc.integer({ min: 0, max: MAX_TIMEOUT }),
    )
    .map(([tcp, tcpFin, udp]) => ({ op: 'set-timeouts' as const, timeouts: { tcp, tcpFin, udp } })),
);
