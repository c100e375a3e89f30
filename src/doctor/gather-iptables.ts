// Both iptables backends as their own save tools show them (which takes
// CAP_NET_ADMIN, and for iptables-legacy-save CAP_NET_RAW as well), read with
// the kernel layer's tools and probe, as the daemon reads them to choose.
import {
  CommandError,
  iptablesTools,
  probeBackend,
  runCommand,
  type CommandRunner,
  type IptablesBackend,
} from '../kernel/index.js';
import type { IptablesBackendFacts, IptablesFacts } from './facts.js';

/** A save of many thousand rules takes well under a second; a hung one must not hang doctor. */
const TIMEOUT_MS = 10_000;

async function readBackend(backend: IptablesBackend, run: CommandRunner): Promise<IptablesBackendFacts> {
  const tools = iptablesTools(backend);
  const save = async (family: 'inet' | 'inet6'): Promise<{ text?: string; error?: CommandError }> => {
    try {
      return { text: await run([tools[family].save], { timeoutMs: TIMEOUT_MS }) };
    } catch (err) {
      if (err instanceof CommandError) return { error: err };
      throw err;
    }
  };
  const [inet, inet6] = await Promise.all([save('inet'), save('inet6')]);
  const probe = probeBackend({ inet: inet.text, inet6: inet6.text });
  const { error } = inet;
  return error
    ? { backend, probe, failure: { kind: error.kind, message: error.stderr === '' ? error.message : error.stderr } }
    : { backend, probe };
}

export async function readIptablesBackends(run: CommandRunner = runCommand): Promise<IptablesFacts> {
  const [nft, legacy] = await Promise.all([readBackend('nft', run), readBackend('legacy', run)]);
  return { nft, legacy };
}
