// All of doctor's facts, gathered at once: the only I/O `kipvs doctor` does.
import { gatherConfigFacts, type ConfigInput } from './gather-config.js';
import { readIptablesBackends } from './gather-iptables.js';
import { readCapabilities, readKernelRelease, readModules, readProcesses, readRouteLocalnet, readSysctls } from './gather-kernel.js';
import type { DoctorFacts } from './facts.js';

export interface GatherInput extends ConfigInput {
  /** Where the node's /proc, /sys and /lib/modules are: "/" on the node itself. */
  readonly hostRoot: string;
  /** Directories searched for iptables-legacy-save and iptables-nft-save, as PATH. */
  readonly searchPath: string;
}

export async function gatherFacts(input: GatherInput): Promise<DoctorFacts> {
  const root = input.hostRoot;
  const [configSide, kernelRelease, capabilities, routeLocalnet, iptables, processes] = await Promise.all([
    gatherConfigFacts(input),
    readKernelRelease(root),
    readCapabilities(root),
    readRouteLocalnet(root),
    readIptablesBackends(input.searchPath),
    readProcesses(root),
  ]);
  const { configuration } = configSide;
  const sysctls = configuration.state === 'resolved' ? await readSysctls(root, configuration.settings.strictARP, kernelRelease) : [];
  return {
    ...configSide,
    ...(capabilities ? { capabilities } : {}),
    modules: await readModules(root, kernelRelease),
    sysctls,
    ...(routeLocalnet === undefined ? {} : { routeLocalnet }),
    iptables,
    ...(processes ? { processes } : {}),
  };
}
