// Running the built kipvs CLI inside a test namespace, as an operator would.
import { resolve } from 'node:path';
import { repoRoot, type Netns, type RunOptions } from '../uml/netns.js';

export const KIPVS = resolve(repoRoot, 'bin/kipvs');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `kipvs ARGS` in the namespace; a non-zero exit status is a result, not an exception. */
export async function kipvs(
  netns: Netns,
  args: readonly string[],
  options: Omit<RunOptions, 'allowFailure'> = {},
): Promise<CliResult> {
  const { status, stdout, stderr } = await netns.run(KIPVS, args, { ...options, allowFailure: true });
  return { status, stdout, stderr };
}

/** ipvsadm's output as lines, without the empty string after the last newline. */
export async function ipvsadmLines(netns: Netns, args: readonly string[]): Promise<string[]> {
  return (await netns.run('ipvsadm', args)).stdout.split('\n').filter((line) => line !== '');
}
