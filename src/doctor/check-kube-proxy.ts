// kube-proxy on the same node: two proxies program the same IPVS table,
// ipsets and KUBE- chains, each removing what the other adds at every sync.
// docs/migration.md moves nodes from one to the other by node label.
import type { ProcessFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

const CHECK = 'kube-proxy';

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export function isKubeProxy(process: ProcessFacts): boolean {
  return process.comm === 'kube-proxy' || baseName(process.argv0) === 'kube-proxy';
}

export function checkKubeProxy(processes: readonly ProcessFacts[] | undefined): Finding {
  if (!processes)
    return warn(
      CHECK,
      'kube-proxy: cannot list /proc',
      'run doctor with the host /proc (hostPID, or --host-root on a mounted host filesystem)',
    );
  const found = processes.filter(isKubeProxy);
  if (found.length > 0) {
    return fail(
      CHECK,
      `kube-proxy is running (pid ${found.map((p) => p.pid).join(', ')}): it and kipvs program the same IPVS table, ipsets and iptables chains and undo each other`,
      'stop kube-proxy on this node: keep its DaemonSet off the nodes kipvs runs on (docs/migration.md), or stop its service',
    );
  }
  return pass(
    CHECK,
    `kube-proxy: not running (${processes.length} processes seen; without the host's PID namespace only the container's are visible)`,
  );
}
