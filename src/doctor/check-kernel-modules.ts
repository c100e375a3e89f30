// The kernel modules IPVS mode needs, loaded or built in. kube-proxy's IPVS
// proxier requires ip_vs, nf_conntrack (nf_conntrack_ipv4 before Linux 4.19)
// and the configured scheduler's module; ip_vs_rr, ip_vs_wrr and ip_vs_sh are
// the schedulers it loads as well, wanted but not needed by a node using another.
// kipvs's own container cannot load modules (no CAP_SYS_MODULE): the chart's
// node-init container, or the node's modules-load.d, does.
import type { ModuleFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

const CHECK = 'kernel-modules';
const COMMON_SCHEDULERS = ['ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh'];

/** Each needed module, with the names that satisfy it. */
function neededModules(scheduler: string): string[][] {
  return [['ip_vs'], [`ip_vs_${scheduler}`], ['nf_conntrack', 'nf_conntrack_ipv4']];
}

export function checkKernelModules(facts: ModuleFacts, scheduler: string): Finding {
  const needed = neededModules(scheduler);
  const missing = needed.filter((names) => !names.some((n) => facts.present.has(n))).map((names) => names[0] ?? '');
  const wanted = COMMON_SCHEDULERS.filter((m) => m !== `ip_vs_${scheduler}`);
  const missingWanted = wanted.filter((m) => !facts.present.has(m));
  const all = [...needed.map((names) => names.find((n) => facts.present.has(n)) ?? names[0] ?? ''), ...wanted];
  const fix = (modules: readonly string[]): string =>
    `modprobe ${modules.join(' ')}, and list them in /etc/modules-load.d/ (or keep the chart's nodeInit.enabled, with nodeInit.extraModules for schedulers Services ask for)`;
  if (missing.length > 0) {
    return fail(CHECK, `kernel modules: ${missing.join(', ')} neither loaded nor built in; IPVS mode with scheduler ${scheduler} needs them`, fix([...missing, ...missingWanted]));
  }
  if (missingWanted.length > 0) {
    return warn(CHECK, `kernel modules: ${missingWanted.join(', ')} not loaded; Services cannot use those schedulers`, fix(missingWanted));
  }
  return pass(CHECK, `kernel modules: ${all.join(', ')} loaded or built in`);
}
