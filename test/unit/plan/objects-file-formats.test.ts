// The same objects as JSON (kubectl get -o json) and as YAML (kubectl get -o yaml) read alike,
// and the YAML's positions are the ones the full YAML parse gives, whichever path read it.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  parseClusterObjects,
  renderObjectsFileProblem,
  type ObjectsFileResult,
} from '../../../src/cli/cluster-objects-file.js';
import { readWithPositions } from '../../../src/yaml/read-yaml.js';
import { realisticEndpointSlice, realisticService } from '../../fixtures/proxy/realistic-objects.js';

type Ok = Extract<ObjectsFileResult, { ok: true }>;

function read(text: string, file: string): Ok {
  const result = parseClusterObjects(text, file);
  if (!result.ok) throw new Error(result.problems.map(renderObjectsFileProblem).join('\n'));
  return result;
}

/** Names YAML 1.1 would read as something else unless quoted, as kubectl quotes them. */
const name = fc.oneof(
  fc.constantFrom('yes', 'off', '0644', '1.0', 'null', '2024-01-02', 'a:b', 'web'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
);

const object = fc.record({
  kind: fc.constantFrom('Service', 'EndpointSlice', 'Pod', 'Node', 'ServiceList'),
  name,
  namespace: fc.option(name, { nil: undefined }),
  n: fc.nat(5000),
  realistic: fc.boolean(),
});

type Generated = typeof object extends fc.Arbitrary<infer T> ? T : never;

function toObject(o: Generated): Record<string, unknown> {
  const service = {
    name: o.name,
    namespace: o.namespace ?? '',
    n: o.n,
    clusterIP: `10.96.0.${o.n % 250}`,
    port: 80,
    targetPort: 8080,
  };
  const metadata = { name: o.name, ...(o.namespace !== undefined && o.kind !== 'Node' && { namespace: o.namespace }) };
  if (o.kind === 'ServiceList')
    return { kind: 'ServiceList', apiVersion: 'v1', items: [{ metadata, spec: { ports: [] } }] };
  const apiVersion = o.kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1';
  if (!o.realistic || o.kind === 'Pod' || o.kind === 'Node') return { kind: o.kind, apiVersion, metadata };
  const built =
    o.kind === 'Service' ? realisticService(service) : realisticEndpointSlice(service, ['10.244.0.1', '10.244.0.2']);
  return { ...built, metadata: { ...(built['metadata'] as object), ...metadata, namespace: o.namespace } };
}

describe('an objects file as JSON and as YAML', () => {
  it('gives the same objects and problems, each YAML position where the full YAML parse puts it', () => {
    fc.assert(
      fc.property(fc.array(object, { maxLength: 8 }), fc.boolean(), (objects, asList) => {
        const values = objects.map(toObject);
        const documents = asList ? [{ apiVersion: 'v1', kind: 'List', items: values }] : values;
        const json = read(documents.map((doc) => JSON.stringify(doc, null, 4)).join('\n'), 'f');
        const yamlText = documents.map((doc) => stringify(doc, { version: '1.1', indentSeq: false })).join('---\n');
        const yaml = read(yamlText, 'f');
        expect(yaml.objects).toEqual(json.objects);
        const withoutPosition = (r: Ok) => r.problems.map((p) => p.message.replace(/ at line \d+;/, ''));
        expect(withoutPosition(yaml)).toEqual(withoutPosition(json));

        const full = readWithPositions(yamlText, 'f');
        if (!full.ok) throw new Error('the full parse refused');
        const docs = full.documents;
        const at = (i: number, path: (string | number)[]) =>
          asList ? docs[0]?.locate(['items', i, ...path]) : docs[i]?.locate(path);
        // Where each kind/namespace/name is last written: the one positionOf names.
        const last = new Map<string, unknown>();
        for (const [i, value] of values.entries()) {
          const listed = value['kind'] === 'ServiceList';
          const kind = listed ? 'Service' : String(value['kind']);
          const metadata = ((listed ? (value['items'] as Record<string, unknown>[])[0] : value)?.['metadata'] ??
            {}) as {
            name: string;
            namespace?: string;
          };
          const namespace = kind === 'Node' ? '' : metadata.namespace || 'default';
          last.set(`${kind}/${namespace}/${metadata.name}`, at(i, listed ? ['items', 0] : []));
        }
        for (const [key, position] of last) {
          const [kind = '', namespace = '', objectName = ''] = key.split('/');
          if (kind === 'Service' || kind === 'EndpointSlice' || kind === 'Node')
            expect(yaml.positionOf(kind, namespace, objectName)).toEqual(position);
        }
      }),
      { numRuns: 300 },
    );
  });
});
