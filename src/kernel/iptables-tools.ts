// Which iptables binaries to run. A node has two backends, nf_tables (iptables-nft) and
// the old xtables (iptables-legacy), and rules written with one are invisible to the other:
// kipvs must use the one the kubelet and the CNI use. The image decides before kipvs starts
// (image/kipvs-iptables-select puts the chosen backend's plain `iptables-save` etc. first
// on PATH); outside the image, detectIptablesBackend asks the node the same questions.
import type { AddressFamily } from '../net/ip-address.js';
import { CommandError, type CommandRunner } from './command.js';

/** The save and restore commands of one family. */
export interface IptablesTools {
  readonly save: string;
  readonly restore: string;
}

export type IptablesToolset = Readonly<Record<AddressFamily, IptablesTools>>;

export type IptablesBackend = 'nft' | 'legacy';

const FAMILY_PREFIX: Record<AddressFamily, string> = { inet: 'iptables', inet6: 'ip6tables' };

/**
 * The tools of a backend ("iptables-legacy-save"), or, without one, the plain names
 * ("iptables-save"): whatever the PATH gives, as in the image.
 */
export function iptablesTools(backend?: IptablesBackend): IptablesToolset {
  const tools = (family: AddressFamily): IptablesTools => {
    const base = backend === undefined ? FAMILY_PREFIX[family] : `${FAMILY_PREFIX[family]}-${backend}`;
    return { save: `${base}-save`, restore: `${base}-restore` };
  };
  return { inet: tools('inet'), inet6: tools('inet6') };
}

/**
 * The arguments of iptables-restore as kube-proxy runs it (pkg/util/iptables): wait up to
 * 5 s for the xtables lock, polling every 100 ms (-w 5 -W 100000), so that a rewrite never
 * races the kubelet's or a CNI's; keep everything not in the input (--noflush); take the
 * input's counters (--counters, the IPVS proxier's RestoreCounters).
 */
export const RESTORE_ARGUMENTS = ['-w', '5', '-W', '100000', '--noflush', '--counters'] as const;

/** What one backend's save commands showed. */
export interface BackendProbe {
  /** iptables-save (IPv4) ran; false when the backend is missing from the kernel or the image. */
  readonly works: boolean;
  /**
   * The kubelet's chain (KUBE-IPTABLES-HINT since Kubernetes 1.24, KUBE-KUBELET-CANARY since
   * 1.17) is in the backend's mangle table: the kubelet uses this backend.
   */
  readonly kubeletChain: boolean;
  /** Rules in KUBE- chains or jumping to one, IPv4 and IPv6. */
  readonly kubeRules: number;
}

export interface BackendChoice {
  readonly backend: IptablesBackend;
  /** Why, in a few words, for the start-up log. */
  readonly reason: string;
}

/** What a backend's saves (one text per family; undefined when the command failed) show. */
export function probeBackend(saves: { readonly inet: string | undefined; readonly inet6: string | undefined }): BackendProbe {
  const lines = [saves.inet, saves.inet6].flatMap((text) => (text === undefined ? [] : text.split('\n')));
  return {
    works: saves.inet !== undefined,
    kubeletChain: lines.some((line) => /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY) /.test(line)),
    kubeRules: lines.filter((line) => line.startsWith('-A ') && line.includes('KUBE-')).length,
  };
}

/**
 * The backend to use, as the image's selection and kube-proxy's iptables-wrapper decide:
 * the one that works when only one does; else the kubelet's; else legacy when only legacy
 * holds Kubernetes rules (a node set up before nft was the default); else nft.
 */
export function chooseIptablesBackend(nft: BackendProbe, legacy: BackendProbe): BackendChoice {
  if (!nft.works && legacy.works) return { backend: 'legacy', reason: 'iptables-nft does not work here' };
  if (nft.works && !legacy.works) return { backend: 'nft', reason: 'iptables-legacy does not work here' };
  if (nft.kubeletChain) return { backend: 'nft', reason: "the kubelet's chain is in the nf_tables mangle table" };
  if (legacy.kubeletChain) return { backend: 'legacy', reason: "the kubelet's chain is in the legacy mangle table" };
  if (legacy.kubeRules > 0 && nft.kubeRules === 0) {
    return { backend: 'legacy', reason: `only legacy has Kubernetes rules (${legacy.kubeRules})` };
  }
  return { backend: 'nft', reason: `nft by default (Kubernetes rules: nft ${nft.kubeRules}, legacy ${legacy.kubeRules})` };
}

/** Runs each backend's save commands and chooses; throws the nft error when neither works. */
export async function detectIptablesBackend(run: CommandRunner): Promise<BackendChoice> {
  const probe = async (backend: IptablesBackend): Promise<{ probe: BackendProbe; error?: CommandError }> => {
    const tools = iptablesTools(backend);
    let error: CommandError | undefined;
    const save = async (family: AddressFamily): Promise<string | undefined> => {
      try {
        return await run([tools[family].save]);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        if (family === 'inet') error = err;
        return undefined;
      }
    };
    const [inet, inet6] = await Promise.all([save('inet'), save('inet6')]);
    return { probe: probeBackend({ inet, inet6 }), ...(error && { error }) };
  };
  const [nft, legacy] = await Promise.all([probe('nft'), probe('legacy')]);
  if (!nft.probe.works && !legacy.probe.works && nft.error) throw nft.error;
  return chooseIptablesBackend(nft.probe, legacy.probe);
}
