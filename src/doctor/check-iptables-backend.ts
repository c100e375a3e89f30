// Which iptables backend the node's Kubernetes rules live in. The xtables
// tools come in two builds, legacy (the kernel's x_tables) and nft
// (nf_tables), and each sees only its own rules. The kubelet marks the one it
// uses with KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY, and kipvs picks that one
// as kube-proxy's images do (src/kernel/iptables-tools.ts chooseIptablesBackend,
// image/kipvs-iptables-select), unless --iptables-backend says otherwise.
// Kubernetes rules in both backends mean a proxy (or a leftover of one) on the
// other backend than the kubelet's, or two proxies: the kernel evaluates both.
import type { IptablesBackendChoice } from '../config/flags/parse.js';
import { chooseIptablesBackend, type BackendChoice } from '../kernel/index.js';
import type { IptablesBackendFacts, IptablesFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

const CHECK = 'iptables-backend';

/** The backend kipvs proxy would program with this --iptables-backend. */
export function kipvsBackend(facts: IptablesFacts, configured: IptablesBackendChoice): BackendChoice {
  return configured === 'auto'
    ? chooseIptablesBackend(facts.nft.probe, facts.legacy.probe)
    : { backend: configured, reason: '--iptables-backend' };
}

const describe = ({ backend, probe, failure }: IptablesBackendFacts): string =>
  failure
    ? `${backend}: ${failure.kind === 'not-found' ? 'tools not found' : failure.message}`
    : `${backend}: ${probe.kubeRules} Kubernetes rules${probe.kubeletChain ? ", the kubelet's chain" : ''}`;

export function checkIptablesBackend(facts: IptablesFacts, configured: IptablesBackendChoice): Finding {
  const { nft, legacy } = facts;
  const summary = `${describe(nft)}; ${describe(legacy)}`;
  if (nft.probe.kubeRules > 0 && legacy.probe.kubeRules > 0) {
    return warn(
      CHECK,
      `iptables: Kubernetes rules in both backends (${summary}); two proxies, or a proxy and another's leftovers, program different tables`,
      'stop the other proxy, then remove its rules: run its --cleanup with the backend kipvs does not use',
    );
  }
  if (!nft.probe.works && !legacy.probe.works) {
    return warn(
      CHECK,
      `iptables: neither backend could be read (${summary})`,
      "run doctor where kipvs runs (the kipvs image has both backends' tools), with its capabilities",
    );
  }
  const choice = kipvsBackend(facts, configured);
  const chosen = choice.backend === 'nft' ? nft : legacy;
  if (!chosen.probe.works) {
    return fail(
      CHECK,
      `iptables: kipvs would program ${choice.backend} (${choice.reason}), whose tools fail here (${summary})`,
      'set --iptables-backend=auto, or install and enable that backend',
    );
  }
  const kubelet = nft.probe.kubeletChain ? 'nft' : legacy.probe.kubeletChain ? 'legacy' : undefined;
  if (kubelet !== undefined && kubelet !== choice.backend) {
    return warn(
      CHECK,
      `iptables: kipvs would program ${choice.backend} (${choice.reason}) but the kubelet uses ${kubelet} (${summary}); the two never see each other's rules`,
      `set --iptables-backend=auto (or ${kubelet})`,
    );
  }
  return pass(CHECK, `iptables: kipvs would program ${choice.backend}: ${choice.reason} [${summary}]`);
}
