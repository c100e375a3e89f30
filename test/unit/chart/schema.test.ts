// values.schema.json: Helm refuses bad values before anything renders, every value in
// values.yaml is documented and in the schema (and the other way round), and no object in the
// schema accepts keys it does not name.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import { BASE_VALUES, CHART, deepMerge, helm, isPlainObject } from './helm.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  description?: string;
  required?: string[];
}

const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;
const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const values: unknown = parseDocument(valuesText).toJS();
/** Helm's own key for a parent chart's globals: allowed by the schema, absent from values.yaml. */
const HELM_KEYS = new Set(['global']);

/** Paths of the schema's leaves: properties that are not themselves objects with properties. */
function schemaLeaves(node: Schema, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!prefix && HELM_KEYS.has(key)) return [];
    return child.properties ? schemaLeaves(child, path) : [path];
  });
}

/** Paths of values.yaml's leaves, descending only where the schema has properties (maps and lists are leaves). */
function valueLeaves(value: unknown, node: Schema | undefined, prefix = ''): string[] {
  if (!isPlainObject(value) || !node?.properties) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    valueLeaves(child, node.properties?.[key], prefix ? `${prefix}.${key}` : key),
  );
}

/** Every key in values.yaml with no comment right above it. */
function undocumented(node: Node | null, prefix = ''): string[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair, index) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    const path = prefix ? `${prefix}.${key}` : key;
    // The comment above a map's first key belongs to the map in the yaml package's tree.
    const comment =
      (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? node.commentBefore : undefined);
    return [...(comment ? [] : [path]), ...undocumented(pair.value as Node | null, path)];
  });
}

/** Object schemas that accept keys they do not name (a typed map is fine). */
function openObjects(node: Schema, path = '(root)'): string[] {
  const here =
    node.type === 'object' &&
    node.additionalProperties !== false &&
    !(typeof node.additionalProperties === 'object' && node.additionalProperties.type) &&
    !HELM_KEYS.has(path)
      ? [path]
      : [];
  const children = [
    ...Object.entries(node.properties ?? {}).map(([key, child]) =>
      openObjects(child, path === '(root)' ? key : `${path}.${key}`),
    ),
    ...(node.items ? [openObjects(node.items, `${path}[]`)] : []),
    ...(node.oneOf ?? []).map((s) => openObjects(s, path)),
  ];
  return [...here, ...children.flat()];
}

describe('values.yaml and values.schema.json', () => {
  it('name the same values', () => {
    expect(valueLeaves(values, schema).sort()).toEqual(schemaLeaves(schema).sort());
  });

  it('document every value with a comment in values.yaml and a description in the schema', () => {
    expect(undocumented(parseDocument(valuesText).contents)).toEqual([]);
    const described = (node: Schema, path: string): string[] =>
      Object.entries(node.properties ?? {}).flatMap(([key, child]) => [
        ...(child.description ? [] : [`${path}${key}`]),
        ...described(child, `${path}${key}.`),
      ]);
    expect(described(schema, '')).toEqual([]);
  });

  it('refuse unknown keys at every level (maps are typed)', () => {
    expect(openObjects(schema)).toEqual([]);
  });

  it('the defaults satisfy the schema and lint cleanly, as do realistic values', () => {
    expect(helm('lint', BASE_VALUES).status).toBe(0);
    const realistic = {
      ...BASE_VALUES,
      image: { repository: 'registry.example.com/net/kipvs', tag: '0.1.0', pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'registry-credentials' }],
      config: {
        clusterCIDR: '10.244.0.0/16,fd00:10:244::/56',
        nodePortAddresses: ['primary'],
        ipvs: { scheduler: 'wrr', strictARP: true },
      },
      iptables: { mode: 'nft' },
      tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      updateStrategy: { maxUnavailable: '10%' },
      extraArgs: ['--v=4'],
    };
    const lint = helm('lint', realistic);
    expect([lint.status, lint.stderr]).toEqual([0, '']);
    expect(helm('template', realistic).status).toBe(0);
  });
});

describe('Helm refuses bad values through the schema', () => {
  const cases: [string, object, string][] = [
    ['an unknown top-level key', { replicas: 3 }, 'Additional property replicas is not allowed'],
    [
      'a misspelled nested key',
      { config: { ipvs: { schedular: 'rr' } } },
      'Additional property schedular is not allowed',
    ],
    ['an unknown scheduler', { config: { ipvs: { scheduler: 'random' } } }, 'config.ipvs.scheduler'],
    [
      'a duration that is not a Go duration',
      { config: { ipvs: { syncPeriod: '30 seconds' } } },
      'config.ipvs.syncPeriod',
    ],
    ['a bind address without a port', { config: { healthzBindAddress: '0.0.0.0' } }, 'config.healthzBindAddress'],
    [
      'a host name as metrics address',
      { config: { metricsBindAddress: 'localhost:10249' } },
      'config.metricsBindAddress',
    ],
    [
      'an out-of-range masquerade bit',
      { config: { iptables: { masqueradeBit: 32 } } },
      'config.iptables.masqueradeBit',
    ],
    ['a bad CIDR', { config: { ipvs: { excludeCIDRs: ['10.0.0.0'] } } }, 'config.ipvs.excludeCIDRs'],
    ['an unknown iptables mode', { iptables: { mode: 'bpf' } }, 'iptables.mode'],
    ['zero nodes at a time', { updateStrategy: { maxUnavailable: 0 } }, 'updateStrategy.maxUnavailable'],
    ['a malformed digest', { image: { digest: 'sha256:1234' } }, 'image.digest'],
    ['a flag with one dash', { extraArgs: ['-v=4'] }, 'extraArgs'],
    [
      'an unknown toleration field',
      { tolerations: [{ operator: 'Exists', effects: 'NoSchedule' }] },
      'Additional property effects is not allowed',
    ],
    ['a wrong type', { rbac: { create: 'yes' } }, 'rbac.create'],
    ['a feature gate that is not a boolean', { config: { featureGates: { Foo: 'on' } } }, 'config.featureGates'],
    ['a negative API server port', { apiServer: { port: -1 } }, 'apiServer.port'],
    ['a quantity that is not one', { resources: { limits: { memory: 'lots' } } }, 'resources.limits.memory'],
    ['an unknown resource', { nodeInit: { resources: { requests: { gpu: '1' } } } }, 'nodeInit.resources.requests'],
  ];
  it.each(cases)('%s', (_, bad, message) => {
    const result = helm('template', deepMerge(BASE_VALUES, bad));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toContain(message);
  });
});
