// The proxier's cluster source on @kubernetes/client-node (src/k8s), loaded
// only when `kipvs proxy` runs. It passes each change on with the EndpointSlice
// trigger time kube-proxy's network-programming latency is measured from, says
// once when every initial list has arrived, and logs when the API server
// connection is lost or back (the kernel state is left as it is meanwhile).
import type { ClusterChange } from '../sync/cluster-change.js';
import type { ApiServerConnection } from '../config/index.js';
import type { ClusterSourceFactory } from './cluster-source.js';
import type { Logger } from './log/logger.js';

/** Set by the EndpointSlice controller to when the change that caused this slice happened. */
const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

function triggerTime(object: unknown): number | undefined {
  const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } } | undefined)?.metadata?.annotations;
  const text = annotations?.[TRIGGER_TIME_ANNOTATION];
  const time = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isFinite(time) ? time : undefined;
}

export async function clusterWatchSource(connection: ApiServerConnection, nodeName: string, userAgent: string, log: Logger): Promise<ClusterSourceFactory> {
  const { ClusterWatch } = await import('../k8s/index.js');
  return (handlers) => {
    // Said once per outage: an error while not connected starts one, a connection ends it.
    let down = false;
    let relists = 0;
    const watch = new ClusterWatch({
      connection,
      nodeName,
      userAgent,
      onChange: (change) => {
        const time = change.kind === 'EndpointSlice' && change.type !== 'deleted' ? triggerTime(change.object) : undefined;
        const state: ClusterChange['state'] = change.type === 'deleted' ? { deleted: true } : { deleted: false, object: change.object };
        const passed: ClusterChange = { kind: change.kind, key: change.key, state, ...(time === undefined ? {} : { triggerTime: time }) };
        handlers.onChange(passed);
      },
      onHealth: (health) => {
        if (health.relists > relists) handlers.onRelisted?.();
        relists = health.relists;
        if (!down && !health.connected && health.lastError) {
          down = true;
          log.error(health.lastError.error, 'The API server is unreachable; the kernel state is kept as it is until it is back');
        } else if (down && health.connected) {
          down = false;
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
