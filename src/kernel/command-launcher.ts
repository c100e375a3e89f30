// The node's tools (iptables-save, iptables-restore) started by a small shell that the daemon
// starts while it is itself small. Node starts a program by fork(): the kernel copies the
// whole process's page tables first, so a start costs what the daemon's memory costs. In
// User-Mode Linux that was 1.5-3 s per iptables run at 10,000 Services (10 s of the daemon's
// first minute, bench/README.md), blocking the event loop each time, and it grows with the
// cluster. The shell is a few hundred kB: its fork costs nothing, whatever the daemon holds.
//
// One request at a time goes down the shell's standard input as a line "ID SECONDS ARGV...";
// the tool reads its input from, and writes its output to, files in a private directory of
// the daemon's (on /dev/shm, a tmpfs also in a read-only container), and the shell answers
// "ID STATUS" when the tool has ended. GNU timeout kills a tool that runs too long. Arguments
// that the line cannot carry exactly (spaces, quotes, globs) and any request after the shell
// has gone are run by runCommand directly: slower, never wrong.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CommandError, type CommandOptions, type CommandRunner, runCommand } from './command.js';

const DEFAULT_TIMEOUT_MS = 60_000;

// $1: the directory. `set -f`: the arguments are split on spaces, never globbed.
const SCRIPT = `set -f
while read -r id limit argv; do
  timeout -s KILL "$limit" $argv <"$1/$id.in" >"$1/$id.out" 2>"$1/$id.err"
  echo "$id $?"
done`;

/** What the request line carries as is: no spaces, quotes, globs or shell syntax. */
const PLAIN_ARGUMENT = /^[A-Za-z0-9_./=:,+@%-]+$/;

interface Pending {
  readonly argv: readonly string[];
  readonly resolve: (status: number) => void;
  readonly reject: (error: Error) => void;
}

export class CommandLauncher {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private gone = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly shell: ChildProcessByStdio<Writable, Readable, null>,
    private readonly dir: string,
  ) {
    let text = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n')) {
        this.answer(text.slice(0, newline));
        text = text.slice(newline + 1);
      }
    });
    shell.stdin.on('error', () => undefined);
    shell.on('exit', () => this.lost());
    shell.on('error', () => this.lost());
    // Whatever ends this process (a failed start included), its directory goes with it.
    this.removeDir = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', this.removeDir);
  }

  private readonly removeDir: () => void;

  /** A launcher, or undefined where this machine has no sh and GNU timeout to run it. */
  static start(): CommandLauncher | undefined {
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    let dir: string;
    try {
      dir = mkdtempSync(join(base, 'kipvs-tools-'));
    } catch {
      return undefined;
    }
    if (!['/bin/sh', '/usr/bin/timeout'].every((path) => existsSync(path))) {
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
    const shell = spawn('/bin/sh', ['-c', SCRIPT, 'sh', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    return new CommandLauncher(shell, dir);
  }

  /** runCommand's contract, through the shell. */
  readonly run: CommandRunner = (argv, options = {}) => {
    if (this.gone || argv.length === 0 || !argv.every((a) => PLAIN_ARGUMENT.test(a))) return runCommand(argv, options);
    // One tool at a time, as runCommand's callers run them (they share the xtables lock anyway).
    const result = this.queue.then(() => this.launch(argv, options));
    this.queue = result.catch(() => undefined);
    return result;
  };

  /** Ends the shell and removes its directory. */
  close(): void {
    this.gone = true;
    this.shell.stdin.end();
    process.off('exit', this.removeDir);
    this.removeDir();
  }

  private async launch(argv: readonly string[], options: CommandOptions): Promise<string> {
    if (this.gone) return runCommand(argv, options);
    const id = this.nextId++;
    const file = (suffix: string): string => join(this.dir, `${id}.${suffix}`);
    try {
      await writeFile(file('in'), options.input ?? '', { mode: 0o600 });
    } catch {
      // No room on /dev/shm (a pod's is 64 MB) or the directory gone: this run goes the slow way.
      await rm(file('in'), { force: true });
      return runCommand(argv, options);
    }
    const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000));
    try {
      const status = await new Promise<number>((resolve, reject) => {
        this.pending.set(id, { argv, resolve, reject });
        this.shell.stdin.write(`${id} ${seconds} ${argv.join(' ')}\n`);
      });
      const read = (suffix: string): Promise<string> =>
        readFile(file(suffix), 'utf8').catch((err: unknown) => {
          throw new CommandError('failed', argv, `its output could not be read: ${String(err)}`);
        });
      const [stdout, stderr] = await Promise.all([read('out'), read('err')]);
      const errorText = stderr.trim();
      if (status === 0) return stdout;
      // GNU timeout: 137 after its KILL; 126/127: the program could not be run (sh says why).
      if (status === 137) throw new CommandError('timeout', argv, errorText);
      if (status === 127) throw new CommandError('not-found', argv, errorText);
      if (status > 128) throw new CommandError('killed', argv, errorText);
      throw new CommandError('failed', argv, errorText, status);
    } finally {
      await Promise.all(['in', 'out', 'err'].map((suffix) => rm(file(suffix), { force: true })));
    }
  }

  private answer(line: string): void {
    const [id, status] = line.split(' ').map(Number);
    const pending = this.pending.get(id ?? Number.NaN);
    if (pending === undefined || status === undefined || !Number.isInteger(status)) return;
    this.pending.delete(id as number);
    pending.resolve(status);
  }

  /** The shell ended (killed, or out of memory): what it was running failed, the rest runs directly. */
  private lost(): void {
    if (this.gone) return;
    this.gone = true;
    for (const { argv, reject } of this.pending.values())
      reject(new CommandError('killed', argv, 'the shell that ran it ended'));
    this.pending.clear();
  }
}
