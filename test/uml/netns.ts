// Network namespaces for kernel tests and benchmarks: IPVS state (and links, ipsets, iptables)
// is per network namespace, so `ip netns add` gives a brand-new, empty IPVS table.
//
// Two kinds of namespace, one interface (`Netns`):
// - `ownNetns()`: the namespace of this very process. kernel-tests.sh starts Jest in a namespace
//   of its own (`unshare --net`), so this is where our in-process netlink client talks to the
//   kernel; every kernel test file (run one at a time) shares it, so clean up what you create.
// - `createFreshNetns()` / `withFreshNetns()`: a new named namespace (`ip netns add`) with `lo`
//   up. Commands and child `node` processes run inside it through `ip netns exec`. Node cannot
//   move a running process (or one thread of it) into another namespace, so code of ours that
//   must run in a fresh namespace runs as a child process there (`ns.node([...])`).
//
// Two traps, from ../../../shared/kernel-testing.md:
// - Until an address is up, IPVS rejects every real server with EINVAL: we bring `lo` up.
// - IPVS keeps deleted real servers in a per-namespace trash list for minutes and every new real
//   server scans it: after a flush (`ipvsadm -C`), adding 10,000 x 10 took 57 s instead of
//   0.25 s. Never time anything, nor build a large table, after a flush in the same namespace:
//   use a fresh namespace for that.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory (this file runs as build/test/uml/netns.js). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CommandResult {
  /** The command line as run, for messages. */
  readonly command: string;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input. */
  readonly input?: string | Buffer;
  /** Return a non-zero exit status as a result instead of throwing. */
  readonly allowFailure?: boolean;
  /** Replaces the inherited environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export class CommandFailedError extends Error {
  constructor(readonly result: CommandResult) {
    const stderr = result.stderr.trim();
    super(`${result.command} exited with status ${result.status}${stderr ? `: ${stderr}` : ''}`);
    this.name = 'CommandFailedError';
  }
}

export interface Netns {
  /** The `ip netns` name, or undefined for this process's own namespace. */
  readonly name: string | undefined;
  /** Runs a program inside the namespace; throws CommandFailedError on a non-zero exit status. */
  run(program: string, args?: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Runs our Node.js (the running one) inside the namespace: `ns.node(['build/x.js', 'arg'])`. */
  node(args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** The namespace's IPVS table as `ipvsadm -Sn` prints it. */
  ipvsSave(): Promise<string>;
}

export interface FreshNetns extends Netns {
  readonly name: string;
  /** Deletes the namespace (the kernel frees its IPVS table in the background). */
  delete(): Promise<void>;
}

/** Runs a program and collects its output; never rejects for a non-zero status by itself. */
function spawnCollect(argv: readonly string[], options: RunOptions): Promise<CommandResult> {
  const [program = '', ...args] = argv;
  const command = argv.join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        command,
        status: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
      });
    });
    child.stdin.on('error', () => {
      // the program may exit without reading its input; its status tells what happened
    });
    child.stdin.end(options.input);
  });
}

async function runChecked(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await spawnCollect(argv, options);
  if (result.status !== 0 && !options.allowFailure) throw new CommandFailedError(result);
  return result;
}

function netnsFor(name: string | undefined): Netns {
  const prefix = name === undefined ? [] : ['ip', 'netns', 'exec', name];
  const netns: Netns = {
    name,
    run: (program, args = [], options = {}) => runChecked([...prefix, program, ...args], options),
    node: (args, options = {}) => runChecked([...prefix, process.execPath, ...args], options),
    ipvsSave: async () => (await netns.run('ipvsadm', ['-Sn'])).stdout,
  };
  return netns;
}

/** This process's own network namespace. */
export function ownNetns(): Netns {
  return netnsFor(undefined);
}

let created = 0;

/**
 * A new, empty network namespace with `lo` up, named `kipvs-<label>-<pid>-<n>`.
 * Delete it when done (or use withFreshNetns, or the Jest hooks in jest-netns.ts).
 */
export async function createFreshNetns(label = 'test'): Promise<FreshNetns> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 32);
  const name = `kipvs-${safeLabel}-${process.pid}-${++created}`;
  await runChecked(['ip', 'netns', 'add', name]);
  try {
    await runChecked(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await runChecked(['ip', 'netns', 'delete', name], { allowFailure: true });
    throw err;
  }
  return {
    ...netnsFor(name),
    name,
    delete: async () => {
      await runChecked(['ip', 'netns', 'delete', name]);
    },
  };
}

/** Runs `fn` with a new, empty namespace and deletes the namespace afterwards, whatever happens. */
export async function withFreshNetns<T>(label: string, fn: (netns: FreshNetns) => Promise<T> | T): Promise<T> {
  const netns = await createFreshNetns(label);
  try {
    return await fn(netns);
  } finally {
    await netns.delete();
  }
}

/** Throws a sentence saying what to do when the running kernel has no IPVS. */
export function assertKernelHasIpvs(): void {
  if (!existsSync('/proc/net/ip_vs')) {
    throw new Error(
      'this kernel has no IPVS (/proc/net/ip_vs is missing): run the kernel tests with ' +
        '`make test-kernel` (User-Mode Linux) or, on a host with IPVS, `sudo test/uml/kernel-tests.sh` ' +
        'after `modprobe ip_vs`',
    );
  }
}

/**
 * Runs one of our compiled scripts (`build/test/kernel/x.js`) with our Node.js as user nobody
 * with no capabilities at all, in this process's namespace: how tests see what an
 * unprivileged caller gets from the kernel.
 */
export function runUnprivileged(script: string, options: RunOptions = {}): Promise<CommandResult> {
  return ownNetns().run(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, script],
    options,
  );
}
