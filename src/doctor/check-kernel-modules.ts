// The kernel modules kube-proxy's IPVS mode requires, loaded or built in: the
// daemon's own list and lookup (src/kernel/kernel-modules.ts), read under the
// host root. kipvs's own container cannot load modules (no CAP_SYS_MODULE):
// the chart's node-init container, or the node's modules-load.d, does.
import { SCHEDULERS } from '../ipvs/types.js';
import type { ModuleFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

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

/**
 * The schedulers Services may pick by annotation (kipvs.io/ipvs-scheduler, docs/schedulers.md):
 * a Service asking for one the kernel lacks keeps the node's scheduler, with a Warning Event.
 * twos came with Linux 6.2: its absence from an older kernel is no warning.
 */
export function checkSchedulers(facts: ModuleFacts): Finding {
  const check = 'ipvs-schedulers';
  if (facts.schedulers === undefined) {
    return warn(
      check,
      'IPVS schedulers: which ones this kernel has is unknown (no modules.dep under /lib/modules)',
      "mount the node's /lib/modules (the chart does, read-only), so that kipvs knows which schedulers Services may pick",
    );
  }
  const missing = SCHEDULERS.filter((s) => s !== 'twos' && !facts.schedulers?.includes(s));
  if (missing.length > 0) {
    return warn(
      check,
      `IPVS schedulers: ${missing.join(', ')} not installed; a Service picking one by annotation keeps the node's scheduler`,
      `install the kernel's IPVS modules (${missing.map((s) => `ip_vs_${s}`).join(', ')})`,
    );
  }
  return pass(check, `IPVS schedulers Services may pick: ${facts.schedulers.join(', ')}`);
}
