import type { OutputRows } from './operator.js';

/**
 * The kind of a result row, as Flink's RowKind: an insert, the old and new versions of an update,
 * or a delete. A consumer that keeps a table applies them; one that appends writes them as a field.
 */
export const RowKind = { Insert: 0, UpdateBefore: 1, UpdateAfter: 2, Delete: 3 } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

export const ROW_KIND_TEXT = ['+I', '-U', '+U', '-D'] as const;
export type RowKindText = (typeof ROW_KIND_TEXT)[number];

/**
 * Rows between stateful operators and out of an updating query: `OutputRows` plus each row's kind.
 * Without `ops` every row is an insert (an append-only result).
 */
export interface ChangelogRows extends OutputRows {
  readonly ops?: Uint8Array;
}

export function rowKindAt(rows: ChangelogRows, i: number): RowKind {
  return rows.ops ? (rows.ops[i]! as RowKind) : RowKind.Insert;
}

/** Whether a row adds to a table (+I, +U) rather than takes away from it (-U, -D). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === RowKind.Insert || kind === RowKind.UpdateAfter;
}

/** Builds changelog rows column by column: operators append rows with their kind, then `take()` the batch. */
export class ChangelogBuilder {
  private columns: unknown[][];
  private rowtimes: number[] = [];
  private ops: number[] = [];
  private anyUpdate = false;

  constructor(private readonly width: number) {
    this.columns = Array.from({ length: width }, () => []);
  }

  get count(): number {
    return this.rowtimes.length;
  }

  add(kind: RowKind, values: readonly unknown[], rowtime: number): void {
    for (let c = 0; c < this.width; c++) this.columns[c]!.push(values[c] ?? null);
    this.rowtimes.push(rowtime);
    this.ops.push(kind);
    if (kind !== RowKind.Insert) this.anyUpdate = true;
  }

  /**
   * The rows so far; the builder starts afresh. Without `always`, `ops` is left out when every row
   * is an insert (an append-only result); an updating query's rows always carry it.
   */
  take(always = false): ChangelogRows {
    const rows: ChangelogRows = {
      count: this.rowtimes.length,
      columns: this.columns,
      rowtimes: this.rowtimes,
      ...(this.anyUpdate || always ? { ops: Uint8Array.from(this.ops) } : {}),
    };
    this.columns = Array.from({ length: this.width }, () => []);
    this.rowtimes = [];
    this.ops = [];
    this.anyUpdate = false;
    return rows;
  }
}
