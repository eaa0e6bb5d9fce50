import type { ColumnType } from '../decode/types.js';
import { keyOfRow, type JoinKey } from '../operators/joins/join-rows.js';

/**
 * One load of a reference table: its rows, typed by the declared columns, and hash indexes on key
 * columns. Never changed once built: a reload makes a new version and swaps it in whole, so whoever
 * holds a version sees all of one load.
 */
export class TableVersion {
  private readonly indexes = new Map<string, Map<JoinKey, number[]>>();
  /** The same rows column by column (`columns[c][row]`), as joins copy them into batches. */
  readonly columns: readonly (readonly unknown[])[];

  constructor(
    /** 1 for the first load, then one more per successful reload. */
    readonly version: number,
    readonly types: readonly ColumnType[],
    readonly rows: readonly (readonly unknown[])[],
    /** When the load finished (ms since the epoch). */
    readonly loadedAt: number,
  ) {
    this.columns = types.map((_, c) => rows.map((r) => r[c] ?? null));
  }

  get width(): number {
    return this.types.length;
  }

  /** Row numbers whose `columns` equal `key` (as join-rows.ts makes keys); undefined when none. */
  lookup(columns: readonly number[], key: JoinKey): readonly number[] | undefined {
    return this.index(columns).get(key);
  }

  /** The hash index on `columns`, built on first use (and at load for the declared key). */
  index(columns: readonly number[]): ReadonlyMap<JoinKey, number[]> {
    const name = columns.join(',');
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = new Map();
      for (let i = 0; i < this.rows.length; i++) {
        const key = keyOfRow(this.rows[i]!, columns);
        if (key === null) continue;
        const list = index.get(key);
        if (list === undefined) index.set(key, [i]);
        else list.push(i);
      }
      this.indexes.set(name, index);
    }
    return index;
  }
}
