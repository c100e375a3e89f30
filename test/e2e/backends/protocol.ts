// The commands of the backends helper (pods-process.ts): one process in the pods namespace serving
// every pod. Each pod is an address bound on the pods' link, answering HTTP on its TCP ports and
// datagrams on its UDP ports with a PodAnswer: its own address, so a client knows which endpoint
// served it, and the client's address as the pod saw it (masqueraded or not).
import { isArrayOf, isPort, isRecord } from '../command-protocol.js';

/** The body of every answer, as JSON. */
export interface PodAnswer {
  /** The pod's own address. */
  readonly pod: string;
  /** The source address of the request as it reached the pod. */
  readonly client: string;
}

export function isPodAnswer(value: unknown): value is PodAnswer {
  return isRecord(value) && typeof value['pod'] === 'string' && typeof value['client'] === 'string';
}

/** The ports a pod listens on unless told otherwise (a Service's targetPort). */
export const POD_HTTP_PORT = 8080;
export const POD_UDP_PORT = 8053;

export interface PodSpec {
  /** The pod's IPv4 or IPv6 address (topology.ts podAddress). */
  readonly address: string;
  /** Default [POD_HTTP_PORT]. */
  readonly httpPorts?: readonly number[];
  /** Default [POD_UDP_PORT]. */
  readonly udpPorts?: readonly number[];
}

/**
 * What a pod does with traffic:
 * - serving: answers every request;
 * - refusing: its ports are closed (TCP answers with a reset, UDP with ICMP port unreachable), as
 *   a container whose process died;
 * - silent: connections are accepted but never answered, datagrams dropped, as a hung process.
 */
export type PodState = 'serving' | 'refusing' | 'silent';
const POD_STATES: readonly PodState[] = ['serving', 'refusing', 'silent'];

export type BackendsCommand =
  /** Binds the addresses on the pods' link and starts their servers, serving. */
  | { readonly op: 'add'; readonly pods: readonly PodSpec[] }
  /** Stops the pods' servers (dropping open connections) and unbinds their addresses. */
  | { readonly op: 'remove'; readonly addresses: readonly string[] }
  | { readonly op: 'set-state'; readonly addresses: readonly string[]; readonly state: PodState };

export interface BackendsReplies {
  readonly add: null;
  readonly remove: null;
  readonly 'set-state': null;
}

function isAddress(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isPodSpec(value: unknown): value is PodSpec {
  return (
    isRecord(value) &&
    isAddress(value['address']) &&
    (value['httpPorts'] === undefined || isArrayOf(value['httpPorts'], isPort)) &&
    (value['udpPorts'] === undefined || isArrayOf(value['udpPorts'], isPort))
  );
}

function isPodState(value: unknown): value is PodState {
  return POD_STATES.some((state) => state === value);
}

export function parseBackendsCommand(value: unknown): BackendsCommand | undefined {
  if (!isRecord(value)) return undefined;
  switch (value['op']) {
    case 'add':
      return isArrayOf(value['pods'], isPodSpec) ? { op: 'add', pods: value['pods'] } : undefined;
    case 'remove':
      return isArrayOf(value['addresses'], isAddress) ? { op: 'remove', addresses: value['addresses'] } : undefined;
    case 'set-state':
      return isArrayOf(value['addresses'], isAddress) && isPodState(value['state'])
        ? { op: 'set-state', addresses: value['addresses'], state: value['state'] }
        : undefined;
    default:
      return undefined;
  }
}
