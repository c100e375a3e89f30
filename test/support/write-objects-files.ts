// Writes N Services and their EndpointSlices as one List, as `kubectl get -o json` (indented by 4)
// and `kubectl get -o yaml` (YAML 1.1, sequences not indented) write them: the inputs of the
// figures in docs/plan.md ("Large files"). Run after `make build`:
//
//   node build/test/support/write-objects-files.js small|realistic|applied N DIR
//
// small: objects.ts's minimal objects, two endpoints each; realistic: realistic-objects.ts's, as
// an API server returns them, ten endpoints each; applied: realistic ones with the annotation
// `kubectl apply` leaves (kubectl.kubernetes.io/last-applied-configuration, a literal block).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { endpoint, endpointSlice, type Json, port, service } from '../fixtures/proxy/objects.js';
import { realisticEndpointSlice, realisticService } from '../fixtures/proxy/realistic-objects.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The i-th address of 10.0.0.0/8 above `base` (a number of /16s). */
function address(base: number, i: number): string {
  return `10.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

function objectsOf(kind: string, i: number): Json[] {
  const name = `svc-${i}`;
  const namespace = `ns-${i % 50}`;
  const clusterIP = address(96, i);
  if (kind === 'small') {
    const endpoints = [0, 1].map((k) => endpoint(address(244, i * 2 + k), { ready: true, node: `node-${k}` }));
    return [
      service(name, { clusterIP, ports: [port('http', 80)] }, { namespace }),
      endpointSlice(name, [port('http', 8080)], endpoints, { namespace }),
    ];
  }
  const spec = { name, namespace, n: i, clusterIP, port: 80, targetPort: 8080 };
  const svc = realisticService(spec);
  if (kind === 'applied') {
    const metadata = svc['metadata'] as { annotations: Record<string, string> };
    const applied = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: svc['spec'] };
    metadata.annotations[LAST_APPLIED] = `${JSON.stringify(applied)}\n`;
  }
  const addresses = Array.from({ length: 10 }, (_, k) => address(244, i * 10 + k));
  return [svc, realisticEndpointSlice(spec, addresses)];
}

const [kind = '', count = '', dir = ''] = process.argv.slice(2);
if (!['small', 'realistic', 'applied'].includes(kind) || !/^\d+$/.test(count) || dir === '') {
  process.stderr.write('usage: write-objects-files.js small|realistic|applied N DIR\n');
  process.exit(2);
}
const n = Number(count);
const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: Array.from({ length: n }, (_, i) => objectsOf(kind, i)).flat(),
  metadata: { resourceVersion: '' },
};
writeFileSync(`${dir}/${kind}-${n}.json`, `${JSON.stringify(list, null, 4)}\n`);
writeFileSync(`${dir}/${kind}-${n}.yaml`, stringify(list, { version: '1.1', indentSeq: false }));
