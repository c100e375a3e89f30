// Building IPVS tables for tests: a service or real server as the kernel
// reports it (src/ipvs/types.ts), with only the fields a test cares about given.
import type {
  Counted,
  CountedService,
  ReadRealServer,
  LiveVirtualServer,
  RealServer,
  ServiceFlags,
  Stats,
  VirtualServer,
} from '../../../src/ipvs/types.js';

export const NO_TRAFFIC: Stats = {
  connections: 0n,
  inPackets: 0n,
  outPackets: 0n,
  inBytes: 0n,
  outBytes: 0n,
  cps: 0n,
  inPps: 0n,
  outPps: 0n,
  inBps: 0n,
  outBps: 0n,
};

export const NO_FLAGS: ServiceFlags = {
  persistent: false,
  hashed: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};

type ServiceFields = Pick<VirtualServer, 'key'> &
  Partial<Omit<VirtualServer, 'flags'>> & { readonly flags?: Partial<ServiceFlags> } & Partial<Counted>;

export function virtualServer(fields: ServiceFields): LiveVirtualServer & Counted {
  return {
    scheduler: 'rr',
    timeout: 0,
    netmask: fields.key.family === 'inet6' ? 128 : 0xffffffff,
    stats: NO_TRAFFIC,
    ...fields,
    flags: { ...NO_FLAGS, ...fields.flags },
  };
}

export function realServer(
  fields: Pick<RealServer, 'address'> & Partial<ReadRealServer & Counted>,
): ReadRealServer & Counted {
  return {
    family: fields.address.includes(':') ? 'inet6' : 'inet',
    port: 80,
    forwarding: 'masquerade',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConnections: 0,
    inactiveConnections: 0,
    persistentConnections: 0,
    stats: NO_TRAFFIC,
    ...fields,
  };
}

export function live(service: ServiceFields, ...realServers: (ReadRealServer & Counted)[]): CountedService {
  return { service: virtualServer(service), realServers };
}

export const tcp = (address: string, port: number) => ({
  family: address.includes(':') ? ('inet6' as const) : ('inet' as const),
  protocol: 'tcp' as const,
  address,
  port,
});
export const udp = (address: string, port: number) => ({ ...tcp(address, port), protocol: 'udp' as const });
export const sctp = (address: string, port: number) => ({ ...tcp(address, port), protocol: 'sctp' as const });
export const fwmark = (mark: number, family: 'inet' | 'inet6' = 'inet') => ({ family, fwmark: mark });
