// Running a tool of the node (iptables-save, iptables-restore): no shell, so
// arguments and rule text reach it exactly as given; a timeout, so a tool that
// hangs (a stuck xtables lock, a wedged kernel) cannot stall a sync forever;
// and a typed error carrying the tool's own stderr, which is what says why.
import { spawn } from 'node:child_process';

export interface CommandOptions {
  /** Written to the tool's standard input (iptables-restore reads its rules there). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Runs argv[0] with the rest as arguments and resolves with its standard output. */
export type CommandRunner = (argv: readonly string[], options?: CommandOptions) => Promise<string>;

/**
 * not-found: no such program on PATH (ENOENT from spawn); failed: it ran and exited
 * non-zero; killed: it died of a signal; timeout: it ran longer than allowed and was killed.
 */
export type CommandErrorKind = 'not-found' | 'failed' | 'killed' | 'timeout';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly userMessage: string;
  constructor(
    readonly kind: CommandErrorKind,
    readonly argv: readonly string[],
    /** The tool's standard error, trimmed ("" when it said nothing). */
    readonly stderr: string,
    /** The exit status, for kind 'failed'. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    const command = argv.join(' ');
    const what: Record<CommandErrorKind, string> = {
      'not-found': 'program not found',
      failed: `exited with status ${status ?? '?'}`,
      killed: 'killed by a signal',
      timeout: 'did not finish in time and was killed',
    };
    super(`${command}: ${what[kind]}${stderr === '' ? '' : `: ${stderr}`}`, options);
    this.userMessage = this.message;
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;

export const runCommand: CommandRunner = (argv, options = {}) => {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.reject(new TypeError('runCommand needs a program'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A tool that exits before reading all its input: its status says why.
    child.stdin.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const kind: CommandErrorKind = err.code === 'ENOENT' ? 'not-found' : 'failed';
      reject(new CommandError(kind, argv, err.message, undefined, { cause: err }));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const errorText = Buffer.concat(stderr).toString('utf8').trim();
      if (timedOut) reject(new CommandError('timeout', argv, errorText));
      else if (signal !== null) reject(new CommandError('killed', argv, errorText));
      else if (status !== 0) reject(new CommandError('failed', argv, errorText, status ?? undefined));
      else resolve(Buffer.concat(stdout).toString('utf8'));
    });
    child.stdin.end(options.input);
  });
};
