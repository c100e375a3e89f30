// Long lists of problems (a file of garbage gives one per line) are cut after
// a number a person reads, with a count of the rest: the first problems tell
// what is wrong, the count how much.

/** How many problems a command lists before it only counts the rest. */
const MAX_LISTED_PROBLEMS = 50;

/** Collects problems, keeping the first MAX_LISTED_PROBLEMS and counting all. */
export class ProblemList<T> {
  readonly kept: T[] = [];
  count = 0;

  add(problem: T): void {
    this.count++;
    if (this.kept.length < MAX_LISTED_PROBLEMS) this.kept.push(problem);
  }
}

/** The first MAX_LISTED_PROBLEMS of `lines`, then "... and N more" when `total` (default: all of them) is larger. */
export function listedLines(lines: readonly string[], total = lines.length): string[] {
  const shown = lines.slice(0, MAX_LISTED_PROBLEMS);
  return total > shown.length ? [...shown, `... and ${total - shown.length} more`] : shown;
}
