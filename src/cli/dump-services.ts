// `kipvs dump --services`: the Service port behind each virtual server, from
// one list of the cluster's Services (the same watch kipvs proxy uses, stopped
// as soon as its first lists are in). Credentials are kube-proxy's: a
// kubeconfig (--kubeconfig, else $KUBECONFIG), --master, or the in-cluster
// service account, checked by the same code as `kipvs proxy`'s.
import { hostname } from 'node:os';
import packageJson from '../../package.json' with { type: 'json' };
import { applyKubeProxyDefaults, describeConnection, resolveApiServerConnection } from '../config/index.js';
import type { LiveVirtualServer } from '../ipvs/index.js';
import { validateService } from '../proxy/index.js';
import type { ValidService } from '../proxy/service-input.js';
import { virtualServerLabeler, type VirtualServerLabel } from '../proxy/virtual-server-labels.js';
import { UserFacingError } from './exit.js';

/** Failures a retry does not mend. */
const HOPELESS = new Set<string>(['unauthorized', 'forbidden', 'tls', 'credentials']);

export interface ClusterAccess {
  readonly kubeconfig?: string;
  readonly master?: string;
  /** How long to wait for the lists. */
  readonly timeoutMs: number;
}

export async function serviceLabels(
  access: ClusterAccess,
): Promise<(service: LiveVirtualServer) => VirtualServerLabel | undefined> {
  const { connection } = await resolveApiServerConnection({
    clientConnection: {
      ...applyKubeProxyDefaults({}).clientConnection,
      kubeconfig: access.kubeconfig ?? process.env['KUBECONFIG'] ?? '',
    },
    allowInsecureApiserver: false,
    ...(access.master !== undefined ? { master: access.master } : {}),
  });
  const { ClusterWatch } = await import('../k8s/index.js');
  // The watch retries every failure, as the daemon must; a one-shot command gives up at once
  // when retrying cannot help (refused credentials, an untrusted certificate), else at the timeout.
  let refuse: (why: string) => void = () => undefined;
  const refused = new Promise<string>((resolve) => (refuse = resolve));
  const watch = new ClusterWatch({
    connection,
    nodeName: hostname().toLowerCase(),
    userAgent: `kipvs/${packageJson.version} (dump)`,
    onHealth: (health) => {
      const error = health.lastError?.error;
      if (error && HOPELESS.has(error.kind)) refuse(error.message);
    },
  });
  watch.start();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<string>(
    (resolve) =>
      (timer = setTimeout(() => resolve(watch.health().lastError?.error.message ?? 'no answer'), access.timeoutMs)),
  );
  try {
    const failure = await Promise.race([watch.whenSynced(), refused, timedOut]);
    if (typeof failure === 'string')
      throw new UserFacingError(`could not list Services from the ${describeConnection(connection)}: ${failure}`);
    const services = watch.snapshot().services.flatMap((raw): ValidService[] => {
      const { value } = validateService(raw);
      return value ? [value] : [];
    });
    const label = virtualServerLabeler(services);
    return (service) => label(service.key);
  } finally {
    clearTimeout(timer);
    await watch.stop();
  }
}
