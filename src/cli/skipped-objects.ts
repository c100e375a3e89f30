// The objects of a file that are well-formed but proxied by no one, and why,
// so that `kipvs plan` says so rather than leaving them out without a word:
// Services kube-proxy skips (headless, ExternalName, no cluster IP, another
// proxy's label), EndpointSlices it skips (FQDN, labels), and slices whose
// Service is not in the input or is itself skipped (their endpoints meet no
// port). Invalid objects are not here: the model's problems name them.
import { SERVICE_NAME_LABEL } from '../proxy/endpoint-slice-input.js';
import { validateEndpointSlice, validateService } from '../proxy/index.js';
import type { ClusterObjects } from './cluster-objects-file.js';

export interface SkippedObject {
  readonly kind: 'Service' | 'EndpointSlice';
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

interface Metadata {
  readonly namespace: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

function metadataOf(raw: unknown): Metadata {
  const metadata = typeof raw === 'object' && raw !== null ? (raw as { metadata?: unknown }).metadata : undefined;
  const field = (key: string): unknown =>
    typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)[key] : undefined;
  const text = (key: string): string => {
    const value = field(key);
    return typeof value === 'string' ? value : '';
  };
  const labels = field('labels');
  return {
    namespace: text('namespace'),
    name: text('name'),
    ...(typeof labels === 'object' && labels !== null && { labels: labels as Record<string, string> }),
  };
}

export function skippedObjects(objects: ClusterObjects): SkippedObject[] {
  const skipped: SkippedObject[] = [];
  /** Each Service by "namespace/name", with why it is skipped (undefined: proxied, or invalid). */
  const services = new Map<string, string | undefined>();
  for (const raw of objects.services) {
    const { namespace, name } = metadataOf(raw);
    const result = validateService(raw);
    if (result.skipped !== undefined) skipped.push({ kind: 'Service', namespace, name, reason: result.skipped });
    services.set(`${namespace}/${name}`, result.skipped);
  }
  for (const raw of objects.endpointSlices) {
    const { namespace, name, labels } = metadataOf(raw);
    const result = validateEndpointSlice(raw);
    if (result.skipped !== undefined) {
      skipped.push({ kind: 'EndpointSlice', namespace, name, reason: result.skipped });
      continue;
    }
    if (result.value === undefined) continue;
    const service = `${namespace}/${labels?.[SERVICE_NAME_LABEL] ?? ''}`;
    if (!services.has(service)) {
      skipped.push({ kind: 'EndpointSlice', namespace, name, reason: `its Service ${service} is not in the input` });
    } else if (services.get(service) !== undefined) {
      skipped.push({ kind: 'EndpointSlice', namespace, name, reason: `its Service ${service} is skipped` });
    }
  }
  return skipped;
}
