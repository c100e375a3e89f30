// The events kube-proxy records about its node, recorded by kipvs the same way
// (src/k8s/node-event.ts): "Starting" once the proxier runs, and a warning when the
// health or metrics server cannot start; kipvs's own warning when a sync's iptables part fails
// (iptables-failures.ts); and kipvs's warnings about a Service (a scheduler annotation it
// cannot honour, src/proxy/service-scheduling.ts). Best effort, as client-go's recorder is: a
// refused or lost event is logged and never holds up or stops the proxier.
import { hostname } from 'node:os';
import type { ApiServerConnection } from '../config/index.js';
import type { EventRegarding, NodeEvent } from '../k8s/node-event.js';
import type { Logger } from './log/logger.js';

export interface RecordedEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly note: string;
}

export interface NodeEventRecorder {
  record(event: NodeEvent): Promise<void>;
  /** An event about a Service rather than the node. */
  recordOnService(regarding: EventRegarding, event: RecordedEvent): Promise<void>;
}

/** How long one event may take to be accepted before it is given up. */
const SEND_TIMEOUT_MS = 10_000;

/** Records through the API server, with the proxier's own connection (and so its credentials and TLS checks). */
export async function apiServerNodeEvents(
  connection: ApiServerConnection,
  nodeName: string,
  userAgent: string,
  log: Logger,
): Promise<NodeEventRecorder> {
  const { createNodeEvent, createServiceEvent, kubeConfigFor } = await import('../k8s/index.js');
  const config = kubeConfigFor(connection, userAgent);
  const source = { nodeName, controller: 'kipvs', instance: `kipvs-${hostname()}` };
  return {
    async record(event) {
      try {
        await createNodeEvent(config, event, source, new Date(), AbortSignal.timeout(SEND_TIMEOUT_MS));
      } catch (err) {
        log.error(err, 'Could not record an event about this node', { reason: event.reason });
      }
    },
    async recordOnService(regarding, event) {
      try {
        await createServiceEvent(config, event, regarding, source, new Date(), AbortSignal.timeout(SEND_TIMEOUT_MS));
      } catch (err) {
        log.error(err, 'Could not record an event about a Service', {
          service: `${regarding.namespace}/${regarding.name}`,
          reason: event.reason,
        });
      }
    },
  };
}
