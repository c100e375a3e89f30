// The live virtual servers of a family by key text, without building a Map of 10,000 keys
// at every sync: the index of a list is built once, and carried over to the list a change
// makes of it (withLiveServices), so that the kept live state of the sync engine
// (src/sync/kept-live-state.ts) is indexed once per full read, not once per sync.
//
// The index is a memo of a pure function of the list (held weakly by the list it indexes):
// carrying it over moves it to the new list, and the old list, if asked again, is indexed
// again. Results never depend on whether an index was there.
import type { LiveService } from '../ipvs/types.js';
import { virtualServerKeyText } from './keys.js';

const indexes = new WeakMap<readonly LiveService[], Map<string, LiveService>>();

function indexOf(services: readonly LiveService[]): Map<string, LiveService> {
  let index = indexes.get(services);
  if (!index) {
    index = new Map(services.map((s) => [virtualServerKeyText(s.service.key), s]));
    indexes.set(services, index);
  }
  return index;
}

/**
 * Builds the index of `services` now: for a list just read whole, so that the sync that read
 * it pays for its index (it is O(table) anyway), not the first change after it.
 */
export function indexLiveServices(services: readonly LiveService[]): void {
  indexOf(services);
}

/** The live virtual server whose key text (keys.ts) is `key`. */
export function liveServiceAt(services: readonly LiveService[], key: string): LiveService | undefined {
  return indexOf(services).get(key);
}

/** Past this many changes one pass over the list replaces searching it once per change. */
const SEARCH_LIMIT = 8;

/**
 * `services` with the virtual servers of `changes` (by key text) replaced in place, added at
 * the end or (undefined) removed: the order a Map of them would keep. The same list when
 * nothing changes.
 */
export function withLiveServices(
  services: readonly LiveService[],
  changes: ReadonlyMap<string, LiveService | undefined>,
): readonly LiveService[] {
  if (changes.size === 0) return services;
  const index = indexOf(services);
  const replaced = new Map<LiveService, LiveService | undefined>();
  const added: LiveService[] = [];
  for (const [key, now] of changes) {
    const before = index.get(key);
    if (before) replaced.set(before, now);
    else if (now) added.push(now);
  }
  let result: LiveService[];
  if (replaced.size <= SEARCH_LIMIT) {
    result = [...services];
    for (const [before, now] of replaced) {
      const at = result.indexOf(before);
      if (now) result[at] = now;
      else result.splice(at, 1);
    }
  } else {
    result = services.flatMap((s) => {
      if (!replaced.has(s)) return [s];
      const now = replaced.get(s);
      return now ? [now] : [];
    });
  }
  result.push(...added);
  for (const [key, now] of changes) {
    if (now) index.set(key, now);
    else index.delete(key);
  }
  indexes.delete(services);
  indexes.set(result, index);
  return result;
}
