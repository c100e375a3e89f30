// The sysctls kube-proxy's IPVS mode sets (DesiredState.sysctls, src/proxy/sysctls.ts):
// each is read, and written only when different, as kube-proxy's EnsureSysctl does. kipvs's
// own container usually cannot write them: the runtime mounts /proc/sys read-only in an
// unprivileged container (EROFS), and the chart's privileged node-init container sets them
// before kipvs starts. A value that cannot be written is a problem with its fix; the daemon
// refuses to start on one, as kube-proxy does when it cannot ensure a sysctl.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sysctl } from '../contracts/desired-state.js';

/**
 * read-only: /proc/sys is mounted read-only (EROFS); permission-denied: EACCES or EPERM;
 * missing: no such sysctl (ENOENT: net/ipv4/vs/* exist only once ip_vs is loaded);
 * failed: any other error, or a value that is not a number.
 */
export type SysctlProblemKind = 'read-only' | 'permission-denied' | 'missing' | 'failed';

export interface SysctlProblem {
  readonly kind: SysctlProblemKind;
  readonly sysctl: Sysctl;
  /** The value read, when it could be. */
  readonly current?: number;
  /** errno name or what was read. */
  readonly detail: string;
  /** One sentence: what is wrong and the command or setting that fixes it. */
  readonly userMessage: string;
}

export interface SysctlReport {
  /** Written, with the value they had. */
  readonly changed: readonly { readonly sysctl: Sysctl; readonly previous: number }[];
  readonly unchanged: readonly Sysctl[];
  readonly problems: readonly SysctlProblem[];
}

/** "net/ipv4/vs/conntrack" as sysctl(8) names it: "net.ipv4.vs.conntrack". */
export function sysctlDottedName(name: string): string {
  return name.replaceAll('/', '.');
}

function problemKind(code: string | undefined): SysctlProblemKind {
  switch (code) {
    case 'EROFS':
      return 'read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission-denied';
    case 'ENOENT':
      return 'missing';
    default:
      return 'failed';
  }
}

export function sysctlProblem(
  sysctl: Sysctl,
  kind: SysctlProblemKind,
  detail: string,
  current?: number,
): SysctlProblem {
  const command = `sysctl -w ${sysctlDottedName(sysctl.name)}=${sysctl.value}`;
  const want = `${sysctlDottedName(sysctl.name)} should be ${sysctl.value}${current === undefined ? '' : ` (it is ${current})`}`;
  const fix: Record<SysctlProblemKind, string> = {
    'read-only': `/proc/sys is read-only here; run \`${command}\` on the node, or enable the chart's node-init container (nodeInit.enabled: true)`,
    'permission-denied': `kipvs may not write it; run \`${command}\` as root on the node, or enable the chart's node-init container (nodeInit.enabled: true)`,
    missing: sysctl.name.startsWith('net/ipv4/vs/')
      ? 'the kernel has no such sysctl until IPVS is loaded: modprobe ip_vs'
      : 'the kernel has no such sysctl',
    failed: `it could not be set (${detail}); run \`${command}\` on the node`,
  };
  return { kind, sysctl, ...(current !== undefined && { current }), detail, userMessage: `${want}: ${fix[kind]}` };
}

type Outcome = { readonly changed: number } | { readonly unchanged: true } | { readonly problem: SysctlProblem };

async function applyOne(sysctl: Sysctl, procSysDir: string): Promise<Outcome> {
  const path = join(procSysDir, sysctl.name);
  let current: number | undefined;
  try {
    const text = (await readFile(path, 'utf8')).trim();
    current = Number(text);
    if (text === '' || !Number.isInteger(current))
      return { problem: sysctlProblem(sysctl, 'failed', `it reads "${text}", not a number`) };
    if (current === sysctl.value) return { unchanged: true };
    await writeFile(path, `${sysctl.value}\n`);
    return { changed: current };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    return { problem: sysctlProblem(sysctl, problemKind(code), code, current) };
  }
}

export async function applySysctls(sysctls: readonly Sysctl[], procSysDir = '/proc/sys'): Promise<SysctlReport> {
  const outcomes = await Promise.all(sysctls.map((sysctl) => applyOne(sysctl, procSysDir)));
  const report = {
    changed: [] as { sysctl: Sysctl; previous: number }[],
    unchanged: [] as Sysctl[],
    problems: [] as SysctlProblem[],
  };
  outcomes.forEach((outcome, i) => {
    const sysctl = sysctls[i] as Sysctl;
    if ('changed' in outcome) report.changed.push({ sysctl, previous: outcome.changed });
    else if ('unchanged' in outcome) report.unchanged.push(sysctl);
    else report.problems.push(outcome.problem);
  });
  return report;
}
