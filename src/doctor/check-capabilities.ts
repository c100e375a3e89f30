// The capabilities this process runs with (docs/least-privilege.md, measured
// there): CAP_NET_ADMIN for every netlink write kipvs makes, CAP_NET_RAW only
// for iptables-legacy (libiptc opens a raw socket), and nothing else.
import { capabilityName, capabilityNumbers, hasCapability } from './capabilities.js';
import type { IptablesBackendChoice } from '../config/flags/parse.js';
import { kipvsBackend } from './check-iptables-backend.js';
import type { CapabilityFacts, IptablesFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

const CHECK = 'capabilities';
const NEEDED = new Set(['NET_ADMIN', 'NET_RAW']);
const LEAST =
  'the chart drops ALL and adds NET_ADMIN (and NET_RAW for iptables-legacy); outside Kubernetes, e.g. systemd CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW';

/**
 * Whether iptables-legacy may be the node's backend, said as the subject of "cannot open its
 * raw socket". Without NET_RAW iptables-legacy-save itself fails ("Permission denied (you must
 * be root)", measured in UML), and kipvs's automatic choice would then take nft for a legacy
 * node: so a legacy save that failed counts, unless nft visibly holds the node's rules.
 */
function legacyNeedsRaw(iptables: IptablesFacts, configured: IptablesBackendChoice): string | undefined {
  const { nft, legacy } = iptables;
  if (legacy.probe.works)
    return kipvsBackend(iptables, configured).backend === 'legacy' ? 'iptables-legacy, in use here,' : undefined;
  const nftInUse = configured === 'nft' || nft.probe.kubeletChain || nft.probe.kubeRules > 0;
  return legacy.failure?.kind === 'failed' && !nftInUse
    ? `iptables-legacy (its save failed: ${legacy.failure.message})`
    : undefined;
}

/** `iptables`: what the two backends' save tools showed; `configured`: --iptables-backend. */
export function checkCapabilities(
  facts: CapabilityFacts | undefined,
  iptables: IptablesFacts,
  configured: IptablesBackendChoice,
): Finding {
  if (!facts)
    return warn(
      CHECK,
      'capabilities: cannot read CapEff from /proc/self/status',
      'run doctor where /proc is mounted, as kipvs runs',
    );
  const { effective, lastCap } = facts;
  const names = capabilityNumbers(effective).map(capabilityName);
  const listed = names.length === 0 ? 'none' : names.join(', ');
  if (!hasCapability(effective, 'NET_ADMIN')) {
    return fail(
      CHECK,
      `capabilities: no CAP_NET_ADMIN (effective: ${listed}); IPVS, ipset, rtnetlink and conntrack refuse every request`,
      `run kipvs as root with CAP_NET_ADMIN; ${LEAST}`,
    );
  }
  const legacy = hasCapability(effective, 'NET_RAW') ? undefined : legacyNeedsRaw(iptables, configured);
  if (legacy !== undefined) {
    return fail(
      CHECK,
      `capabilities: no CAP_NET_RAW (effective: ${listed}); ${legacy} cannot open its raw socket`,
      `add CAP_NET_RAW; ${LEAST}`,
    );
  }
  const all = (1n << BigInt(lastCap + 1)) - 1n;
  if ((effective & all) === all) {
    return warn(
      CHECK,
      `capabilities: running with all capabilities (0 to ${lastCap}); kipvs needs NET_ADMIN and NET_RAW only`,
      `drop the others: ${LEAST}`,
    );
  }
  const extra = names.filter((name) => !NEEDED.has(name));
  if (extra.length > 0) {
    const needed = names.filter((name) => NEEDED.has(name)).join(', ');
    return warn(
      CHECK,
      `capabilities: ${needed}, and ${extra.length} beyond what kipvs needs: ${extra.join(', ')}`,
      `drop them: ${LEAST}`,
    );
  }
  const note = hasCapability(effective, 'NET_RAW') ? '' : ' (no NET_RAW: enough with iptables-nft)';
  return pass(CHECK, `capabilities: ${listed}${note}`);
}
