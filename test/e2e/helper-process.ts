// The test's side of command-protocol.ts: start a helper (a script of ours, run by our Node.js)
// inside a network namespace, send it commands and await their replies.
import { createInterface } from 'node:readline';
import type { Netns } from '../uml/netns.js';
import { isReadyLine, isReplyEnvelope, type Command, type CommandEnvelope, type Replies } from './command-protocol.js';
import { spawnInNetns, type PipedChild } from './netns-spawn.js';

/** How a helper failed, for the test's message. */
export type HelperErrorKind = 'start-timeout' | 'exited' | 'command-failed';

export class HelperError extends Error {
  constructor(
    readonly kind: HelperErrorKind,
    readonly helper: string,
    detail: string,
  ) {
    super(`${helper}: ${kind}: ${detail}`);
    this.name = 'HelperError';
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: HelperError): void;
}

/** Last lines of the helper's stderr kept for error messages. */
const STDERR_LINES_KEPT = 20;
/** How long a helper gets to exit after its stdin ends, before SIGKILL. */
const EXIT_GRACE_MS = 5_000;

export class HelperProcess<C extends Command, R extends Replies<C>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private exitStatus: string | undefined;
  private readonly exited: Promise<void>;
  private readonly ready: Promise<void>;

  private constructor(
    /** For messages: the script and the namespace it runs in. */
    readonly label: string,
    private readonly child: PipedChild,
  ) {
    let markReady = (): void => undefined;
    let failReady = (_err: HelperError): void => undefined;
    this.ready = new Promise((resolvePromise, reject) => {
      markReady = resolvePromise;
      failReady = reject;
    });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.keepStderr(`(stdout, not JSON) ${line}`);
        return;
      }
      if (isReadyLine(value)) {
        markReady();
      } else if (isReplyEnvelope(value)) {
        const pending = this.pending.get(value.id);
        this.pending.delete(value.id);
        if (value.ok) pending?.resolve(value.result);
        else pending?.reject(new HelperError('command-failed', this.label, value.error));
      } else {
        this.keepStderr(`(stdout, not a reply) ${line}`);
      }
    });
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => this.keepStderr(line));
    child.stdin.on('error', () => {
      // the helper died; its exit (below) fails what is pending
    });
    this.exited = new Promise((resolvePromise) => {
      child.on('close', (code, signal) => {
        this.exitStatus = signal ?? `status ${code ?? '?'}`;
        const err = new HelperError('exited', this.label, `${this.exitStatus}\n${this.stderrTail.join('\n')}`);
        failReady(err);
        for (const pending of this.pending.values()) pending.reject(err);
        this.pending.clear();
        resolvePromise();
      });
    });
  }

  /**
   * Starts `script` (a path under the repository, e.g. build/test/e2e/backends/pods-process.js)
   * with our Node.js inside `netns`, and resolves once the helper takes commands.
   */
  static async start<C extends Command, R extends Replies<C>>(
    netns: Netns,
    script: string,
    args: readonly string[],
    startTimeoutMs = 90_000,
  ): Promise<HelperProcess<C, R>> {
    const child = spawnInNetns(netns, process.execPath, [script, ...args]);
    const helper = new HelperProcess<C, R>(`${script} in ${netns.name ?? 'the test namespace'}`, child);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new HelperError('start-timeout', helper.label, `not ready after ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
    });
    try {
      await Promise.race([helper.ready, timeout]);
    } catch (err) {
      await helper.kill();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return helper;
  }

  /** Sends one command and resolves with its result; HelperError when it fails or the helper dies. */
  request<Op extends C['op']>(command: Extract<C, { op: Op }>): Promise<R[Op]> {
    if (this.exitStatus !== undefined) {
      return Promise.reject(new HelperError('exited', this.label, `${this.exitStatus} before ${command.op}`));
    }
    const id = this.nextId++;
    const envelope: CommandEnvelope = { id, command };
    return new Promise<R[Op]>((resolvePromise, reject) => {
      // The helper is ours and answers each op with its R[Op] (see its protocol file).
      this.pending.set(id, { resolve: (result) => resolvePromise(result as R[Op]), reject });
      this.child.stdin.write(`${JSON.stringify(envelope)}\n`);
    });
  }

  /** Ends the helper's stdin so that it cleans up and exits; kills it if it does not in time. */
  async close(): Promise<void> {
    if (this.exitStatus !== undefined) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private async kill(): Promise<void> {
    if (this.exitStatus !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private keepStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
  }
}
