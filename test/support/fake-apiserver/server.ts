// A test-only Kubernetes API server: HTTPS on 127.0.0.1 with its own CA,
// bearer-token authentication, and the cluster-wide list and watch endpoints
// kube-proxy's informers use for Services, EndpointSlices and Nodes. Lists
// carry the store's resourceVersion; a watch replays the changes after the
// resourceVersion it names and then streams new ones, one JSON event per line,
// as the real server's watch does. Tests drive it with apply / delete /
// compact / pause / resume and read back every request it answered, and the
// events.k8s.io/v1 Events clients created (kept in order, never listed).
//
// Where a client can tell, it behaves as kube-apiserver does: lists are paged
// with limit and continue (a token from before compact() is 410 Expired), a
// streaming list (a watch with sendInitialEvents=true, KEP-3157) sends every
// object, then the initial-events-end BOOKMARK, then the changes, or is refused
// as a server without the WatchList feature refuses it (watchList option), the
// ListOptions combinations kube-apiserver refuses are 422 Invalid (list-options.ts),
// a watch that asks for bookmarks gets a BOOKMARK now and then, a watch is ended by
// the server after its timeoutSeconds (or sooner, watchTimeoutMs), and tests can
// make it answer 429 with Retry-After, 500 or 503 (faults), refuse a resource
// with 403 as RBAC does (forbid), or accept a request and never answer it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import {
  INITIAL_EVENTS_END_ANNOTATION,
  ListOptionsError,
  readListOptions,
  type ListOptions,
  type WatchListMode,
} from './list-options.js';
import { ObjectStore, RESOURCES, type FakeKind, type ResourceName, type StoredChange } from './object-store.js';
import {
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  type FakeObject,
  type ObjectPredicate,
} from './selectors.js';

const PATHS: Readonly<Record<string, ResourceName>> = {
  '/api/v1/services': 'services',
  '/apis/discovery.k8s.io/v1/endpointslices': 'endpointslices',
  '/api/v1/nodes': 'nodes',
};

export interface FakeApiServerOptions {
  /** The bearer token clients must present; random by default. */
  readonly token?: string;
  /**
   * How a watch from a compacted resourceVersion is refused: an ERROR event
   * with code 410 in a 200 stream (what the watch cache sends) or an HTTP 410
   * response (what a watch served from etcd gets). Default: the event.
   */
  readonly expiredWatch?: 'error-event' | 'http-status';
  /** The server ends every watch after this long, whatever timeoutSeconds asked (kube-apiserver's is 30 to 60 min). */
  readonly watchTimeoutMs?: number;
  /** How often a watch that asked for bookmarks gets one (kube-apiserver: every minute). */
  readonly bookmarkIntervalMs?: number;
  /** How streaming lists are taken (setWatchList changes it); default 'enabled', as kube-apiserver 1.34 and later. */
  readonly watchList?: WatchListMode;
}

/** What a fault makes the server do with a request it matches. */
export type FaultResponse =
  | { readonly status: 429 | 500 | 503; readonly retryAfterSeconds?: number }
  /** Accept the request and never answer it (until pause() or close()). */
  | 'hang';

/** A failure the next matching requests get instead of their answer. */
export interface Fault {
  /** Every resource when absent. */
  readonly resource?: ResourceName;
  /** Lists and watches when absent. */
  readonly request?: 'list' | 'watch';
  readonly response: FaultResponse;
  /** How many requests it answers; every one when absent. */
  readonly times?: number;
}

/** The service account whose RBAC forbid() takes away, named in the 403 as the real server names it. */
export const FAKE_USER = 'system:serviceaccount:kube-system:kipvs';

/** A continue token: the list's revision and the last key its pages have given (base64 JSON, opaque to clients). */
interface ContinueToken {
  readonly revision: number;
  readonly after: string;
}

/** events.k8s.io/v1 Events are created in a namespace: /apis/events.k8s.io/v1/namespaces/NS/events. */
const EVENTS_PATH = /^\/apis\/events\.k8s\.io\/v1\/namespaces\/([a-z0-9-]+)\/events$/;

/** An Event a client created. */
export interface CreatedEvent {
  readonly namespace: string;
  readonly event: Readonly<Record<string, unknown>>;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  /** 0 for a request the server never answered (a 'hang' fault). */
  readonly status: number;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

interface OpenWatch {
  readonly resource: ResourceName;
  readonly response: ServerResponse;
}

/** The key a list is ordered and paged by (etcd's: namespace/name). */
function listKey(object: FakeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function encodeToken(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): ContinueToken | undefined {
  try {
    const token: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    const { revision, after } = (typeof token === 'object' && token !== null ? token : {}) as Partial<ContinueToken>;
    return typeof revision === 'number' && typeof after === 'string' ? { revision, after } : undefined;
  } catch {
    return undefined;
  }
}

/** A Status object, as the API server sends with every failure. */
function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** What a watch client with `matches` sees of one change: the API server turns selector crossings into ADDED / DELETED. */
function watchEvent(change: StoredChange, matches: ObjectPredicate): { type: string; object: FakeObject } | undefined {
  const before = change.before !== undefined && matches(change.before);
  const after = change.type !== 'DELETED' && matches(change.after);
  if (before && after) return { type: 'MODIFIED', object: change.after };
  if (after) return { type: 'ADDED', object: change.after };
  if (before) return { type: 'DELETED', object: change.after };
  return undefined;
}

/**
 * Each stored object's JSON, made once (as kube-apiserver's watch cache serializes an object
 * once for all the watchers it goes to, its cachingObject). A stored object is never edited (a
 * change stores a new one), so its text never goes stale.
 */
const serialized = new WeakMap<FakeObject, string>();

function jsonOf(object: FakeObject): string {
  let text = serialized.get(object);
  if (text === undefined) {
    text = JSON.stringify(object);
    serialized.set(object, text);
  }
  return text;
}

/** One watch event's line, as JSON.stringify({ type, object }) writes it. */
function eventLine(type: string, object: FakeObject): string {
  return `{"type":${JSON.stringify(type)},"object":${jsonOf(object)}}\n`;
}

/** The initial events of a watch go out in writes of about this much text, as kube-apiserver flushes only when its queue is empty. */
const INITIAL_EVENTS_WRITE = 64 * 1024;

/** Resolves when `res` can take more writes, or has closed. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** List items carry no kind or apiVersion: the list's own names them. */
function listItem(object: FakeObject): Record<string, unknown> {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

export class FakeApiServer {
  readonly store = new ObjectStore();
  readonly requests: RequestRecord[] = [];
  readonly events: CreatedEvent[] = [];
  #token: string;
  #port = 0;
  #server: Server | undefined;
  readonly #watches = new Set<OpenWatch>();
  /** Every TCP connection, also those still in the TLS handshake, which the HTTP layer does not track. */
  readonly #sockets = new Set<Socket>();
  readonly #expiredWatch: 'error-event' | 'http-status';
  readonly #watchTimeoutMs: number | undefined;
  readonly #bookmarkIntervalMs: number;
  #faults: { fault: Fault; left: number }[] = [];
  readonly #garbled = new Set<ResourceName>();
  readonly #forbidden = new Set<ResourceName>();
  #watchList: WatchListMode;

  private constructor(
    readonly dir: string,
    readonly certificates: CertificateFiles,
    options: FakeApiServerOptions,
  ) {
    this.#token = options.token ?? randomBytes(16).toString('hex');
    this.#expiredWatch = options.expiredWatch ?? 'error-event';
    this.#watchTimeoutMs = options.watchTimeoutMs;
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.#watchList = options.watchList ?? 'enabled';
  }

  /** Makes a CA and certificate in a fresh temporary directory and listens on 127.0.0.1 (a free port). */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const dir = await mkdtemp(join(tmpdir(), 'kipvs-fake-apiserver-'));
    const server = new FakeApiServer(dir, await generateCertificates(dir), options);
    await server.resume();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  get token(): string {
    return this.#token;
  }

  /** Accept only `token` from now on (a rotated service-account token). */
  setToken(token: string): void {
    this.#token = token;
  }

  apply(object: unknown): StoredChange {
    const change = this.store.apply(object);
    // Serialized as it is stored, not when a watch first reads it: a bench that loads a
    // cluster before kipvs starts must not count the server's encoding as the node's time.
    jsonOf(change.after);
    return change;
  }

  delete(kind: FakeKind, namespace: string, name: string): StoredChange {
    return this.store.delete(kind, namespace, name);
  }

  compact(): void {
    this.store.compact();
  }

  /** How many watches of `resource` are open. */
  openWatches(resource: ResourceName): number {
    return [...this.#watches].filter((w) => w.resource === resource).length;
  }

  /** Ends every open watch cleanly, as the server does when a watch's timeoutSeconds is up. */
  endWatches(): void {
    for (const watch of this.#watches) watch.response.end();
  }

  /** Writes `line` as-is to every open watch of `resource` (to test what clients make of broken events). */
  injectWatchLine(resource: ResourceName, line: string): void {
    for (const watch of this.#watches)
      if (watch.resource === resource && !watch.response.writableEnded) watch.response.write(`${line}\n`);
  }

  /**
   * The next event of `resource` each open watch sends is cut off halfway: a line no client
   * can parse, and an event lost; or, when a watch that sends initial events opens first, its
   * first initial event.
   */
  garbleNextEvent(resource: ResourceName): void {
    this.#garbled.add(resource);
    // Store listeners run in the order they subscribed: this one after every open watch's.
    const done = this.store.subscribe((change) => {
      if (change.resource !== resource) return;
      this.#garbled.delete(resource);
      done();
    });
  }

  /** From now on, the requests `fault` matches get its response instead of their answer (the first fault that matches). */
  injectFault(fault: Fault): void {
    this.#faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Lists and watches of `resource` are 403 Forbidden, as when RBAC does not grant them. */
  forbid(resource: ResourceName): void {
    this.#forbidden.add(resource);
  }

  allow(resource: ResourceName): void {
    this.#forbidden.delete(resource);
  }

  /** From now on, streaming lists are served, refused as with WatchList off, or ignored (see WatchListMode). */
  setWatchList(mode: WatchListMode): void {
    this.#watchList = mode;
  }

  /** Stops listening and drops every connection: clients see the server as gone. */
  async pause(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Listens again, on the same port as before (a free one the first time). */
  async resume(): Promise<void> {
    if (this.#server) return;
    const server = createServer({ cert: this.certificates.certPem, key: this.certificates.keyPem }, (req, res) =>
      this.#handle(req, res),
    );
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the fake API server has no TCP address');
    this.#port = address.port;
    this.#server = server;
  }

  /**
   * A kubeconfig for this server: its CA file, its URL and the token, inline
   * or (with `tokenFile`) written to that file and named by the kubeconfig.
   * JSON is YAML, so any kubeconfig reader takes it.
   */
  async writeKubeconfig(path: string, options: { readonly tokenFile?: string } = {}): Promise<string> {
    const user: Record<string, string> = {};
    if (options.tokenFile === undefined) user['token'] = this.#token;
    else {
      await writeFile(options.tokenFile, this.#token, { mode: 0o600 });
      user['tokenFile'] = options.tokenFile;
    }
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'certificate-authority': this.certificates.caFile } }],
      users: [{ name: 'kipvs', user }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'kipvs' } }],
      'current-context': 'fake',
    };
    await writeFile(path, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
    return path;
  }

  async close(): Promise<void> {
    await this.pause();
    await rm(this.dir, { recursive: true, force: true });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    const record = (code: number): void => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, query, watch, status: code, at: Date.now() });
    };
    const fail = (code: number, reason: string, message: string): void => {
      record(code);
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(status(code, reason, message)));
    };
    if (req.headers.authorization !== `Bearer ${this.#token}`) return fail(401, 'Unauthorized', 'Unauthorized');
    const eventsNamespace = EVENTS_PATH.exec(url.pathname)?.[1];
    if (eventsNamespace !== undefined) return this.#createEvent(eventsNamespace, req, res, record, fail);
    const resource = PATHS[url.pathname];
    if (resource === undefined)
      return fail(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    if (req.method !== 'GET') return fail(405, 'MethodNotAllowed', `${req.method ?? ''} is not supported`);
    const verb = watch ? 'watch' : 'list';
    if (this.#forbidden.has(resource)) {
      const group = RESOURCES[resource].apiVersion.includes('/') ? RESOURCES[resource].apiVersion.split('/')[0] : '';
      return fail(
        403,
        'Forbidden',
        `${resource}${group === '' ? '' : `.${group}`} is forbidden: User "${FAKE_USER}" cannot ${verb} resource "${resource}" in API group "${group}" at the cluster scope`,
      );
    }
    const fault = this.#takeFault(resource, verb);
    if (fault === 'hang') return record(0);
    if (fault !== undefined) {
      record(fault.status);
      const reason =
        fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
      const headers = {
        'Content-Type': 'application/json',
        ...(fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }),
      };
      res
        .writeHead(fault.status, headers)
        .end(JSON.stringify(status(fault.status, reason, `injected ${fault.status}`)));
      return;
    }
    let matches: ObjectPredicate;
    try {
      const labels = parseLabelSelector(query['labelSelector'] ?? '');
      const fields = parseFieldSelector(query['fieldSelector'] ?? '');
      matches = (o) => labels(o) && fields(o);
    } catch (err) {
      if (err instanceof SelectorError) return fail(400, 'BadRequest', err.message);
      throw err;
    }
    let options: ListOptions;
    try {
      options = readListOptions(query, watch, this.#watchList);
    } catch (err) {
      if (err instanceof ListOptionsError)
        return fail(err.status, err.status === 422 ? 'Invalid' : 'BadRequest', err.message);
      throw err;
    }
    if (!watch) return this.#list(resource, matches, query, res, record, fail);
    this.#watch(resource, matches, options, query, res, record, fail);
  }

  /** The first fault that matches the request, counted; undefined when none does. */
  #takeFault(resource: ResourceName, request: 'list' | 'watch'): FaultResponse | undefined {
    const entry = this.#faults.find(
      ({ fault, left }) =>
        left > 0 && (fault.resource ?? resource) === resource && (fault.request ?? request) === request,
    );
    if (!entry) return undefined;
    entry.left--;
    return entry.fault.response;
  }

  /**
   * A list, one page of `limit` objects in key order when a limit is given, with a
   * continue token for the next; every page carries the revision of the first. A
   * token from before compact() is 410 Expired, as etcd's compacted revision is.
   */
  #list(
    resource: ResourceName,
    matches: ObjectPredicate,
    query: Readonly<Record<string, string>>,
    res: ServerResponse,
    record: (code: number) => void,
    fail: (code: number, reason: string, message: string) => void,
  ): void {
    const limit = Number(query['limit'] ?? '0');
    const continued = query['continue'];
    if (continued !== undefined && (query['resourceVersion'] ?? '') !== '') {
      return fail(400, 'BadRequest', 'specifying resource version is not allowed when using continue');
    }
    const token = continued === undefined ? { revision: this.store.revision, after: '' } : decodeToken(continued);
    if (token === undefined) return fail(400, 'BadRequest', 'continue key is not valid');
    if (token.revision < this.store.compactedRevision) {
      return fail(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    const all = this.store
      .list(resource)
      .filter(matches)
      .sort((a, b) => (listKey(a) < listKey(b) ? -1 : listKey(a) > listKey(b) ? 1 : 0))
      .filter((o) => listKey(o) > token.after);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const last = page.at(-1);
    const more = page.length < all.length && last !== undefined;
    const info = RESOURCES[resource];
    const metadata = {
      resourceVersion: String(token.revision),
      ...(more
        ? {
            continue: encodeToken({ revision: token.revision, after: listKey(last) }),
            remainingItemCount: all.length - page.length,
          }
        : {}),
    };
    record(200);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ kind: info.listKind, apiVersion: info.apiVersion, metadata, items: page.map(listItem) }));
  }

  /** POST of one Event: kept as sent (with the namespace of its path) and echoed back, 201. */
  #createEvent(
    namespace: string,
    req: IncomingMessage,
    res: ServerResponse,
    record: (code: number) => void,
    fail: (code: number, reason: string, message: string) => void,
  ): void {
    if (req.method !== 'POST')
      return fail(405, 'MethodNotAllowed', `${req.method ?? ''} is not supported for events here`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fail(400, 'BadRequest', 'the body is not JSON');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event))
        return fail(400, 'BadRequest', 'the body is not an object');
      this.events.push({ namespace, event: event as Record<string, unknown> });
      record(201);
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(event));
    });
  }

  #watch(
    resource: ResourceName,
    matches: ObjectPredicate,
    options: ListOptions,
    query: Readonly<Record<string, string>>,
    res: ServerResponse,
    record: (code: number) => void,
    fail: (code: number, reason: string, message: string) => void,
  ): void {
    const from = options.resourceVersion;
    const fromAny = from === '' || from === '0';
    // Without sendInitialEvents, "" and "0" mean "from any state": the server first sends
    // the current objects as ADDED (the legacy behaviour), and a resourceVersion replays the
    // changes after it. sendInitialEvents=true sends the current objects whatever the
    // resourceVersion (the watch cache waits until it is at least that fresh); false sends none.
    const initial = options.sendInitialEvents ?? fromAny;
    // A streaming list from a compacted resourceVersion is refused as when the watch is served
    // from etcd (its initial list is read at that revision); the watch cache would serve it.
    const replay = fromAny
      ? []
      : options.sendInitialEvents === true
        ? Number(from) < this.store.compactedRevision
          ? undefined
          : []
        : this.store.changesSince(Number(from));
    if (replay === undefined) {
      const message = `too old resource version: ${from} (${this.store.compactedRevision})`;
      if (this.#expiredWatch === 'http-status') return fail(410, 'Expired', message);
      record(200);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', message) })}\n`);
      return;
    }
    record(200);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const send = (type: string, object: unknown): void => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const info = RESOURCES[resource];
    const deliver = (change: StoredChange): void => {
      if (change.resource !== resource) return;
      const event = watchEvent(change, matches);
      if (!event) return;
      if (this.#garbled.has(resource)) {
        const line = JSON.stringify(event);
        if (!res.writableEnded) res.write(`${line.slice(0, line.length >> 1)}\n`);
      } else if (!res.writableEnded) res.write(eventLine(event.type, event.object));
    };
    // Changes stored while the initial events are being written wait for them (in order).
    let queued: StoredChange[] | undefined = [];
    const unsubscribe = this.store.subscribe((change) => (queued ? queued.push(change) : deliver(change)));
    const watch: OpenWatch = { resource, response: res };
    this.#watches.add(watch);
    const asked = Number(query['timeoutSeconds'] ?? '0') * 1000;
    const timeouts = [asked > 0 ? asked : undefined, this.#watchTimeoutMs].filter((t) => t !== undefined);
    const timer = timeouts.length > 0 ? setTimeout(() => res.end(), Math.min(...timeouts)) : undefined;
    let bookmarks: NodeJS.Timeout | undefined;
    const closed = (): void => {
      unsubscribe();
      this.#watches.delete(watch);
      clearTimeout(timer);
      clearInterval(bookmarks);
    };
    const sendInitialEvents = async (): Promise<void> => {
      let pending: string[] = [];
      let pendingLength = 0;
      // As kube-apiserver, the writes wait for the client to read (a slow client is not
      // buffered for in the server's memory).
      const writePending = async (): Promise<void> => {
        const text = pending.join('');
        pending = [];
        pendingLength = 0;
        if (text === '' || res.writableEnded || res.destroyed) return;
        if (!res.write(text)) await drainedOrClosed(res);
      };
      for (const object of initial ? this.store.list(resource).filter(matches) : []) {
        if (res.writableEnded || res.destroyed) return;
        const line = eventLine('ADDED', object);
        const text = this.#garbled.delete(resource) ? `${line.slice(0, (line.length - 1) >> 1)}\n` : line;
        pending.push(text);
        pendingLength += text.length;
        if (pendingLength >= INITIAL_EVENTS_WRITE) await writePending();
      }
      await writePending();
      // A streaming list's end: the revision its initial events show, on an object of the kind
      // that carries only that and the annotation (the watch cache's cacheWatcher adds it).
      if (options.sendInitialEvents === true && options.allowWatchBookmarks)
        send('BOOKMARK', {
          kind: info.kind,
          apiVersion: info.apiVersion,
          metadata: {
            resourceVersion: String(this.store.revision),
            annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' },
          },
        });
      replay.forEach(deliver);
      const meanwhile = queued ?? [];
      queued = undefined;
      meanwhile.forEach(deliver);
      // A bookmark names the revision the watch has reached, with an object of the kind and nothing else.
      if (options.allowWatchBookmarks && !res.writableEnded)
        bookmarks = setInterval(
          () =>
            send('BOOKMARK', {
              kind: info.kind,
              apiVersion: info.apiVersion,
              metadata: { resourceVersion: String(this.store.revision) },
            }),
          this.#bookmarkIntervalMs,
        );
    };
    void sendInitialEvents();
    res.on('finish', closed);
    res.on('close', closed);
  }
}
