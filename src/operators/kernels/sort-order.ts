import type { Columns } from './row-key.js';

/**
 * One ORDER BY item over an input column. Without `nullsFirst`, NULL sorts as the lowest value,
 * Flink's default (NullCollation.LOW): first when ascending, last when descending.
 */
export interface SortKeySpec {
  readonly column: number;
  readonly descending?: boolean;
  readonly nullsFirst?: boolean;
}

/** Orders two non-null SQL values of one type: numbers, strings (UTF-16 order) or booleans. */
export function compareValues(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function compareKey(a: unknown, b: unknown, descending: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b);
  return descending ? -c : c;
}

/** Compares two stored rows (arrays of all input columns): negative when `a` comes first. */
export type RowOrder = (a: readonly unknown[], b: readonly unknown[]) => number;
/** Compares input row `i` with a stored row, without building an array for the input row. */
export type CellOrder = (columns: Columns, i: number, b: readonly unknown[]) => number;

export function rowOrder(keys: readonly SortKeySpec[]): RowOrder {
  const cols = keys.map((k) => k.column);
  const desc = keys.map((k) => k.descending === true);
  const nullsFirst = keys.map((k) => k.nullsFirst ?? k.descending !== true);
  if (keys.length === 1) {
    const [c, d, n] = [cols[0]!, desc[0]!, nullsFirst[0]!];
    return (a, b) => compareKey(a[c] ?? null, b[c] ?? null, d, n);
  }
  return (a, b) => {
    for (let k = 0; k < cols.length; k++) {
      const r = compareKey(a[cols[k]!] ?? null, b[cols[k]!] ?? null, desc[k]!, nullsFirst[k]!);
      if (r !== 0) return r;
    }
    return 0;
  };
}

export function cellOrder(keys: readonly SortKeySpec[]): CellOrder {
  const cols = keys.map((k) => k.column);
  const desc = keys.map((k) => k.descending === true);
  const nullsFirst = keys.map((k) => k.nullsFirst ?? k.descending !== true);
  if (keys.length === 1) {
    const [c, d, n] = [cols[0]!, desc[0]!, nullsFirst[0]!];
    return (columns, i, b) => compareKey(columns[c]![i] ?? null, b[c] ?? null, d, n);
  }
  return (columns, i, b) => {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      const r = compareKey(columns[c]![i] ?? null, b[c] ?? null, desc[k]!, nullsFirst[k]!);
      if (r !== 0) return r;
    }
    return 0;
  };
}
