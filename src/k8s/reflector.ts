// One resource's cache kept in step with the API server, as client-go's
// reflector keeps an informer's store (tools/cache/reflector.go): list, then
// watch from the list's resourceVersion; on 410 Gone (an ERROR event with
// code 410, or an HTTP 410, or an expired continue token) list again; on any
// other failure or a closed watch, watch again from the last resourceVersion
// seen, after a capped, jittered backoff when it failed (or as long as a 429 or
// 5xx's Retry-After asks). An event it cannot take in (a broken line, an
// exception while handling it) is a WatchFault: reported, then the resource is
// listed again. The cache changes only on what the server says: an error never
// empties it, so the proxy keeps serving the last known state while the API
// server is away.
//
// The list is streamed when the server can (streaming-list.ts: one watch request
// that sends every object, then a bookmark, then the changes), else read page by
// page; either way the cache is replaced in one step when the list is whole, and
// objects that vanished meanwhile are reported deleted.
//
// Each object is reduced by `transform` as it arrives, before it is kept (as
// client-go's informers take a TransformFunc): the cache holds only what its
// readers read.
//
// client-node's ListWatch is not used: it gives up after a non-410 error
// (the caller must restart it), has no jitter, and throws on an object
// without metadata; nor its Watch (watch-stream.ts says why).
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError, classifyFailure } from './api-error.js';
import { abortWith } from './api-request.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { listObjects } from './list-request.js';
import { listeningTimeout, type ListeningTimeout } from './listening-timeout.js';
import { objectKey } from '../proxy/object-key.js';
import { resourceVersionOf } from './resource-version.js';
import type { RequestRateLimiter } from './request-rate.js';
import { selectorQuery, type WatchedKind, type WatchedResource } from './resources.js';
import {
  afterStreamFailure,
  endsInitialEvents,
  streamingListQuery,
  type StreamingListSupport,
} from './streaming-list.js';
import { WatchFault, type WatchFaultReason } from './watch-fault.js';
import { readWatch, type WatchEnd } from './watch-stream.js';

export type ChangeType = 'added' | 'modified' | 'deleted';

/** One object that changed in the cache; `object` is the server's object as `transform` kept it (the last state, when deleted). */
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
  /** Whether the server streams lists; shared by every reflector of one client. */
  readonly streaming: StreamingListSupport;
  /** [0, 1): backoff jitter and watch timeouts. */
  readonly random: () => number;
  readonly now: () => Date;
  readonly onChange: (change: ObjectChange) => void;
  /** Called after the list completes, a watch opens, or a request fails. */
  readonly onState: () => void;
  /** An event that could not be taken in; the resource is listed again. */
  readonly onFault: (fault: WatchFault) => void;
  /** What is kept of each object as it arrives (the identity keeps all of it). */
  readonly transform: (object: unknown) => unknown;
  readonly timeouts: RequestTimeouts;
  /** Objects per list page. */
  readonly pageSize: number;
}

export interface RequestTimeouts {
  /** How long a list page, or the answer to a watch request, may take. */
  readonly requestMs: number;
  /** How long an open watch may stay silent (see watch-stream.ts). */
  readonly watchIdleMs: number;
  /**
   * How long a streaming list may go without an event before its initial-events-end
   * bookmark: kube-apiserver sends the bookmark right after the last object, so a longer
   * silence means a server that ignored the request's parameters (client-go warns after
   * 10 s). The list is then read page by page (between this and twice this after the last
   * event: listening-timeout.ts).
   */
  readonly initialEventsMs: number;
}

export interface ReflectorState {
  /** The first list has completed. */
  readonly synced: boolean;
  /** The last request succeeded (a list, or a watch that is open). */
  readonly connected: boolean;
  readonly resourceVersion: string;
  /** Lists after the first one: after 410 Gone or a lost event. */
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

const WATCH_EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** How a watch ended: it made progress or not, or (a streaming list) the list must be read page by page. */
type WatchOutcome = 'progress' | 'no-progress' | 'page-the-list';

/** A streaming list that went silent before its initial-events-end bookmark. */
class NoInitialEventsEnd extends Error {
  override readonly name = 'NoInitialEventsEnd';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Reflector {
  readonly #options: ReflectorOptions;
  readonly #objects = new Map<string, unknown>();
  /** The last resourceVersion seen; "" when unknown or expired. */
  #resourceVersion = '';
  /** The cache must be listed (again) before it is watched. */
  #needsList = true;
  /** The next list is read page by page although the server streams lists (its stream failed this time). */
  #pageOnce = false;
  /** "0" for the first paged list (served from the watch cache), "" for a consistent read after it or after 410, as client-go. */
  #listFrom = '0';
  #lists = 0;
  #connected = false;
  #lastError: ReflectorState['lastError'];
  #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: ReflectorOptions) {
    this.#options = options;
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
        if (this.#needsList && (this.#pageOnce || !this.#options.streaming.usable)) await this.#list();
        await this.#pause(this.#options.limiter.reserve());
        const outcome = await this.#watchOnce();
        if (outcome === 'page-the-list') this.#pageOnce = true;
        else if (outcome === 'progress') failures = 0;
        else await this.#pause(backoffDelay(backoff, failures++, random));
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        const attempt = failures++;
        if (err instanceof WatchFault) {
          this.#options.onFault(err);
          this.#needsList = true;
          if (attempt === 0) continue;
          await this.#pause(backoffDelay(backoff, attempt, random));
          continue;
        }
        const error = classifyFailure(err, this.#options.resource.kind, this.#pagingNow() ? 'list' : 'watch');
        if (error.kind === 'gone') {
          this.#resourceVersion = '';
          this.#listFrom = '';
          this.#needsList = true;
          // The first 410 relists at once, as client-go does; only repeated ones back off.
          if (attempt === 0) continue;
        } else {
          this.#connected = false;
          this.#lastError = { error, at: this.#options.now() };
          this.#options.onState();
        }
        // A server that says how long to wait is believed (client-go's checkWait).
        const delay =
          error.retryAfterSeconds === undefined
            ? backoffDelay(backoff, attempt, random)
            : error.retryAfterSeconds * 1000;
        await this.#pause(delay);
      }
    }
    this.#connected = false;
  }

  /** The list to come is read page by page. */
  #pagingNow(): boolean {
    return this.#needsList && (this.#pageOnce || !this.#options.streaming.usable);
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => undefined);
  }

  /** Lists page by page, then replaces the cache with the result. */
  async #list(): Promise<void> {
    const { resource, transform, limiter } = this.#options;
    const fresh = new Map<string, unknown>();
    const resourceVersion = await listObjects(this.#options.config, resource, {
      resourceVersion: this.#listFrom,
      signal: this.#stop.signal,
      timeoutMs: this.#options.timeouts.requestMs,
      pageSize: this.#options.pageSize,
      beforeRequest: () => this.#pause(limiter.reserve()),
      onItems: (items) => {
        for (const item of items) {
          const object = transform(item);
          fresh.set(objectKey(object), object);
        }
      },
    });
    this.#listFrom = '';
    this.#pageOnce = false;
    this.#replace(fresh, resourceVersion);
  }

  /**
   * Replaces the cache with a whole list, in one step, and reports the difference as
   * changes: objects that vanished since the last list are deleted. Throws a WatchFault
   * when a change's handler threw.
   */
  #replace(fresh: ReadonlyMap<string, unknown>, resourceVersion: string): void {
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
    this.#resourceVersion = resourceVersion;
    this.#needsList = false;
    this.#lists++;
    this.#connected = true;
    let failed: unknown;
    for (const change of changes) {
      try {
        this.#options.onChange(change);
      } catch (err) {
        failed ??= err;
      }
    }
    this.#options.onState();
    // The cache is right, its reader missed a change: the relist tells it that anything may differ.
    if (failed !== undefined) throw new WatchFault(kind, 'handler_error', messageOf(failed), { cause: failed });
  }

  /**
   * One watch, until the server or the client ends it: from the current resourceVersion,
   * or, when the cache must be listed, a streaming list (its initial events replace the
   * cache at the initial-events-end bookmark, and the same stream then goes on as the
   * watch). Resolves with whether it made progress (saw an event or stayed open a while),
   * or that the list must be read page by page; rejects with an ApiError (kind `gone` for
   * 410) or a WatchFault.
   */
  async #watchOnce(): Promise<WatchOutcome> {
    const { resource, random, now, timeouts } = this.#options;
    const opened = now().getTime();
    const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_SECONDS * (1 + random()));
    // The objects of a streaming list's initial events, until its bookmark; undefined for a watch.
    let initial: Map<string, unknown> | undefined = this.#needsList ? new Map() : undefined;
    let events = 0;
    let verdict: ApiError | WatchFault | NoInitialEventsEnd | undefined;
    let silence: ListeningTimeout | undefined;
    // Ended by stop() (also one that came while this watch waited its turn), or by a line.
    const { controller: ended, release } = abortWith(this.#stop.signal);
    const awaitInitialEvents = (): void => {
      silence = listeningTimeout(timeouts.initialEventsMs, () => {
        verdict = new NoInitialEventsEnd();
        ended.abort();
      });
    };
    let end: WatchEnd;
    try {
      end = await readWatch(this.#options.config, {
        resource,
        query: initial
          ? streamingListQuery(resource, this.#resourceVersion, timeoutSeconds)
          : {
              ...selectorQuery(resource),
              resourceVersion: this.#resourceVersion,
              allowWatchBookmarks: 'true',
              timeoutSeconds: String(timeoutSeconds),
            },
        signal: ended.signal,
        timeoutMs: timeouts.requestMs,
        idleMs: timeouts.watchIdleMs,
        onOpen: () => {
          this.#connected = true;
          this.#options.onState();
          if (initial) awaitInitialEvents();
        },
        onLine: (line) => {
          events++;
          if (initial) {
            silence?.heard();
            verdict = this.#initialLine(line, initial);
            if (!this.#needsList) {
              initial = undefined;
              silence?.cancel();
            }
          } else verdict = this.#line(line);
          if (verdict) ended.abort();
        },
      });
    } catch (err) {
      if (initial === undefined || this.#stop.signal.aborted) throw err;
      return this.#streamEnded(classifyFailure(err, resource.kind, 'watch'));
    } finally {
      silence?.cancel();
      release();
    }
    if (initial) return this.#streamEnded(verdict ?? 'closed');
    if (verdict) throw verdict;
    // A stream silent for watchIdleMs is made again at once, from the same resourceVersion.
    return events > 0 || end === 'idle' || now().getTime() - opened >= HEALTHY_WATCH_MS ? 'progress' : 'no-progress';
  }

  /** What a streaming list that ended before its initial-events-end bookmark leads to (see streaming-list.ts). */
  #streamEnded(why: ApiError | WatchFault | NoInitialEventsEnd | 'closed'): WatchOutcome {
    if (this.#stop.signal.aborted) return 'no-progress';
    if (why instanceof WatchFault) throw why;
    if (why instanceof NoInitialEventsEnd) {
      this.#options.streaming.refuse();
      return 'page-the-list';
    }
    if (why === 'closed') return 'page-the-list';
    const action = afterStreamFailure(why);
    if (action === 'retry') throw why;
    if (action === 'page-from-now-on') this.#options.streaming.refuse();
    return 'page-the-list';
  }

  /** Parses one watch line; returns the event, or what ends the watch: an ERROR event's error, or a fault. */
  #parse(line: string): { readonly type: string; readonly object: object } | ApiError | WatchFault {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (err) {
      return this.#fault('unparsable_line', line, err);
    }
    const { type, object } = (typeof event === 'object' && event !== null ? event : {}) as {
      type?: unknown;
      object?: unknown;
    };
    if (typeof type !== 'string' || !WATCH_EVENT_TYPES.has(type)) return this.#fault('invalid_event', line);
    if (type === 'ERROR') return this.#watchError(object);
    if (typeof object !== 'object' || object === null) return this.#fault('invalid_event', line);
    return { type, object };
  }

  #fault(reason: WatchFaultReason, detail: string, cause?: unknown): WatchFault {
    return new WatchFault(this.#options.resource.kind, reason, detail, cause === undefined ? undefined : { cause });
  }

  /** Takes in one watch line; returns what ends the watch: an ERROR event's error, or a fault. */
  #line(line: string): ApiError | WatchFault | undefined {
    const event = this.#parse(line);
    if (event instanceof ApiError || event instanceof WatchFault) return event;
    try {
      this.#apply(event.type, event.object);
    } catch (err) {
      return this.#fault('handler_error', messageOf(err), err);
    }
    return undefined;
  }

  /**
   * Takes in one line of a streaming list before its bookmark: objects are reduced and
   * gathered (their resourceVersions are not in order, so none is kept), and the
   * initial-events-end bookmark replaces the cache with them.
   */
  #initialLine(line: string, initial: Map<string, unknown>): ApiError | WatchFault | undefined {
    const event = this.#parse(line);
    if (event instanceof ApiError || event instanceof WatchFault) return event;
    try {
      if (event.type === 'BOOKMARK') {
        if (endsInitialEvents(event.object)) this.#replace(initial, resourceVersionOf(event.object) ?? '');
        return undefined;
      }
      const object = this.#options.transform(event.object);
      if (event.type === 'DELETED') initial.delete(objectKey(object));
      else initial.set(objectKey(object), object);
    } catch (err) {
      return err instanceof WatchFault ? err : this.#fault('handler_error', messageOf(err), err);
    }
    return undefined;
  }

  /** Applies an ADDED, MODIFIED, DELETED or BOOKMARK event to the cache. */
  #apply(type: string, raw: object): void {
    const version = resourceVersionOf(raw);
    if (type !== 'BOOKMARK') {
      const object = this.#options.transform(raw);
      if (type === 'DELETED') this.#remove(object);
      else this.#store(object);
    }
    if (version !== undefined && version !== '') this.#resourceVersion = version;
  }

  #store(object: unknown): void {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    this.#objects.set(key, object);
    const kind = this.#options.resource.kind;
    this.#options.onChange(
      previous === undefined ? { kind, type: 'added', key, object } : { kind, type: 'modified', key, object, previous },
    );
  }

  #remove(object: unknown): void {
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    if (previous === undefined) return;
    this.#objects.delete(key);
    this.#options.onChange({ kind: this.#options.resource.kind, type: 'deleted', key, object, previous });
  }

  /** An ERROR event's Status: code 410 means the resourceVersion was compacted. */
  #watchError(status: unknown): ApiError {
    const fields =
      typeof status === 'object' && status !== null ? (status as { code?: unknown; message?: unknown }) : {};
    const code = typeof fields.code === 'number' ? fields.code : undefined;
    const detail = typeof fields.message === 'string' ? fields.message : 'an ERROR event without a Status';
    return new ApiError({
      kind: code === 410 ? 'gone' : 'status',
      resource: this.#options.resource.kind,
      request: 'watch',
      ...(code === undefined ? {} : { status: code }),
      detail,
    });
  }
}
