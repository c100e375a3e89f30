// Jest 29's `test.each` types take mutable rows, while a table written
// `as const` (to keep each column's literal type) is readonly. This copies the
// rows, keeping their types, so a table can be both exact and accepted.
type MutableRow<Row> = { -readonly [K in keyof Row]: Row[K] };

export function mutableRows<Row extends readonly unknown[]>(rows: readonly Row[]): MutableRow<Row>[] {
  return rows.map((row) => [...row] as MutableRow<Row>);
}
