// doctor's gatherer and checks, run in-process on a host tree (or this machine): every fact read from real files.
import { diagnose } from '../../../src/doctor/diagnose.js';
import type { Finding } from '../../../src/doctor/finding.js';
import { gatherFacts } from '../../../src/doctor/gather.js';

export interface RunOptions {
  readonly allowExposedMetrics?: boolean;
  /** PATH for the iptables save tools; empty by default, so that neither is found. */
  readonly searchPath?: string;
  readonly uid?: number;
}

/** The findings for proxy flags given as {name: value}, keyed by check. */
/** `root`: the host tree's root (host-tree.ts), or "/" for this machine. */
export async function findingsFor(root: string, flags: Readonly<Record<string, string>>, options: RunOptions = {}): Promise<Map<string, Finding>> {
  const facts = await gatherFacts({
    flags: new Map(Object.entries(flags).map(([name, value]) => [name, [value]])),
    hostRoot: root,
    searchPath: options.searchPath ?? '',
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
