// The proxier's cluster source on @kubernetes/client-node (src/k8s), loaded
// only when `kipvs proxy` runs. It passes each change on with the EndpointSlice
// trigger time kube-proxy's network-programming latency is measured from, says
// once when every initial list has arrived, logs when the API server connection
// is lost or back (the kernel state is left as it is meanwhile) and tells the
// health server why, and logs and counts every event the watch lost.
//
// Each object is reduced on arrival to the fields kipvs reads: the model's
// (read-fields.ts), the trigger time, and the Node's eligibility (proxier-health.ts);
// a Service or EndpointSlice is then admitted (validated) when the proxier asks, and only
// that is kept.
import type { ApiServerConnection } from '../config/index.js';
import {
  MODEL_FIELDS,
  mergeFieldShapes,
  projectFields,
  type FieldShape,
  type WatchedObjectKind,
} from '../proxy/read-fields.js';
import type { ClusterChange } from '../sync/cluster-change.js';
import type { ClusterSourceFactory } from './cluster-source.js';
import { NODE_ELIGIBILITY_FIELDS } from './health/proxier-health.js';
import type { Logger } from './log/logger.js';

/** Set by the EndpointSlice controller to when the change that caused this slice happened. */
const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** What the daemon keeps of each object. */
export const WATCHED_FIELDS: Readonly<Record<WatchedObjectKind, FieldShape>> = {
  Service: MODEL_FIELDS.Service,
  EndpointSlice: mergeFieldShapes(MODEL_FIELDS.EndpointSlice, {
    fields: { metadata: { fields: { annotations: { keys: [TRIGGER_TIME_ANNOTATION] } } } },
  }),
  Node: mergeFieldShapes(MODEL_FIELDS.Node, NODE_ELIGIBILITY_FIELDS),
};

/** The resource label of kipvs_watch_errors_total. */
const RESOURCE_LABEL: Readonly<Record<WatchedObjectKind, string>> = {
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Node: 'nodes',
};

function triggerTime(object: unknown): number | undefined {
  const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } } | undefined)?.metadata
    ?.annotations;
  const text = annotations?.[TRIGGER_TIME_ANNOTATION];
  const time = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isFinite(time) ? time : undefined;
}

export async function clusterWatchSource(
  connection: ApiServerConnection,
  nodeName: string,
  userAgent: string,
  log: Logger,
): Promise<ClusterSourceFactory> {
  const { ClusterWatch } = await import('../k8s/index.js');
  return (handlers) => {
    // Said once per outage: an error while not connected starts one, a connection ends it.
    let down = false;
    let relists = 0;
    const watch = new ClusterWatch({
      connection,
      nodeName,
      userAgent,
      transform: (kind, object) => {
        const reduced = projectFields(WATCHED_FIELDS[kind], object);
        return kind === 'Node' || handlers.admit === undefined ? reduced : handlers.admit(kind, reduced);
      },
      onFault: (fault) => {
        log.error(fault, 'An event was lost; listing again', {
          resource: RESOURCE_LABEL[fault.resource],
          reason: fault.reason,
        });
        handlers.onWatchError?.(RESOURCE_LABEL[fault.resource], fault.reason);
      },
      onChange: (change) => {
        const time =
          change.kind === 'EndpointSlice' && change.type !== 'deleted' ? triggerTime(change.object) : undefined;
        const state: ClusterChange['state'] =
          change.type === 'deleted' ? { deleted: true } : { deleted: false, object: change.object };
        const passed: ClusterChange = {
          kind: change.kind,
          key: change.key,
          state,
          ...(time === undefined ? {} : { triggerTime: time }),
        };
        handlers.onChange(passed);
      },
      onHealth: (health) => {
        if (health.relists > relists) handlers.onRelisted?.();
        relists = health.relists;
        if (!health.connected && health.lastError) {
          // Said in the log once per outage, and in /healthz as it is now.
          handlers.onApiServerProblem?.(health.lastError.error.message);
          if (!down)
            log.error(
              health.lastError.error,
              'The API server cannot be used; the kernel state is kept as it is until it can',
            );
          down = true;
        } else if (down && health.connected) {
          down = false;
          handlers.onApiServerProblem?.(undefined);
          log.info('The API server is reachable again', { relists: health.relists });
        }
      },
    });
    void watch.whenSynced().then(() => {
      log.info('Listed Services, EndpointSlices and the Node');
      handlers.onSynced();
    });
    return watch;
  };
}
