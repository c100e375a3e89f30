// The fake API server in a child process (cli.ts), driven from a test with
// the same calls as the in-process one, each a JSON line on its stdin and
// answered by a JSON line on its stdout. End-to-end tests use it to serve a
// kipvs that runs as another process (inside User-Mode Linux).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WatchListMode } from './list-options.js';
import type { FakeKind, ResourceName } from './object-store.js';
import type { CreatedEvent, Fault, FakeApiServerOptions, RequestRecord } from './server.js';

export type FakeApiServerProcessOptions = FakeApiServerOptions;

interface Started {
  readonly port: number;
  readonly url: string;
  readonly kubeconfig: string;
  readonly caFile: string;
  readonly token: string;
}

type Reply = Record<string, unknown> & { readonly id?: number; readonly ok?: boolean; readonly error?: string };

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

export class FakeApiServerProcess {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly started: Started,
    lines: AsyncIterator<string>,
  ) {
    void this.#read(lines);
  }

  static async start(options: FakeApiServerProcessOptions = {}): Promise<FakeApiServerProcess> {
    const args = [CLI];
    if (options.token !== undefined) args.push('--token', options.token);
    if (options.expiredWatch !== undefined) args.push('--expired-watch', options.expiredWatch);
    if (options.watchTimeoutMs !== undefined) args.push('--watch-timeout-ms', String(options.watchTimeoutMs));
    if (options.bookmarkIntervalMs !== undefined)
      args.push('--bookmark-interval-ms', String(options.bookmarkIntervalMs));
    if (options.watchList !== undefined) args.push('--watch-list', options.watchList);
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`the fake API server did not start: ${stderr.trim()}`);
    return new FakeApiServerProcess(child, JSON.parse(first.value) as Started, lines);
  }

  get url(): string {
    return this.started.url;
  }

  get kubeconfig(): string {
    return this.started.kubeconfig;
  }

  async apply(object: unknown): Promise<number> {
    return (await this.#send({ op: 'apply', object }))['resourceVersion'] as number;
  }

  async delete(kind: FakeKind, namespace: string, name: string): Promise<number> {
    return (await this.#send({ op: 'delete', kind, namespace, name }))['resourceVersion'] as number;
  }

  async compact(): Promise<void> {
    await this.#send({ op: 'compact' });
  }

  async pause(): Promise<void> {
    await this.#send({ op: 'pause' });
  }

  async resume(): Promise<void> {
    await this.#send({ op: 'resume' });
  }

  async setToken(token: string): Promise<void> {
    await this.#send({ op: 'set-token', token });
  }

  async injectFault(fault: Fault): Promise<void> {
    await this.#send({ op: 'fault', fault });
  }

  async clearFaults(): Promise<void> {
    await this.#send({ op: 'clear-faults' });
  }

  async forbid(resource: ResourceName): Promise<void> {
    await this.#send({ op: 'forbid', resource });
  }

  async allow(resource: ResourceName): Promise<void> {
    await this.#send({ op: 'allow', resource });
  }

  async setWatchList(mode: WatchListMode): Promise<void> {
    await this.#send({ op: 'set-watch-list', mode });
  }

  async endWatches(): Promise<void> {
    await this.#send({ op: 'end-watches' });
  }

  async injectWatchLine(resource: ResourceName, line: string): Promise<void> {
    await this.#send({ op: 'inject-line', resource, line });
  }

  async requests(): Promise<RequestRecord[]> {
    return (await this.#send({ op: 'requests' }))['requests'] as RequestRecord[];
  }

  async events(): Promise<CreatedEvent[]> {
    return (await this.#send({ op: 'events' }))['events'] as CreatedEvent[];
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.#send({ op: 'close' });
    this.child.stdin.end();
    await exited;
  }

  #send(command: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  async #read(lines: AsyncIterator<string>): Promise<void> {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      const reply = JSON.parse(line.value) as Reply;
      const pending = reply.id === undefined ? undefined : this.#pending.get(reply.id);
      if (!pending || reply.id === undefined) continue;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply);
      else pending.reject(new Error(`fake API server: ${reply.error ?? 'failed'}`));
    }
    for (const { reject } of this.#pending.values()) reject(new Error('the fake API server exited'));
    this.#pending.clear();
  }
}
