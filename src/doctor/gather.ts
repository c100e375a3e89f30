// All of doctor's facts, gathered at once: the only I/O `kipvs doctor` does.
import { gatherConfigFacts, type ConfigInput } from './gather-config.js';
import { readIptablesBackends } from './gather-iptables.js';
import {
  readCapabilities,
  readKernelRelease,
  readModules,
  readProcesses,
  readRouteLocalnet,
  readSysctls,
} from './gather-kernel.js';
import type { DoctorFacts } from './facts.js';
import type { CommandRunner } from '../kernel/index.js';

export interface GatherInput extends ConfigInput {
  /** Where the node's /proc, /sys and /lib/modules are: "/" on the node itself. */
  readonly hostRoot: string;
  /** Runs iptables-legacy-save and iptables-nft-save (src/kernel's runCommand by default). */
  readonly run?: CommandRunner;
}

export async function gatherFacts(input: GatherInput): Promise<DoctorFacts> {
  const root = input.hostRoot;
  const [configSide, kernelRelease, capabilities, routeLocalnet, iptables, processes] = await Promise.all([
    gatherConfigFacts(input),
    readKernelRelease(root),
    readCapabilities(root),
    readRouteLocalnet(root),
    readIptablesBackends(input.run),
    readProcesses(root),
  ]);
  const { configuration } = configSide;
  const settings = configuration.state === 'resolved' ? configuration.settings : undefined;
  return {
    ...configSide,
    ...(capabilities ? { capabilities } : {}),
    ...(settings ? { modules: await readModules(root, settings.scheduler, kernelRelease) } : {}),
    sysctls: settings ? await readSysctls(root, settings.strictARP, kernelRelease) : [],
    ...(routeLocalnet === undefined ? {} : { routeLocalnet }),
    iptables,
    ...(processes ? { processes } : {}),
  };
}
