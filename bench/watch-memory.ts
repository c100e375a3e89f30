// What the cluster watch's objects cost in memory, on the host: NSVC Services x NDEST
// endpoints as a real API server serves them (served-objects.ts: uids, labels, last-applied
// annotations, managedFields, owner and target references, zones, conditions), received as
// the watch receives them, in one of three ways:
//   whole    one list response of every object, parsed and kept whole (kipvs before paging)
//   paged    500 a page, each page parsed and its objects kept whole
//   reduced  500 a page, each object reduced on arrival to what kipvs reads (the daemon's transform)
// Each way runs in a process of its own (peak RSS is per process):
//   node --expose-gc build/bench/watch-memory.js whole|paged|reduced 10000x10
// prints one JSON line: the kept heap after a full GC, RSS then, and the process's peak RSS.
import { WATCHED_FIELDS } from '../src/daemon/cluster-watch-source.js';
import { projectFields, type WatchedObjectKind } from '../src/proxy/read-fields.js';
import { servedEndpointSlice, servedService } from '../test/fixtures/proxy/served-objects.js';
import { endpoint, endpointSlice, port, service } from '../test/fixtures/proxy/objects.js';
import { parseTableSize, realServerAddress, serviceAddress, tableLabel } from './ipvs-table.js';

type Way = 'whole' | 'paged' | 'reduced';
const PAGE = 500;
const MB = 1024 * 1024;

function served(kind: WatchedObjectKind, s: number, destinations: number): unknown {
  const name = `svc-${String(s).padStart(5, '0')}`;
  const namespace = `ns-${s % 100}`;
  if (kind === 'Service')
    return servedService(
      service(name, { type: 'ClusterIP', clusterIP: serviceAddress(s), ports: [port('http', 80)] }, { namespace }),
      s,
    );
  const addresses = Array.from({ length: destinations }, (_, d) => realServerAddress(s, d + 1));
  return servedEndpointSlice(
    endpointSlice(
      name,
      [port('http', 8080)],
      addresses.map((a) => endpoint(a, { ready: true })),
      { name: `${name}-x7k2p`, namespace },
    ),
    s,
  );
}

/** The list body a server sends for services [from, to), as text. */
function listText(kind: WatchedObjectKind, from: number, to: number, destinations: number): string {
  const items: unknown[] = [];
  for (let s = from; s < to; s++) items.push(served(kind, s, destinations));
  return JSON.stringify({ kind: `${kind}List`, apiVersion: 'v1', metadata: { resourceVersion: '99' }, items });
}

function receive(
  way: Way,
  kind: WatchedObjectKind,
  services: number,
  destinations: number,
  kept: Map<string, unknown>,
): void {
  const keep = (item: unknown): void => {
    const object = way === 'reduced' ? projectFields(WATCHED_FIELDS[kind], item) : item;
    const metadata = (object as { metadata: { namespace: string; name: string } }).metadata;
    kept.set(`${metadata.namespace}/${metadata.name}`, object);
  };
  const page = way === 'whole' ? services : PAGE;
  for (let from = 1; from <= services; from += page) {
    const body = JSON.parse(listText(kind, from, Math.min(from + page, services + 1), destinations)) as {
      items: unknown[];
    };
    for (const item of body.items) keep(item);
  }
}

function main(): void {
  const [way, sizeText = '10000x10'] = process.argv.slice(2);
  if (way !== 'whole' && way !== 'paged' && way !== 'reduced')
    throw new Error('usage: watch-memory.js whole|paged|reduced NSVCxNDEST');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const size = parseTableSize(sizeText);
  gc();
  const base = process.memoryUsage();
  const services = new Map<string, unknown>();
  const slices = new Map<string, unknown>();
  receive(way, 'Service', size.services, size.destinations, services);
  receive(way, 'EndpointSlice', size.services, size.destinations, slices);
  gc();
  const after = process.memoryUsage();
  const sample = JSON.stringify([...services.values()][0]).length + JSON.stringify([...slices.values()][0]).length;
  console.log(
    JSON.stringify({
      way,
      size: tableLabel(size),
      objects: services.size + slices.size,
      keptHeapMB: Math.round((after.heapUsed - base.heapUsed) / MB),
      baseRssMB: Math.round(base.rss / MB),
      rssMB: Math.round(after.rss / MB),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      jsonBytesPerServiceAndSlice: sample,
    }),
  );
}

main();
