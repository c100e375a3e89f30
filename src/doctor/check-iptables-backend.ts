// Which iptables backend the node's service rules live in. The xtables tools
// come in two builds, legacy (the kernel's x_tables) and nft (nf_tables), and
// each sees only its own rules. The kubelet marks the one it uses with
// KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY, and kipvs's image picks that one
// (image/kipvs-iptables-select), as kube-proxy's does. KUBE- chains in both
// mean a proxy (or a leftover of one) on the other backend than the kubelet's,
// or two proxies: the kernel evaluates both, and their rules contradict.
import type { IptablesBackend, IptablesSaveFacts } from './facts.js';
import { pass, warn, type Finding } from './finding.js';

const CHECK = 'iptables-backend';

/** The chains named KUBE-* an iptables-save output declares (":KUBE-SERVICES - [0:0]"). */
export function countKubeChains(saveOutput: string): number {
  return saveOutput.split('\n').filter((line) => line.startsWith(':KUBE-')).length;
}

/** The backend with KUBE- chains, when exactly one has them. */
export function backendInUse(facts: readonly IptablesSaveFacts[]): IptablesBackend | undefined {
  const withChains = facts.filter((f) => f.state === 'read' && f.kubeChains > 0);
  return withChains.length === 1 ? withChains[0]?.backend : undefined;
}

const describe = (f: IptablesSaveFacts): string =>
  f.state === 'absent' ? `iptables-${f.backend}-save not found` : f.state === 'failed' ? `iptables-${f.backend}-save failed: ${f.message}` : `${f.backend} ${f.kubeChains} KUBE- chains`;

export function checkIptablesBackend(facts: readonly IptablesSaveFacts[]): Finding {
  const summary = facts.map(describe).join(', ');
  const read = facts.filter((f) => f.state === 'read');
  const withChains = read.filter((f) => f.kubeChains > 0);
  if (withChains.length > 1) {
    return warn(CHECK, `iptables: KUBE- chains in both backends (${summary}); two proxies, or a proxy and another's leftovers, are programming different tables`, 'stop the other proxy, then remove its rules: run its --cleanup with the backend kipvs does not use');
  }
  if (read.length === 0) {
    return warn(CHECK, `iptables: neither backend could be read (${summary})`, 'install iptables (both the legacy and nft tools) where doctor runs, or run doctor in the kipvs image');
  }
  const inUse = backendInUse(facts);
  if (inUse) return pass(CHECK, `iptables: ${inUse} backend in use (${summary})`);
  return pass(CHECK, `iptables: no KUBE- chains yet (${summary}); kipvs's image will use the backend holding the most rules`);
}
