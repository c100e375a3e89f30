// What the proxier checks and prepares on the node before its first sync, as
// kube-proxy's IPVS mode does: the kernel modules it needs, the sysctls it
// sets (only checked where /proc/sys is read-only, as in the chart), which
// iptables backend the node uses, and which IP families it can serve (one
// proxier per family, as kube-proxy runs them, when that family's iptables
// works). Anything missing stops the start with one sentence per problem.
import { release } from 'node:os';
import type { CommandRunner } from '../kernel/index.js';
import { applySysctls, checkKernelModules, CommandError, detectIptablesBackend, iptablesTools, type IptablesToolset } from '../kernel/index.js';
import type { IptablesBackendChoice } from '../config/flags/parse.js';
import type { IpFamily } from '../proxy/index.js';
import { desiredSysctls } from '../proxy/sysctls.js';
import { ProxierStartError } from './errors.js';
import type { Logger } from './log/logger.js';

export interface NodeSetup {
  readonly iptables: IptablesToolset;
  /** The families served, IPv4 first. */
  readonly families: readonly IpFamily[];
  readonly iptablesRandomFully: boolean;
}

export interface NodeSetupOptions {
  /** --iptables-backend: "auto" detects it. */
  readonly iptablesBackend: IptablesBackendChoice;
  readonly scheduler: string;
  readonly strictARP: boolean;
  readonly run: CommandRunner;
  readonly log: Logger;
  readonly procSysDir?: string;
}

async function works(run: CommandRunner, argv: readonly string[]): Promise<string | undefined> {
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof CommandError) return undefined;
    throw err;
  }
}

export async function prepareNode(options: NodeSetupOptions): Promise<NodeSetup> {
  const { log, run } = options;
  const kernelRelease = release();
  const problems: string[] = [];

  const missing = await checkKernelModules({ scheduler: options.scheduler, kernelRelease });
  problems.push(...missing.map((m) => m.userMessage));

  const sysctls = await applySysctls(desiredSysctls(options.strictARP, kernelRelease), options.procSysDir);
  for (const { sysctl, previous } of sysctls.changed) log.info('Set sysctl', { name: sysctl.name, value: sysctl.value, previous });
  problems.push(...sysctls.problems.map((p) => p.userMessage));

  let iptables: IptablesToolset;
  try {
    const choice =
      options.iptablesBackend === 'auto' ? await detectIptablesBackend(run) : { backend: options.iptablesBackend, reason: '--iptables-backend' };
    log.info('Using iptables backend', { backend: choice.backend, reason: choice.reason });
    iptables = iptablesTools(choice.backend);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    problems.push(`iptables does not work on this node (${detail}); kipvs needs iptables-nft or iptables-legacy with their -save and -restore tools`);
    throw new ProxierStartError(problems, { cause: err });
  }
  if (problems.length > 0) throw new ProxierStartError(problems);

  const ipv6 = await works(run, [iptables.inet6.save, '-t', 'nat']);
  if (ipv6 === undefined) log.info('ip6tables does not work here: serving IPv4 only');
  const version = (await works(run, [iptables.inet.save.replace(/-save$/, ''), '--version'])) ?? '';
  return {
    iptables,
    families: ipv6 === undefined ? ['IPv4'] : ['IPv4', 'IPv6'],
    iptablesRandomFully: hasRandomFully(version),
  };
}

/** `iptables --version` text ("iptables v1.8.9 (legacy)") → whether --random-fully exists (>= 1.6.2). */
export function hasRandomFully(versionText: string): boolean {
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(versionText);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  return major > 1 || (major === 1 && (minor > 6 || (minor === 6 && patch >= 2)));
}
