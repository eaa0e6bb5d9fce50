/** Columns of plain JS values, as `ChangelogRows` carries them. */
export type Columns = readonly (readonly unknown[])[];

/** The Map key of row `i`'s key columns. */
export type KeyOf = (columns: Columns, i: number) => unknown;

/**
 * One key column keys by its value (1 and '1' stay apart, as SQL types keep them); several key by
 * their JSON text; none share one key.
 */
export function keyOf(keyColumns: readonly number[]): KeyOf {
  if (keyColumns.length === 0) return () => 0;
  if (keyColumns.length === 1) {
    const c = keyColumns[0]!;
    return (columns, i) => columns[c]![i] ?? null;
  }
  return (columns, i) => JSON.stringify(keyColumns.map((c) => columns[c]![i] ?? null));
}

/** Row `i`'s values of the given columns. */
export function valuesAt(columns: Columns, i: number, which: readonly number[]): unknown[] {
  const out = new Array<unknown>(which.length);
  for (let k = 0; k < which.length; k++) out[k] = columns[which[k]!]![i] ?? null;
  return out;
}

/** Row `i` as an array of all its column values. */
export function rowAt(columns: Columns, i: number): unknown[] {
  const out = new Array<unknown>(columns.length);
  for (let c = 0; c < columns.length; c++) out[c] = columns[c]![i] ?? null;
  return out;
}

export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
