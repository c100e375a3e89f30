// The fake API server (test/support/fake-apiserver/cli.ts) as a process in one of the topology's
// namespaces: the node's, since kipvs runs there and reaches it on 127.0.0.1. The test drives the
// cluster through it (objects applied and deleted, the server paused and resumed).
//
//   const api = await startApiServer(topology.node);
//   await api.apply(service('web', { ... }));
//   // kipvs proxy --config with clientConnection.kubeconfig: api.kubeconfig
import { createInterface } from 'node:readline';
import type { FakeKind } from '../support/fake-apiserver/object-store.js';
import type { CreatedEvent } from '../support/fake-apiserver/server.js';
import type { Netns } from '../uml/netns.js';
import { isRecord } from './command-protocol.js';
import { spawnInNetns, type PipedChild } from './netns-spawn.js';
import type { Closable } from './topology.js';

const SCRIPT = 'build/test/support/fake-apiserver/cli.js';
const START_TIMEOUT_MS = 90_000;
const EXIT_GRACE_MS = 5_000;

export interface ApiServer extends Closable {
  /** The kubeconfig file naming the server, its CA and token (readable by kipvs). */
  readonly kubeconfig: string;
  /** Creates or replaces an object; resolves with the store's new resourceVersion. */
  apply(object: unknown): Promise<string>;
  delete(kind: FakeKind, namespace: string, name: string): Promise<string>;
  /** Stops listening and drops every connection (watches end): the API server is away. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  /** The events.k8s.io/v1 Events clients created, in order. */
  events(): Promise<CreatedEvent[]>;
}

type Reply = Record<string, unknown>;

/** The CLI's replies echo the command's id: { id, ok: true, ... } or { id, ok: false, error }. */
class ApiServerProcess implements ApiServer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: Reply): void; reject(err: Error): void }>();
  private readonly stderr: string[] = [];
  private readonly exited: Promise<void>;
  private ended = false;

  constructor(
    private readonly child: PipedChild,
    readonly kubeconfig: string,
    lines: AsyncIterator<string>,
  ) {
    createInterface({ input: child.stderr }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
    void this.readReplies(lines);
  }

  private async readReplies(lines: AsyncIterator<string>): Promise<void> {
    for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
      const reply: unknown = JSON.parse(next.value);
      if (!isRecord(reply) || typeof reply['id'] !== 'number') continue;
      const waiting = this.pending.get(reply['id']);
      this.pending.delete(reply['id']);
      if (reply['ok'] === true) waiting?.resolve(reply);
      else waiting?.reject(new Error(`fake API server: ${String(reply['error'])}`));
    }
    this.ended = true;
    const gone = new Error(`fake API server exited: ${this.stderr.join('\n')}`);
    for (const waiting of this.pending.values()) waiting.reject(gone);
    this.pending.clear();
  }

  private request(command: Reply): Promise<Reply> {
    if (this.ended) return Promise.reject(new Error(`fake API server exited before ${String(command['op'])}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  async apply(object: unknown): Promise<string> {
    return String((await this.request({ op: 'apply', object }))['resourceVersion']);
  }

  async delete(kind: FakeKind, namespace: string, name: string): Promise<string> {
    return String((await this.request({ op: 'delete', kind, namespace, name }))['resourceVersion']);
  }

  async pause(): Promise<void> {
    await this.request({ op: 'pause' });
  }

  async resume(): Promise<void> {
    await this.request({ op: 'resume' });
  }

  async events(): Promise<CreatedEvent[]> {
    return (await this.request({ op: 'events' }))['events'] as CreatedEvent[];
  }

  /** End of input makes the CLI close the server (and remove its directory) and exit. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts the fake API server in `netns`; resolves once it listens (its first line says where). */
export async function startApiServer(netns: Netns): Promise<ApiServer> {
  const child = spawnInNetns(netns, process.execPath, [SCRIPT]);
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`fake API server: no address after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    const first = await Promise.race([lines.next(), timeout]);
    const info: unknown = first.done === true ? undefined : JSON.parse(first.value);
    if (!isRecord(info) || typeof info['kubeconfig'] !== 'string')
      throw new Error(`fake API server: unexpected first line ${JSON.stringify(first.value)}`);
    return new ApiServerProcess(child, info['kubeconfig'], lines);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
