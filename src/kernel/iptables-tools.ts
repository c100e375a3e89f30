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

/** What one backend's save commands showed, and whether it took a harmless write. */
export interface BackendProbe {
  /**
   * iptables-save (IPv4) ran and iptables-restore could write; false when the backend is
   * missing from the kernel or the image. A save alone proves little: iptables-nft-save lists an
   * empty ruleset on a kernel without nf_tables for IPv4, where every write fails.
   */
  readonly works: boolean;
  /** Why it does not work, in the tool's own words. */
  readonly failure?: string;
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

/**
 * What a backend's saves (one text per family; undefined when the command failed) show;
 * `failure` says why the backend cannot be used (its save or its write failed).
 */
export function probeBackend(
  saves: { readonly inet: string | undefined; readonly inet6: string | undefined },
  failure?: string,
): BackendProbe {
  const lines = [saves.inet, saves.inet6].flatMap((text) => (text === undefined ? [] : text.split('\n')));
  return {
    works: saves.inet !== undefined && failure === undefined,
    ...(failure !== undefined && { failure }),
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
  if (!nft.works && legacy.works)
    return { backend: 'legacy', reason: `iptables-nft does not work here (${nft.failure ?? 'its save failed'})` };
  if (nft.works && !legacy.works)
    return { backend: 'nft', reason: `iptables-legacy does not work here (${legacy.failure ?? 'its save failed'})` };
  if (nft.kubeletChain) return { backend: 'nft', reason: "the kubelet's chain is in the nf_tables mangle table" };
  if (legacy.kubeletChain) return { backend: 'legacy', reason: "the kubelet's chain is in the legacy mangle table" };
  if (legacy.kubeRules > 0 && nft.kubeRules === 0) {
    return { backend: 'legacy', reason: `only legacy has Kubernetes rules (${legacy.kubeRules})` };
  }
  return {
    backend: 'nft',
    reason: `nft by default (Kubernetes rules: nft ${nft.kubeRules}, legacy ${legacy.kubeRules})`,
  };
}

/** The backends that were tried (both, or the one --iptables-backend names) cannot be used: why, in the tools' words. */
export class IptablesBackendError extends Error {
  override readonly name = 'IptablesBackendError';
  readonly userMessage: string;
  constructor(readonly failures: Readonly<Partial<Record<IptablesBackend, string>>>) {
    const each = Object.entries(failures).map(([backend, failure]) => `iptables-${backend}: ${failure}`);
    super(
      `${each.length > 1 ? 'neither iptables backend can write here' : 'the iptables backend cannot write here'}: ${each.join('; ')}`,
    );
    this.userMessage = this.message;
  }
}

/**
 * A write that leaves no trace: a chain made and removed again in one commit of the filter
 * table (the table itself is made when missing, as the first sync would make it). It fails
 * where the backend cannot write, as iptables-nft on a kernel without nf_tables for the
 * family ("TABLE_ADD failed (Operation not supported)").
 */
const WRITE_PROBE = '*filter\n:KIPVS-WRITE-PROBE - [0:0]\n-X KIPVS-WRITE-PROBE\nCOMMIT\n';

/** The tool's words when a harmless write fails; undefined when it succeeded. */
export async function probeWrite(run: CommandRunner, tools: IptablesTools): Promise<string | undefined> {
  try {
    await run([tools.restore, '-w', '5', '-W', '100000', '--noflush'], { input: WRITE_PROBE });
    return undefined;
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    return failureText(err);
  }
}

const failureText = (err: CommandError): string =>
  err.kind === 'failed' && err.stderr !== '' ? err.stderr.replace(/\s*\n\s*/g, ' ') : err.message;

/**
 * Runs each backend's save commands and a harmless write, and chooses; throws
 * IptablesBackendError when neither works.
 */
export async function detectIptablesBackend(run: CommandRunner): Promise<BackendChoice> {
  const probe = async (backend: IptablesBackend): Promise<BackendProbe> => {
    const tools = iptablesTools(backend);
    const save = async (family: AddressFamily): Promise<{ text?: string; failure?: string }> => {
      try {
        return { text: await run([tools[family].save]) };
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        return { failure: failureText(err) };
      }
    };
    const [inet, inet6] = await Promise.all([save('inet'), save('inet6')]);
    const failure = inet.failure ?? (await probeWrite(run, tools.inet));
    return probeBackend({ inet: inet.text, inet6: inet6.text }, failure);
  };
  const [nft, legacy] = await Promise.all([probe('nft'), probe('legacy')]);
  if (!nft.works && !legacy.works)
    throw new IptablesBackendError({ nft: nft.failure ?? '', legacy: legacy.failure ?? '' });
  return chooseIptablesBackend(nft, legacy);
}
