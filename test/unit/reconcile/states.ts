// Desired and live states for the diff's tests: small hand-written pieces, and
// the live state a kernel holds once it is exactly in the desired state
// (services hashed, no connections, sets in another order, rules as
// iptables-save prints them, including the built-in chains' jumps).
import { addressFamilyOf } from '../../../src/net/ip-family.js';
import type { LiveFamilyState, LiveState } from '../../../src/contracts/live-state.js';
import { formatIptablesSave } from '../../../src/contracts/iptables-text.js';
import type { LiveIpset } from '../../../src/ipset/types.js';
import type {
  Counted,
  IpvsTimeouts,
  LiveRealServer,
  LiveService,
  RealServer,
  VirtualServer,
} from '../../../src/ipvs/types.js';
import type {
  DesiredState,
  DesiredVirtualServer,
  FamilyState,
  DesiredIpset,
  ServicePortRef,
} from '../../../src/contracts/desired-state.js';
import { diffState, type DiffResult } from '../../../src/reconcile/diff.js';
import type { TerminatingRealServers } from '../../../src/reconcile/graceful-termination.js';
import { applyRestore, ZERO_STATS } from './kernel-model.js';

export const KERNEL_TIMEOUTS: IpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
export const GRACE_MS = 15 * 60_000;
export const NOW = 1_700_000_000_000;

export function ref(name: string, protocol: ServicePortRef['protocol'] = 'tcp'): ServicePortRef {
  return { namespace: 'default', name, port: 'p', protocol };
}

export function virtualServer(
  address: string,
  port: number,
  protocol: ServicePortRef['protocol'] = 'tcp',
): VirtualServer {
  const v6 = address.includes(':');
  return {
    key: { family: v6 ? 'inet6' : 'inet', protocol, address, port },
    scheduler: 'rr',
    flags: { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false },
    timeout: 0,
    netmask: v6 ? 128 : 0xffffffff,
  };
}

export function realServer(address: string, port: number, weight = 1): RealServer {
  return {
    family: address.includes(':') ? 'inet6' : 'inet',
    address,
    port,
    forwarding: 'masquerade',
    weight,
    upperThreshold: 0,
    lowerThreshold: 0,
  };
}

/** A desired virtual server of Service `name` with real servers "address:port". */
export function desiredServer(
  name: string,
  address: string,
  port: number,
  protocol: ServicePortRef['protocol'],
  endpoints: readonly string[],
): DesiredVirtualServer {
  return {
    virtualServer: virtualServer(address, port, protocol),
    realServers: endpoints.map((e) => {
      const at = e.lastIndexOf(':');
      return realServer(e.slice(0, at), Number(e.slice(at + 1)));
    }),
    service: ref(name, protocol),
    role: 'cluster-ip',
  };
}

export function hashSet(name: string, type: DesiredIpset['type'], entries: DesiredIpset['entries'] = []): DesiredIpset {
  return {
    name,
    type,
    family: 'inet',
    comment: name,
    options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
    entries,
  };
}

export function bitmapSet(name: string, entries: DesiredIpset['entries'] = []): DesiredIpset {
  return {
    name,
    type: 'bitmap:port',
    family: 'inet',
    comment: name,
    options: { kind: 'bitmap', portFrom: 0, portTo: 65535 },
    entries,
  };
}

const NO_TABLE = { chains: [], rules: [] };

/** An IPv4 family state with nothing but what `parts` gives. */
export function family(parts: Partial<FamilyState> = {}): FamilyState {
  return {
    family: 'IPv4',
    virtualServers: [],
    linkAddresses: [],
    nodePortAddresses: [],
    ipsets: [],
    iptables: { jumps: [], nat: NO_TABLE, filter: NO_TABLE },
    excludeCIDRs: [],
    noLocalEndpoints: { internal: 0, external: 0 },
    ...parts,
  };
}

export function desiredOf(...families: FamilyState[]): DesiredState {
  return { linkName: 'kube-ipvs0', families, sysctls: [], problems: [] };
}

export function liveServer(
  desired: DesiredVirtualServer | VirtualServer,
  realServers: readonly LiveRealServer[] = [],
): LiveService {
  const vs = 'virtualServer' in desired ? desired.virtualServer : desired;
  return { service: { ...vs, flags: { ...vs.flags, hashed: true }, stats: ZERO_STATS }, realServers };
}

export function liveReal(rs: RealServer, activeConnections = 0, inactiveConnections = 0): LiveRealServer & Counted {
  return { ...rs, activeConnections, inactiveConnections, persistentConnections: 0, stats: ZERO_STATS };
}

function liveSet(set: DesiredIpset, references: number): LiveIpset {
  const { name, type, options } = set;
  return {
    header: {
      name,
      type,
      revision: 0,
      ...(type === 'bitmap:port' ? {} : { family: set.family }),
      options,
      comments: false,
      references,
      memorySize: 0,
      entryCount: set.entries.length,
    },
    // A hash set lists its members in hash order, not the model's.
    entries: [...set.entries].reverse(),
  };
}

export function liveFamilyOf(f: FamilyState): LiveFamilyState {
  const tables = { nat: new Map<string, string[]>(), filter: new Map<string, string[]>() };
  applyRestore(tables, formatIptablesSave(f.iptables, f.family));
  const rules = [...tables.nat.values(), ...tables.filter.values()].flat();
  return {
    family: addressFamilyOf(f.family),
    virtualServers: f.virtualServers.map((d) =>
      liveServer(
        d,
        d.realServers.map((r) => liveReal(r)),
      ),
    ),
    linkAddresses: f.linkAddresses.map((address) => ({ address, prefixLength: f.family === 'IPv4' ? 32 : 128 })),
    ipsets: f.ipsets.map((s) => liveSet(s, rules.filter((line) => line.includes(`--match-set ${s.name} `)).length)),
    iptables: { nat: { chains: tables.nat }, filter: { chains: tables.filter } },
  };
}

/** The kernel in exactly the desired state. */
export function liveOf(desired: DesiredState): LiveState {
  return {
    link: { index: 7, up: false },
    families: desired.families.map(liveFamilyOf),
    ipvsTimeouts: desired.ipvsTimeouts ?? KERNEL_TIMEOUTS,
  };
}

export function diffAt(
  desired: DesiredState,
  live: LiveState,
  terminating: TerminatingRealServers = new Map(),
  now = NOW,
): DiffResult {
  return diffState({ desired, live, terminating, now, gracePeriodMs: GRACE_MS });
}
