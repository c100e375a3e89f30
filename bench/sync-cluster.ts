// The cluster of the sync rows: NSVC ClusterIP Services x NDEST endpoints, as the API server
// would hand them to the daemon (Services and EndpointSlices), whose IPVS table is exactly
// ipvs-table.ts's (the C floor's and the restore rows' table): service s on 10.x.y.z:80
// (rr), endpoints 11.<d>.<s>:8080, masqueraded, weight 1. Also the rest of what kube-proxy
// programs for them, in the files its peer tools read: `ipset restore`, `iptables-restore`
// and `ip -batch` input, from the same desired state the sync engine computes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterObjects } from '../src/proxy/index.js';
import { formatIpSetSave } from '../src/contracts/ipset-text.js';
import { formatIptablesSave } from '../src/contracts/iptables-text.js';
import { computeDesiredState, type DesiredState } from '../src/proxy/index.js';
import { endpoint, endpointSlice, hostFacts, modelConfig, port, service, type Json } from '../test/fixtures/proxy/objects.js';
import { realServerAddress, serviceAddress, tableLabel, type TableSize } from './ipvs-table.js';

export const SYNC_MODEL = modelConfig({ scheduler: 'rr' });
export const SYNC_HOST = hostFacts();
/** The address that replaces service 1's last endpoint in the endpoint-change row. */
export const MOVED_ENDPOINT = '12.0.0.1';

/** Names in the table's order, so the model's order (by name) is the table's. */
const serviceName = (s: number): string => `svc-${String(s).padStart(5, '0')}`;

function slice(s: number, addresses: readonly string[]): Json {
  return endpointSlice(serviceName(s), [port('http', 8080)], addresses.map((a) => endpoint(a, { ready: true })));
}

export function clusterObjects(size: TableSize): ClusterObjects {
  const services: Json[] = [];
  const endpointSlices: Json[] = [];
  for (let s = 1; s <= size.services; s++) {
    services.push(service(serviceName(s), { type: 'ClusterIP', clusterIP: serviceAddress(s), ports: [{ ...port('http', 80), targetPort: 8080 }] }));
    endpointSlices.push(slice(s, Array.from({ length: size.destinations }, (_, d) => realServerAddress(s, d + 1))));
  }
  return { services, endpointSlices };
}

/** `objects` with one EndpointSlice changed: service 1's last endpoint replaced by MOVED_ENDPOINT. */
export function withOneEndpointMoved(objects: ClusterObjects, size: TableSize): ClusterObjects {
  const addresses = Array.from({ length: size.destinations }, (_, d) => (d + 1 === size.destinations ? MOVED_ENDPOINT : realServerAddress(1, d + 1)));
  return { ...objects, endpointSlices: [slice(1, addresses), ...objects.endpointSlices.slice(1)] };
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
  const addresses = state.families.flatMap((f) => f.linkAddresses.map((ip) => `address add ${ip}/32 dev ${state.linkName}\n`));
  writeFileSync(files.addresses, `link add ${state.linkName} type dummy\n${addresses.join('')}`);
  return files;
}
