// Runs the built CLI (bin/kipvs) as a child process, the way a person does.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs as build/test/unit/cli/run-kipvs.js. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface KipvsResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runKipvs(args: readonly string[], input = ''): Promise<KipvsResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(resolve(repoRoot, 'bin/kipvs'), args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
