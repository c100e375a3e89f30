// Reading Services, EndpointSlices and Nodes as kubectl and people write them.
import { describe, expect, it } from '@jest/globals';
import {
  findNode,
  parseClusterObjects,
  renderObjectsFileProblem,
  type ObjectsFileResult,
} from '../../../src/cli/cluster-objects-file.js';

function read(text: string): Extract<ObjectsFileResult, { ok: true }> {
  const result = parseClusterObjects(text, 'f.yaml');
  if (!result.ok) throw new Error(result.problems.map(renderObjectsFileProblem).join('\n'));
  return result;
}

const names = (objects: readonly unknown[]): string[] =>
  objects.map((o) => {
    const { name, namespace } = (o as { metadata: { name: string; namespace?: string } }).metadata;
    return namespace ? `${namespace}/${name}` : name;
  });

describe('parseClusterObjects', () => {
  it('reads several documents, skipping empty ones', () => {
    const { objects, problems } = read(
      [
        '# objects',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: web, namespace: default}',
        '---',
        '---',
        'apiVersion: discovery.k8s.io/v1',
        'kind: EndpointSlice',
        'metadata: {name: web-1, namespace: default}',
        '---',
        'kind: Node',
        'metadata: {name: node-a}',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(names(objects.services)).toEqual(['default/web']);
    expect(names(objects.endpointSlices)).toEqual(['default/web-1']);
    expect(names(objects.nodes)).toEqual(['node-a']);
  });

  it('reads the items of a List, as kubectl get -o yaml writes it', () => {
    const { objects } = read(
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- apiVersion: v1',
        '  kind: Service',
        '  metadata: {name: a, namespace: ns}',
        '- apiVersion: discovery.k8s.io/v1',
        '  kind: EndpointSlice',
        '  metadata: {name: a-x, namespace: ns}',
        'metadata: {resourceVersion: ""}',
      ].join('\n'),
    );
    expect(names(objects.services)).toEqual(['ns/a']);
    expect(names(objects.endpointSlices)).toEqual(['ns/a-x']);
  });

  it('gives the items of a typed list (JSON from the API server) their kind', () => {
    const json = JSON.stringify({
      kind: 'EndpointSliceList',
      apiVersion: 'discovery.k8s.io/v1',
      items: [{ metadata: { name: 's1', namespace: 'ns' } }, { metadata: { name: 's2', namespace: 'ns' } }],
    });
    expect(names(read(json).objects.endpointSlices)).toEqual(['ns/s1', 'ns/s2']);
  });

  it('reports, with its position, what is not a Service, EndpointSlice or Node, and goes on', () => {
    const result = read(
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- kind: Pod',
        '  metadata: {name: p, namespace: ns}',
        '- kind: Service',
        '  apiVersion: v1',
        '  metadata: {name: s, namespace: ns}',
        '---',
        'just text',
        '---',
        '- a list',
        '---',
        'metadata: {name: nameless-kind}',
        '---',
        'apiVersion: discovery.k8s.io/v1beta1',
        'kind: EndpointSlice',
        'metadata: {name: old, namespace: ns}',
      ].join('\n'),
    );
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:4:3: ns/p: kind Pod is not a Service, EndpointSlice or Node; skipped',
      'f.yaml:10:1: not a Kubernetes object (a mapping with a kind); skipped',
      'f.yaml:12:1: not a Kubernetes object (a mapping with a kind); skipped',
      'f.yaml:14:1: nameless-kind: an object without a kind is not a Service, EndpointSlice or Node; skipped',
      'f.yaml:16:1: ns/old: EndpointSlice discovery.k8s.io/v1beta1 is not read (only discovery.k8s.io/v1); skipped',
    ]);
    expect(names(result.objects.services)).toEqual(['ns/s']);
    expect(result.objects.endpointSlices).toEqual([]);
  });

  it('keeps the later of two objects with one kind and name, in the place of the first', () => {
    const result = read(
      [
        'kind: Service',
        'metadata: {name: a, namespace: ns}',
        'spec: {clusterIP: 10.96.0.1}',
        '---',
        'kind: Service',
        'metadata: {name: b, namespace: ns}',
        '---',
        'kind: EndpointSlice',
        'metadata: {name: a, namespace: ns}',
        '---',
        'kind: Service',
        'metadata: {name: a, namespace: ns}',
        'spec: {clusterIP: 10.96.0.2}',
      ].join('\n'),
    );
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:11:1: ns/a: Service also defined at line 1; this later one is used',
    ]);
    expect(result.objects.services).toEqual([
      { kind: 'Service', metadata: { name: 'a', namespace: 'ns' }, spec: { clusterIP: '10.96.0.2' } },
      { kind: 'Service', metadata: { name: 'b', namespace: 'ns' } },
    ]);
    expect(names(result.objects.endpointSlices)).toEqual(['ns/a']);
  });

  it('reads JSON as JSON, naming where in it what it skips', () => {
    const json = JSON.stringify({
      kind: 'List',
      items: [
        { kind: 'Service', apiVersion: 'v1', metadata: { name: 'a', namespace: 'ns' } },
        { kind: 'Pod', metadata: { name: 'p', namespace: 'ns' } },
        { kind: 'Service', metadata: { name: 'a', namespace: 'ns' }, spec: {} },
      ],
    });
    const result = read(`  ${json}\n`);
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      `f.yaml:1:${json.indexOf('{"kind":"Pod"') + 3}: ns/p: kind Pod is not a Service, EndpointSlice or Node; skipped`,
      `f.yaml:1:${json.lastIndexOf('{"kind":"Service"') + 3}: ns/a: Service also defined at line 1; this later one is used`,
    ]);
    expect(result.objects.services).toEqual([{ kind: 'Service', metadata: { name: 'a', namespace: 'ns' }, spec: {} }]);
    expect(read('{"kind": "Pod", "metadata": {"name": "p"}}').problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:1:1: p: kind Pod is not a Service, EndpointSlice or Node; skipped',
    ]);
  });

  it('names the line of each item of a JSON List, as kubectl get -o json writes it', () => {
    const json = JSON.stringify(
      {
        kind: 'List',
        items: [
          { kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { items: 'x' } } },
          { kind: 'Job', metadata: { name: 'j' } },
        ],
      },
      null,
      4,
    );
    expect(read(json).problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:4:9: ns/p: kind Pod is not a Service, EndpointSlice or Node; skipped',
      'f.yaml:14:9: j: kind Job is not a Service, EndpointSlice or Node; skipped',
    ]);
  });

  it('reads a stream of JSON documents (jq -c, or kubectl get -o json twice), each at its line', () => {
    const stream = [
      JSON.stringify({ kind: 'Service', metadata: { name: 'a', namespace: 'ns' } }),
      JSON.stringify({ kind: 'ServiceList', items: [{ metadata: { name: 'b', namespace: 'ns' } }] }),
      '  {"kind": "Pod", "metadata": {"name": "p"}}',
    ].join('\n');
    const result = read(stream);
    expect(names(result.objects.services)).toEqual(['ns/a', 'ns/b']);
    expect(result.positionOf('Service', 'ns', 'b')).toEqual({
      file: 'f.yaml',
      line: 2,
      column: '{"kind":"ServiceList","items":['.length + 1,
    });
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:3:3: p: kind Pod is not a Service, EndpointSlice or Node; skipped',
    ]);
  });

  it('puts a Service or EndpointSlice without a namespace in "default", as kubectl does, but not a Node', () => {
    const result = read(
      'kind: Service\nmetadata: {name: web}\n---\nkind: EndpointSlice\nmetadata: {name: web-1, namespace: ""}\n---\nkind: Node\nmetadata: {name: n1}\n',
    );
    expect(names(result.objects.services)).toEqual(['default/web']);
    expect(names(result.objects.endpointSlices)).toEqual(['default/web-1']);
    expect(names(result.objects.nodes)).toEqual(['n1']);
    expect(result.positionOf('Service', 'default', 'web')).toEqual({ file: 'f.yaml', line: 1, column: 1 });
  });

  it('marks what was dropped as invalid apart from other kinds and duplicates', () => {
    const result = read('just text\n---\nkind: Pod\nmetadata: {name: p}\n---\nmetadata: {name: x}\n');
    expect(result.problems.map((p) => p.invalid === true)).toEqual([true, false, true]);
  });

  it('reads text that only looks like JSON as YAML, which says where it is wrong', () => {
    const result = parseClusterObjects('{"kind": "Service",\n "metadata": {"name": "a"}\n', 'f.yaml');
    expect(result.ok).toBe(false);
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      expect.stringMatching(/^f\.yaml:3:1: YAML syntax error: /),
    ]);
  });

  it('reads nothing from an empty file', () => {
    expect(read('')).toMatchObject({
      ok: true,
      objects: { services: [], endpointSlices: [], nodes: [] },
      problems: [],
    });
    expect(read('# only a comment\n---\n')).toMatchObject({
      ok: true,
      objects: { services: [], endpointSlices: [], nodes: [] },
      problems: [],
    });
  });

  it('refuses a file with a syntax error, naming its line and column', () => {
    const result = parseClusterObjects('kind: Service\nmetadata: name: a\n', 'f.yaml');
    expect(result.ok).toBe(false);
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      'f.yaml:2:11: YAML syntax error: Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('refuses duplicate keys, as Kubernetes does', () => {
    const result = parseClusterObjects('kind: Service\nkind: Node\n', 'f.yaml');
    expect(result.ok).toBe(false);
    expect(result.problems.map(renderObjectsFileProblem)).toEqual([
      expect.stringMatching(/^f\.yaml:2:1: YAML syntax error: Map keys must be unique/),
    ]);
  });

  it('reads YAML 1.1 as Kubernetes does: yes is true', () => {
    const { objects } = read(
      'kind: Service\nmetadata: {name: a, namespace: ns}\nspec: {publishNotReadyAddresses: yes}\n',
    );
    expect(objects.services).toEqual([
      { kind: 'Service', metadata: { name: 'a', namespace: 'ns' }, spec: { publishNotReadyAddresses: true } },
    ]);
  });
});

describe('findNode', () => {
  it('finds the Node of that name', () => {
    const { objects } = read('kind: Node\nmetadata: {name: node-a}\n---\nkind: Node\nmetadata: {name: node-b}\n');
    expect(findNode(objects, 'node-b')).toEqual({ kind: 'Node', metadata: { name: 'node-b' } });
    expect(findNode(objects, 'node-c')).toBeUndefined();
  });
});
