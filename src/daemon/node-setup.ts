// What the proxier checks and prepares on the node before its first sync, as
// kube-proxy's IPVS mode does: the kernel modules it needs, the sysctls it
// sets (only checked where /proc/sys is read-only, as in the chart), which
// iptables backend the node uses, and which IP families it can serve (one
// proxier per family, as kube-proxy runs them, when that family's iptables
// works). Anything missing stops the start with one sentence per problem.
import type { IpFamily } from '../net/ip-family.js';
import { availableParallelism, release } from 'node:os';
import type { CommandRunner } from '../kernel/index.js';
import {
  applySysctls,
  availableSchedulers,
  checkKernelModules,
  CommandError,
  runCommand,
  detectIptablesBackend,
  iptablesTools,
  IptablesBackendError,
  probeWrite,
  type BackendChoice,
  type IptablesToolset,
  type SysctlReport,
} from '../kernel/index.js';
import type { IptablesBackendChoice } from '../config/flags/parse.js';
import type { ValidatedProxyConfig } from '../config/index.js';
import { conntrackSettingsFrom } from '../proxy/config-adapter.js';

import { conntrackSysctls, type ConntrackSettings } from '../proxy/conntrack-sysctls.js';
import { desiredSysctls } from '../proxy/sysctls.js';
import { ProxierError } from './errors.js';
import type { Logger } from './log/logger.js';

export interface NodeSetup {
  readonly iptables: IptablesToolset;
  /** The families served, IPv4 first. */
  readonly families: readonly IpFamily[];
  readonly iptablesRandomFully: boolean;
  /** The sysctls written at start, with their values before: kernel changes for the audit trail. */
  readonly sysctlsChanged: SysctlReport['changed'];
  /** The IPVS schedulers the kernel can run (for Services that pick their own); undefined when unknown. */
  readonly kernelSchedulers: readonly string[] | undefined;
}

export interface NodeSetupOptions {
  /** The `conntrack` settings kube-proxy applies at start. */
  readonly conntrack: ConntrackSettings;
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

/** prepareNode's options from the configuration and flags. */
export function nodeSetupOptions(config: ValidatedProxyConfig, log: Logger): NodeSetupOptions {
  return {
    iptablesBackend: config.options.iptablesBackend,
    scheduler: config.ipvs.scheduler,
    strictARP: config.ipvs.strictARP,
    conntrack: conntrackSettingsFrom(config),
    run: runCommand,
    log,
  };
}

export async function prepareNode(options: NodeSetupOptions): Promise<NodeSetup> {
  const { log, run } = options;
  const kernelRelease = release();
  const problems: string[] = [];

  const missing = await checkKernelModules({ scheduler: options.scheduler, kernelRelease });
  problems.push(...missing.map((m) => m.userMessage));
  const kernelSchedulers = await availableSchedulers({ kernelRelease });
  log.info('IPVS schedulers Services may pick', {
    schedulers: kernelSchedulers?.join(',') ?? 'unknown (no modules.dep): every one is tried',
  });

  const sysctls = await applySysctls(desiredSysctls(options.strictARP, kernelRelease), options.procSysDir);
  problems.push(...sysctls.problems.map((p) => p.userMessage));
  // kube-proxy stops when it cannot set these (unless /sys is read-only), which is why kind and
  // others set conntrack.maxPerCore to 0 in network namespaces, where nf_conntrack_max is
  // read-only. They tune capacity, not correctness: kipvs says what it could not set, and runs.
  const conntrack = await applySysctls(conntrackSysctls(options.conntrack, availableParallelism()), options.procSysDir);
  for (const problem of conntrack.problems)
    log.error(undefined, 'Cannot set a conntrack sysctl', { problem: problem.userMessage });
  const changed = [...sysctls.changed, ...conntrack.changed];
  for (const { sysctl, previous } of changed)
    log.info('Set sysctl', { name: sysctl.name, value: sysctl.value, previous });

  const iptables = await chooseIptables(options.iptablesBackend, run, log).catch((err: unknown) => {
    throw new ProxierError([...problems, iptablesProblem(err)], 'cannot start', { cause: err });
  });
  if (problems.length > 0) throw new ProxierError(problems, 'cannot start');
  return {
    iptables,
    families: await servedFamilies(iptables, run, log),
    iptablesRandomFully: await probeRandomFully(iptables, run),
    sysctlsChanged: changed,
    kernelSchedulers,
  };
}

/** Whether this iptables has MASQUERADE --random-fully, from `iptables --version`. */
export async function probeRandomFully(iptables: IptablesToolset, run: CommandRunner): Promise<boolean> {
  return hasRandomFully((await works(run, [iptables.inet.save.replace(/-save$/, ''), '--version'])) ?? '');
}

function iptablesProblem(err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  return `iptables does not work on this node (${detail}); kipvs needs iptables-nft or iptables-legacy with their -save and -restore tools`;
}

/**
 * The tools of the backend --iptables-backend names, or of the one the node uses ("auto");
 * either way one that can write here, else the start stops with the tool's own words.
 */
export async function chooseIptables(
  backend: IptablesBackendChoice,
  run: CommandRunner,
  log: Logger,
): Promise<IptablesToolset> {
  const choice: BackendChoice =
    backend === 'auto' ? await detectIptablesBackend(run) : { backend, reason: '--iptables-backend' };
  const tools = iptablesTools(choice.backend);
  if (backend !== 'auto') {
    const failure = await probeWrite(run, tools.inet);
    if (failure !== undefined) throw new IptablesBackendError({ [backend]: failure });
  }
  log.info('Using iptables backend', { backend: choice.backend, reason: choice.reason });
  return tools;
}

/**
 * IPv4, and IPv6 when ip6tables reads and writes (kube-proxy runs a proxier per family that
 * works; iptables-nft reads an empty ruleset where the kernel has no nf_tables for IPv6).
 */
export async function servedFamilies(iptables: IptablesToolset, run: CommandRunner, log: Logger): Promise<IpFamily[]> {
  const failure =
    (await works(run, [iptables.inet6.save, '-t', 'nat'])) === undefined
      ? 'ip6tables-save failed'
      : await probeWrite(run, iptables.inet6);
  if (failure === undefined) return ['IPv4', 'IPv6'];
  log.info('ip6tables does not work here: serving IPv4 only', { reason: failure });
  return ['IPv4'];
}

/** `iptables --version` text ("iptables v1.8.9 (legacy)") → whether --random-fully exists (>= 1.6.2). */
export function hasRandomFully(versionText: string): boolean {
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(versionText);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  return major > 1 || (major === 1 && (minor > 6 || (minor === 6 && patch >= 2)));
}
