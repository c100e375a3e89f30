// A long-lived process inside a network namespace. netns.ts runs commands to completion
// (`ns.run`, `ns.node`); a helper, or a daemon under test, lives for a whole test, so it is started
// here the same way: through `ip netns exec`, which execs the program itself, so the child's pid
// is the program's and a signal sent to the child reaches it.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { repoRoot, type Netns } from '../uml/netns.js';

export type PipedChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** Starts `program args...` in `netns` (paths relative to the repository root), stdio piped. */
export function spawnInNetns(netns: Netns, program: string, args: readonly string[]): PipedChild {
  const prefix = netns.name === undefined ? [] : ['ip', 'netns', 'exec', netns.name];
  const [first = program, ...rest] = [...prefix, program, ...args];
  return spawn(first, rest, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
}
