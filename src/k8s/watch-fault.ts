// An event kipvs could not take in: a watch line that is not JSON, JSON that is not a
// watch event, or an exception from handling one (kipvs's own, or the consumer's
// onChange). The cache may now miss a change, so the reflector lists the resource
// again, and the fault is counted (kipvs_watch_errors_total{resource,reason}) and logged:
// an event is never lost silently.
import { resourcePhrase } from './api-error.js';
import type { WatchedKind } from './resources.js';

export type WatchFaultReason = 'unparsable_line' | 'invalid_event' | 'handler_error';

const WHAT: Readonly<Record<WatchFaultReason, string>> = {
  unparsable_line: 'a watch line is not JSON',
  invalid_event: 'a watch line is not a watch event',
  handler_error: 'handling a change failed',
};

/** Long lines are cut in messages: the line is evidence, not something to print whole. */
const SHOWN_CHARS = 200;

export class WatchFault extends Error {
  override readonly name = 'WatchFault';

  constructor(
    readonly resource: WatchedKind,
    readonly reason: WatchFaultReason,
    /** The line, or the handler's error message. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    const shown = detail.length > SHOWN_CHARS ? `${detail.slice(0, SHOWN_CHARS)}…` : detail;
    super(`watching ${resourcePhrase(resource)}: ${WHAT[reason]} (${shown}); listing again`, options);
  }
}
