// The cluster of the sync rows: NSVC ClusterIP Services x NDEST endpoints, as the API server
// would hand them to the daemon (Services and EndpointSlices), whose IPVS table is exactly
// ipvs-table.ts's (the C floor's and the restore rows' table): service s on 10.x.y.z:80
// (rr), endpoints 11.<d>.<s>:8080, masqueraded, weight 1. Also the rest of what kube-proxy
// programs for them, in the files its peer tools read: `ipset restore`, `iptables-restore`
// and `ip -batch` input, from the same desired state the sync engine computes. The objects look
// like a real API server's (test/fixtures/proxy/realistic-objects.ts), 100 Services a namespace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LiveState } from '../src/contracts/live-state.js';
import type { ClusterObjects } from '../src/proxy/index.js';
import { formatIpSetSave } from '../src/contracts/ipset-text.js';
import { formatIptablesSave } from '../src/contracts/iptables-text.js';
import { computeDesiredState, type DesiredState } from '../src/proxy/index.js';
import { hostFacts, modelConfig, type Json } from '../test/fixtures/proxy/objects.js';
import {
  realisticEndpointSlice,
  realisticService,
  type RealisticService,
} from '../test/fixtures/proxy/realistic-objects.js';
import { realServerAddress, serviceAddress, tableLabel, type TableSize } from './ipvs-table.js';

export const SYNC_MODEL = modelConfig({ scheduler: 'rr' });
export const SYNC_HOST = hostFacts();

/** A node before kipvs, as its live state: kube-ipvs0 and the built-in chains, nothing else. */
const builtin = (...chains: string[]) => ({ chains: new Map(chains.map((chain): [string, string[]] => [chain, []])) });
export const EMPTY_NODE: LiveState = {
  link: { index: 1, up: true },
  families: [
    {
      family: 'inet',
      virtualServers: [],
      linkAddresses: [],
      ipsets: [],
      iptables: {
        nat: builtin('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'),
        filter: builtin('INPUT', 'FORWARD', 'OUTPUT'),
      },
    },
  ],
  ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
};
/** The address that replaces service 1's last endpoint in the endpoint-change row. */
export const MOVED_ENDPOINT = '12.0.0.1';

/** Service `s` (1-based), named in the table's order, so the model's order (by namespace and name) is the table's. */
function clusterService(s: number): RealisticService {
  return {
    name: `svc-${String(s).padStart(5, '0')}`,
    namespace: `team-${String(Math.ceil(s / 100)).padStart(3, '0')}`,
    n: s,
    clusterIP: serviceAddress(s),
    port: 80,
    targetPort: 8080,
  };
}

/** Service `s`'s EndpointSlice with `addresses` (by default its table's real servers). */
export function clusterSlice(
  s: number,
  size: TableSize,
  addresses = Array.from({ length: size.destinations }, (_, d) => realServerAddress(s, d + 1)),
): Json {
  return realisticEndpointSlice(clusterService(s), addresses);
}

export function clusterObjects(size: TableSize): ClusterObjects {
  const services: Json[] = [];
  const endpointSlices: Json[] = [];
  for (let s = 1; s <= size.services; s++) {
    services.push(realisticService(clusterService(s)));
    endpointSlices.push(clusterSlice(s, size));
  }
  return { services, endpointSlices };
}

/** Service 1's EndpointSlice with its last endpoint replaced by MOVED_ENDPOINT. */
export function movedSlice(size: TableSize): Json {
  return clusterSlice(
    1,
    size,
    Array.from({ length: size.destinations }, (_, d) =>
      d + 1 === size.destinations ? MOVED_ENDPOINT : realServerAddress(1, d + 1),
    ),
  );
}

/** `objects` with one EndpointSlice changed: service 1's last endpoint replaced by MOVED_ENDPOINT. */
export function withOneEndpointMoved(objects: ClusterObjects, size: TableSize): ClusterObjects {
  return { ...objects, endpointSlices: [movedSlice(size), ...objects.endpointSlices.slice(1)] };
}

export function syncDesiredState(size: TableSize): DesiredState {
  return computeDesiredState({ ...clusterObjects(size), host: SYNC_HOST, config: SYNC_MODEL });
}

/** The peer tools' input for everything but IPVS (ipvs-table.ts has that), written once into dir. */
export interface SyncStateFiles {
  /** `ipset restore` input. */
  readonly ipsets: string;
  /** `iptables-restore` input (IPv4: the model is single-stack here). */
  readonly iptables: string;
  /** `ip -batch` input: kube-ipvs0 and its addresses. */
  readonly addresses: string;
}

export function syncStateFiles(dir: string, size: TableSize): SyncStateFiles {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `sync-${tableLabel(size)}`);
  const files = { ipsets: `${base}.ipset`, iptables: `${base}.iptables`, addresses: `${base}.ip-batch` };
  if (Object.values(files).every((file) => existsSync(file))) return files;
  const state = syncDesiredState(size);
  writeFileSync(files.ipsets, formatIpSetSave(state.families.flatMap((f) => f.ipsets)));
  writeFileSync(files.iptables, state.families.map((f) => formatIptablesSave(f.iptables, f.family)).join(''));
  const addresses = state.families.flatMap((f) =>
    f.linkAddresses.map((ip) => `address add ${ip}/32 dev ${state.linkName}\n`),
  );
  writeFileSync(files.addresses, `link add ${state.linkName} type dummy\n${addresses.join('')}`);
  return files;
}
