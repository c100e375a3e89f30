// The commands of the traffic helper (traffic-process.ts): one process per namespace that keeps
// requesting a list of targets at a steady rate and counts, per target, what came back.
import { isArrayOf, isPort, isRecord } from '../command-protocol.js';

/**
 * http: a GET on a new TCP connection. udp: one datagram from a new socket, one expected back.
 * udp-flow: the same, but every datagram from one socket the helper keeps for the target (one
 * source port: one conntrack entry and one IPVS connection, as a long-lived UDP client has).
 */
export type TargetProtocol = 'http' | 'udp' | 'udp-flow';
const PROTOCOLS: readonly unknown[] = ['http', 'udp', 'udp-flow'] satisfies TargetProtocol[];

export interface Target {
  readonly protocol: TargetProtocol;
  /** IPv4 or IPv6 address, e.g. a ClusterIP, the node IP of a NodePort, an externalIP. */
  readonly address: string;
  readonly port: number;
  /**
   * The address to send from (bound before connecting): one of several addresses of the
   * namespace, as a pod reaching itself, or a client a source range denies. Default: the kernel's
   * choice for the route.
   */
  readonly source?: string;
}

export interface TrafficSettings {
  /** A new request to every target this often (each target on its own schedule). */
  readonly intervalMs: number;
  /** A request not answered in this time counts as a failure with reason 'timeout'. */
  readonly timeoutMs: number;
}

/** What came back from one target in one report's window. */
export interface TargetReport {
  /** targetName(target): http://10.96.0.10:80, udp://[fd00:96::10]:53 */
  readonly target: string;
  /** Requests that ended in the window: answered plus failed. */
  readonly requests: number;
  readonly answered: number;
  /** Failed requests by reason: 'timeout', an errno code (ECONNREFUSED, ...), 'http-503'. */
  readonly failures: Readonly<Record<string, number>>;
  /** When each failed request was sent (ms since the epoch), to place a failure beside other events. */
  readonly failedSentAt: readonly number[];
  /** Answered requests by the backend that answered (the pod's address, as it says). */
  readonly backends: Readonly<Record<string, number>>;
  /** Answered requests by the source address the backend saw: this client's own, or the
   * address it was masqueraded to (SNAT) on the way. */
  readonly clients: Readonly<Record<string, number>>;
}

export interface TrafficReport {
  /** How long the window was: since start or the previous report. */
  readonly windowMs: number;
  /** Requests still waiting for an answer when the window closed (counted in a later one). */
  readonly inFlight: number;
  /** One per target, in the order they were given. */
  readonly targets: readonly TargetReport[];
}

export type TrafficCommand =
  /** Starts requesting (replacing any earlier targets); the first window starts now. */
  | ({ readonly op: 'start'; readonly targets: readonly Target[] } & TrafficSettings)
  /** What ended since the previous report (or start), and a new window. */
  | { readonly op: 'report' }
  /** Stops requesting, waits for the requests in flight, and reports the last window. */
  | { readonly op: 'stop' };

export interface TrafficReplies {
  readonly start: null;
  readonly report: TrafficReport;
  readonly stop: TrafficReport;
}

/** A target as a URL-like name: the key of its report (`... from SOURCE` when it has one). */
export function targetName(target: Target): string {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  const from = target.source === undefined ? '' : ` from ${target.source}`;
  return `${target.protocol}://${host}:${target.port}${from}`;
}

function isTarget(value: unknown): value is Target {
  return (
    isRecord(value) &&
    PROTOCOLS.includes(value['protocol']) &&
    typeof value['address'] === 'string' &&
    isPort(value['port']) &&
    (value['source'] === undefined || typeof value['source'] === 'string')
  );
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

export function parseTrafficCommand(value: unknown): TrafficCommand | undefined {
  if (!isRecord(value)) return undefined;
  switch (value['op']) {
    case 'start': {
      const { targets, intervalMs, timeoutMs } = value;
      return isArrayOf(targets, isTarget) && isDuration(intervalMs) && isDuration(timeoutMs)
        ? { op: 'start', targets, intervalMs, timeoutMs }
        : undefined;
    }
    case 'report':
    case 'stop':
      return { op: value['op'] };
    default:
      return undefined;
  }
}
