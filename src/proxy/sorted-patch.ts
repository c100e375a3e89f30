// Sorted arrays changed in place of being sorted again: an incremental sync changes a few
// items of lists that hold the whole cluster (10,000 virtual servers, a set's members), and
// a binary search and a splice (a memmove) cost microseconds where a sort of the whole list
// costs milliseconds. The result is the array a sort of the changed items would give, as
// long as `compare` orders distinct items strictly (no two compare equal).

/** The index of the first item of `sorted` not before `item`. */
export function lowerBound<T>(sorted: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid] as T;
    if (compare(at, item) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Removes from `sorted` (in place) the item that compares equal to `item`; whether it was there. */
export function removeSorted<T>(sorted: T[], item: T, compare: (a: T, b: T) => number): boolean {
  const at = lowerBound(sorted, item, compare);
  const found = sorted[at];
  if (at >= sorted.length || compare(found as T, item) !== 0) return false;
  sorted.splice(at, 1);
  return true;
}

/** Inserts `item` into `sorted` (in place), replacing the item that compares equal to it. */
export function insertSorted<T>(sorted: T[], item: T, compare: (a: T, b: T) => number): void {
  const at = lowerBound(sorted, item, compare);
  if (at < sorted.length && compare(sorted[at] as T, item) === 0) sorted[at] = item;
  else sorted.splice(at, 0, item);
}
