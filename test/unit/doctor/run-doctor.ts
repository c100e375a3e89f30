// doctor's gatherer and checks, run in-process on a host tree (or this machine): every fact read from real files.
import { diagnose } from '../../../src/doctor/diagnose.js';
import type { Finding } from '../../../src/doctor/finding.js';
import { gatherFacts } from '../../../src/doctor/gather.js';
import { runCommand, type CommandRunner } from '../../../src/kernel/index.js';

export interface RunOptions {
  readonly allowExposedMetrics?: boolean;
  /** Where the iptables save tools are; by default a directory without them, so that neither is found. */
  readonly toolsDir?: string;
  readonly uid?: number;
}

/** The findings for proxy flags given as {name: value}, keyed by check. */
/** `root`: the host tree's root (host-tree.ts), or "/" for this machine. */
export async function findingsFor(
  root: string,
  flags: Readonly<Record<string, string>>,
  options: RunOptions = {},
): Promise<Map<string, Finding>> {
  const facts = await gatherFacts({
    flags: new Map(Object.entries(flags).map(([name, value]) => [name, [value]])),
    hostRoot: root,
    run: toolsIn(options.toolsDir ?? '/nonexistent'),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
  });
  const findings = diagnose(facts, { allowExposedMetrics: options.allowExposedMetrics ?? false });
  return new Map(findings.map((f) => [f.check, f]));
}

/** The one finding of `check`; throws when there is none. */
export function finding(findings: ReadonlyMap<string, Finding>, check: string): Finding {
  const found = findings.get(check);
  if (!found) throw new Error(`no finding "${check}" among ${[...findings.keys()].join(', ')}`);
  return found;
}

/** Runs the tools from `dir` (real programs, or links to them), as if it alone were the PATH. */
export function toolsIn(dir: string): CommandRunner {
  return ([program, ...args], options) => runCommand([`${dir}/${program ?? ''}`, ...args], options);
}
