// The kernel modules kube-proxy's IPVS mode requires, loaded or built in: the
// daemon's own list and lookup (src/kernel/kernel-modules.ts), read under the
// host root. kipvs's own container cannot load modules (no CAP_SYS_MODULE):
// the chart's node-init container, or the node's modules-load.d, does.
import type { ModuleFacts } from './facts.js';
import { fail, pass, type Finding } from './finding.js';

const CHECK = 'kernel-modules';

export function checkKernelModules(facts: ModuleFacts): Finding {
  if (facts.missing.length > 0) {
    return fail(
      CHECK,
      `kernel modules: ${facts.missing.join(', ')} neither loaded nor built in; IPVS mode requires ${facts.required.join(', ')}`,
      `modprobe ${facts.missing.join(' ')}, and list them in /etc/modules-load.d/ (or keep the chart's nodeInit.enabled)`,
    );
  }
  return pass(CHECK, `kernel modules: ${facts.required.join(', ')} loaded or built in`);
}
