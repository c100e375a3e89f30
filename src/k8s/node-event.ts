// An events.k8s.io/v1 Event about this node, as kube-proxy records them (its birth cry
// "Starting" once it runs, and warnings when a server it needs cannot start): regarding the
// Node, in the "default" namespace (where client-go's recorder puts events of cluster-scoped
// objects), named "<node>.<nanoseconds since the epoch, hex>", action "StartKubeProxy" so that
// whoever filters kube-proxy's events by reason or action finds kipvs's. Sent through
// client-node's request context, so with the same credentials and TLS checks as the watch.
import type { KubeConfig } from '@kubernetes/client-node';
import { callApiServer, failedAnswer, HttpMethod } from './api-request.js';

/** What kube-proxy's recorder says at start-up. */
export interface NodeEvent {
  readonly type: 'Normal' | 'Warning';
  /** "Starting", "FailedToStartProxierHealthcheck", "FailedToStartMetricServer". */
  readonly reason: string;
  readonly note: string;
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
const ACTION = 'StartKubeProxy';
/** events.k8s.io/v1 limits a note to 1 kB. */
const MAX_NOTE = 1024;

/** The Event object for `event`, made at `now`. */
export function nodeEventBody(event: NodeEvent, source: EventSource, now: Date): Record<string, unknown> {
  const nanoseconds = BigInt(now.getTime()) * 1_000_000n;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${source.nodeName}.${nanoseconds.toString(16)}`, namespace: NODE_EVENT_NAMESPACE },
    // MicroTime: RFC 3339 with microseconds.
    eventTime: now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
    reportingController: source.controller,
    reportingInstance: source.instance,
    action: ACTION,
    reason: event.reason,
    // kube-proxy names the Node by name, with the name as its UID (it does not read the Node first).
    regarding: { kind: 'Node', name: source.nodeName, uid: source.nodeName },
    note: event.note.length > MAX_NOTE ? `${event.note.slice(0, MAX_NOTE - 3)}...` : event.note,
    type: event.type,
  };
}


/** POSTs the Event; an ApiError when the API server refuses it or cannot be reached. */
export async function createNodeEvent(config: KubeConfig, event: NodeEvent, source: EventSource, now: Date, signal: AbortSignal): Promise<void> {
  const answer = await callApiServer(config, {
    method: HttpMethod.POST,
    path: `/apis/events.k8s.io/v1/namespaces/${NODE_EVENT_NAMESPACE}/events`,
    json: nodeEventBody(event, source, now),
    signal,
    resource: 'Event',
    request: 'create',
  });
  if (answer.status !== 201 && answer.status !== 200) throw failedAnswer(answer, answer.text, 'Event', 'create');
}
