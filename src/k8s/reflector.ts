// One resource's cache kept in step with the API server, as client-go's
// reflector keeps an informer's store (tools/cache/reflector.go): list, then
// watch from the list's resourceVersion; on 410 Gone (an ERROR event with
// code 410, or an HTTP 410) list again; on any other failure or a closed
// watch, watch again from the last resourceVersion seen, after a capped,
// jittered backoff when it failed. The cache changes only on what the server
// says: an error never empties it, so the proxy keeps serving the last known
// state while the API server is away.
//
// client-node's ListWatch is not used: it gives up after a non-410 error
// (the caller must restart it), has no jitter, and throws on an object
// without metadata. Its Watch is used for the streaming request.
import { setTimeout as sleep } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ApiError, classifyFailure, isTimeout } from './api-error.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { listObjects } from './list-request.js';
import { objectKey } from '../proxy/object-key.js';
import { resourceVersionOf } from './resource-version.js';
import type { RequestRateLimiter } from './request-rate.js';
import { selectorQuery, type WatchedKind, type WatchedResource } from './resources.js';

export type ChangeType = 'added' | 'modified' | 'deleted';

/** One object that changed in the cache; `object` is the server's raw object (the last state, when deleted). */
export interface ObjectChange {
  readonly kind: WatchedKind;
  readonly type: ChangeType;
  readonly key: string;
  readonly object: unknown;
  /** The cached object it replaced or removed. */
  readonly previous?: unknown;
}

export interface ReflectorOptions {
  readonly config: KubeConfig;
  readonly resource: WatchedResource;
  readonly backoff: BackoffPolicy;
  /** Shared by every reflector of one client, as client-go's rate limiter is. */
  readonly limiter: RequestRateLimiter;
  /** [0, 1): backoff jitter and watch timeouts. */
  readonly random: () => number;
  readonly now: () => Date;
  readonly onChange: (change: ObjectChange) => void;
  /** Called after the list completes, a watch opens, or a request fails. */
  readonly onState: () => void;
}

export interface ReflectorState {
  /** The first list has completed. */
  readonly synced: boolean;
  /** The last request succeeded (a list, or a watch that is open). */
  readonly connected: boolean;
  readonly resourceVersion: string;
  /** Lists after the first one: after 410 Gone. */
  readonly relists: number;
  readonly objects: number;
  readonly lastError?: { readonly error: ApiError; readonly at: Date };
}

/**
 * client-go's reflector asks the server to end each watch after a random 5 to
 * 10 minutes (minWatchTimeout), so that watches spread over API servers.
 */
const MIN_WATCH_TIMEOUT_SECONDS = 300;

/** A watch that ends sooner than this without an event counts as a failure (a server closing at once must not make us spin). */
const HEALTHY_WATCH_MS = 1000;

export class Reflector {
  readonly #options: ReflectorOptions;
  readonly #watch: Watch;
  readonly #objects = new Map<string, unknown>();
  #resourceVersion = '';
  #lists = 0;
  #connected = false;
  #lastError: ReflectorState['lastError'];
  #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: ReflectorOptions) {
    this.#options = options;
    this.#watch = new Watch(options.config);
  }

  start(): void {
    if (this.#running !== undefined) return;
    this.#stop = new AbortController();
    this.#running = this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    this.#running = undefined;
  }

  objects(): unknown[] {
    return [...this.#objects.values()];
  }

  state(): ReflectorState {
    return {
      synced: this.#lists > 0,
      connected: this.#connected,
      resourceVersion: this.#resourceVersion,
      relists: Math.max(0, this.#lists - 1),
      objects: this.#objects.size,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  async #run(): Promise<void> {
    const { backoff, random } = this.#options;
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        if (this.#resourceVersion === '') {
          await this.#pause(this.#options.limiter.reserve());
          await this.#list();
        }
        await this.#pause(this.#options.limiter.reserve());
        if (await this.#watchOnce()) failures = 0;
        else await this.#pause(backoffDelay(backoff, failures++, random));
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        const error = classifyFailure(err, this.#options.resource.kind, this.#resourceVersion === '' ? 'list' : 'watch');
        const attempt = failures++;
        if (error.kind === 'gone') {
          this.#resourceVersion = '';
          // The first 410 relists at once, as client-go does; only repeated ones back off.
          if (attempt === 0) continue;
        } else {
          this.#connected = false;
          this.#lastError = { error, at: this.#options.now() };
          this.#options.onState();
        }
        await this.#pause(backoffDelay(backoff, attempt, random));
      }
    }
    this.#connected = false;
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => undefined);
  }

  /** Lists, replaces the cache with the result, and reports the difference as changes. */
  async #list(): Promise<void> {
    // "0" the first time (served from the watch cache), a consistent read after 410, as client-go.
    const list = await listObjects(this.#options.config, this.#options.resource, this.#lists === 0 ? '0' : '', this.#stop.signal);
    const fresh = new Map<string, unknown>();
    for (const object of list.items) fresh.set(objectKey(object), object);
    const changes: ObjectChange[] = [];
    const kind = this.#options.resource.kind;
    for (const [key, previous] of this.#objects) {
      if (!fresh.has(key)) changes.push({ kind, type: 'deleted', key, object: previous, previous });
    }
    for (const [key, object] of fresh) {
      const previous = this.#objects.get(key);
      if (previous === undefined) changes.push({ kind, type: 'added', key, object });
      else if (resourceVersionOf(previous) !== resourceVersionOf(object) || resourceVersionOf(object) === undefined) {
        changes.push({ kind, type: 'modified', key, object, previous });
      }
    }
    this.#objects.clear();
    for (const [key, object] of fresh) this.#objects.set(key, object);
    this.#resourceVersion = list.resourceVersion;
    this.#lists++;
    this.#connected = true;
    for (const change of changes) this.#options.onChange(change);
    this.#options.onState();
  }

  /**
   * One watch from the current resourceVersion, until the server or the client
   * ends it. Resolves with whether it made progress (saw an event or stayed
   * open a while); rejects with an ApiError (kind `gone` for 410).
   */
  #watchOnce(): Promise<boolean> {
    const { resource, random, now } = this.#options;
    const opened = now().getTime();
    let events = 0;
    let verdict: ApiError | undefined;
    const query = {
      ...selectorQuery(resource),
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(MIN_WATCH_TIMEOUT_SECONDS * (1 + random())),
    };
    return new Promise<boolean>((resolve, reject) => {
      let controller: AbortController | undefined;
      let open = false;
      let ended = false;
      const onStop = (): void => controller?.abort();
      const done = (err: unknown): void => {
        if (ended) return;
        ended = true;
        this.#stop.signal.removeEventListener('abort', onStop);
        if (verdict) return reject(verdict);
        // client-node ends an open watch that was silent for 30 s (TimeoutError): that is a
        // quiet resource, not a failure, and the watch is made again at once. The same
        // error before the watch opened is a server that does not answer.
        const quiet = open && isTimeout(err);
        if (err && !quiet && !this.#stop.signal.aborted) return reject(classifyFailure(err, resource.kind, 'watch'));
        resolve(events > 0 || quiet || now().getTime() - opened >= HEALTHY_WATCH_MS);
      };
      const onEvent = (type: string, object: unknown): void => {
        if (ended) return;
        events++;
        const failure = this.#apply(type, object);
        if (failure) {
          verdict = failure;
          controller?.abort();
        }
      };
      this.#stop.signal.addEventListener('abort', onStop);
      this.#watch
        .watch(resource.path, query, onEvent, done)
        .then((c) => {
          controller = c;
          if (ended || this.#stop.signal.aborted) return c.abort();
          open = true;
          this.#connected = true;
          this.#options.onState();
        })
        .catch(done);
    });
  }

  /** Applies one watch event to the cache; returns the error an ERROR event carries. */
  #apply(type: string, object: unknown): ApiError | undefined {
    if (type === 'ERROR') return this.#watchError(object);
    // An event without an object, or of a type the API does not define, changes nothing.
    if (typeof object !== 'object' || object === null) return undefined;
    if (type === 'ADDED' || type === 'MODIFIED') this.#store(object);
    else if (type === 'DELETED') this.#remove(object);
    else if (type !== 'BOOKMARK') return undefined;
    const version = resourceVersionOf(object);
    if (version !== undefined && version !== '') this.#resourceVersion = version;
    return undefined;
  }

  #store(object: object): void {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    this.#objects.set(key, object);
    const kind = this.#options.resource.kind;
    this.#options.onChange(previous === undefined ? { kind, type: 'added', key, object } : { kind, type: 'modified', key, object, previous });
  }

  #remove(object: object): void {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    if (previous === undefined) return;
    this.#objects.delete(key);
    this.#options.onChange({ kind: this.#options.resource.kind, type: 'deleted', key, object, previous });
  }

  /** An ERROR event's Status: code 410 means the resourceVersion was compacted. */
  #watchError(status: unknown): ApiError {
    const fields = typeof status === 'object' && status !== null ? (status as { code?: unknown; message?: unknown }) : {};
    const code = typeof fields.code === 'number' ? fields.code : undefined;
    const detail = typeof fields.message === 'string' ? fields.message : 'an ERROR event without a Status';
    return new ApiError({ kind: code === 410 ? 'gone' : 'status', resource: this.#options.resource.kind, request: 'watch', ...(code === undefined ? {} : { status: code }), detail });
  }
}
