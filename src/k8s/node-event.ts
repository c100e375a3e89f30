// An events.k8s.io/v1 Event about this node, as kube-proxy records them (its birth cry
// "Starting" once it runs, and warnings when a server it needs cannot start): regarding the
// Node, in the "default" namespace (where client-go's recorder puts events of cluster-scoped
// objects), named "<node>.<nanoseconds since the epoch, hex>", action "StartKubeProxy" so that
// whoever filters kube-proxy's events by reason or action finds kipvs's ("SyncProxyRules" for a
// sync that failed). Sent through
// client-node's request context, so with the same credentials and TLS checks as the watch.
// Events about a Service (a scheduler annotation kipvs cannot honour) take the same path,
// in the Service's namespace, regarding the Service.
import type { KubeConfig } from '@kubernetes/client-node';
import { callApiServer, failedAnswer, HttpMethod } from './api-request.js';

/** What kube-proxy's recorder says at start-up. */
export interface NodeEvent {
  readonly type: 'Normal' | 'Warning';
  /** "Starting", "FailedToStartProxierHealthcheck", "FailedToStartMetricServer". */
  readonly reason: string;
  readonly note: string;
  /** What kipvs was doing: "StartKubeProxy" (the default) or "SyncProxyRules". */
  readonly action?: 'StartKubeProxy' | 'SyncProxyRules';
}

export interface EventSource {
  readonly nodeName: string;
  /** The recording component, e.g. "kipvs". */
  readonly controller: string;
  /** The recording process, e.g. "kipvs-<hostname>". */
  readonly instance: string;
}

/** Where client-go records events of cluster-scoped objects such as a Node. */
export const NODE_EVENT_NAMESPACE = 'default';
/** events.k8s.io/v1 limits a note to 1 kB. */
const MAX_NOTE = 1024;

/** A namespaced object an Event is about. */
export interface EventRegarding {
  readonly kind: 'Service';
  readonly namespace: string;
  readonly name: string;
  /** metadata.uid, when known: `kubectl describe` finds the object's events by it. */
  readonly uid?: string;
}

/** What kipvs was doing when it noticed a Service's problem. */
const SERVICE_ACTION = 'ProgramIPVS';

/** The Event object for `event` about `regarding`, made at `now`. */
export function serviceEventBody(
  event: NodeEvent,
  regarding: EventRegarding,
  source: EventSource,
  now: Date,
): Record<string, unknown> {
  const node = nodeEventBody(event, source, now);
  return {
    ...node,
    metadata: { name: `${regarding.name}.${eventSuffix(now)}`, namespace: regarding.namespace },
    action: SERVICE_ACTION,
    regarding: {
      apiVersion: 'v1',
      kind: regarding.kind,
      namespace: regarding.namespace,
      name: regarding.name,
      ...(regarding.uid ? { uid: regarding.uid } : {}),
    },
  };
}

/** Nanoseconds since the epoch in hex, as client-go's recorder names events. */
function eventSuffix(now: Date): string {
  return (BigInt(now.getTime()) * 1_000_000n).toString(16);
}

/** The Event object for `event`, made at `now`. */
export function nodeEventBody(event: NodeEvent, source: EventSource, now: Date): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${source.nodeName}.${eventSuffix(now)}`, namespace: NODE_EVENT_NAMESPACE },
    // MicroTime: RFC 3339 with microseconds.
    eventTime: now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
    reportingController: source.controller,
    reportingInstance: source.instance,
    action: event.action ?? 'StartKubeProxy',
    reason: event.reason,
    // kube-proxy names the Node by name, with the name as its UID (it does not read the Node first).
    regarding: { kind: 'Node', name: source.nodeName, uid: source.nodeName },
    note: event.note.length > MAX_NOTE ? `${event.note.slice(0, MAX_NOTE - 3)}...` : event.note,
    type: event.type,
  };
}

/** POSTs the Event; an ApiError when the API server refuses it or cannot be reached. */
export async function createNodeEvent(
  config: KubeConfig,
  event: NodeEvent,
  source: EventSource,
  now: Date,
  signal: AbortSignal,
): Promise<void> {
  await createEvent(config, NODE_EVENT_NAMESPACE, nodeEventBody(event, source, now), signal);
}

/** POSTs an Event about a Service, in its namespace; an ApiError as createNodeEvent. */
export async function createServiceEvent(
  config: KubeConfig,
  event: NodeEvent,
  regarding: EventRegarding,
  source: EventSource,
  now: Date,
  signal: AbortSignal,
): Promise<void> {
  await createEvent(config, regarding.namespace, serviceEventBody(event, regarding, source, now), signal);
}

async function createEvent(
  config: KubeConfig,
  namespace: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<void> {
  const answer = await callApiServer(config, {
    method: HttpMethod.POST,
    path: `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`,
    json: body,
    signal,
    resource: 'Event',
    request: 'create',
  });
  if (answer.status !== 201 && answer.status !== 200) throw failedAnswer(answer, answer.text, 'Event', 'create');
}
