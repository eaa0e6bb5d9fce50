import type { OutputRows } from '../operators/operator.js';
import { RowKind, type ChangelogRows } from '../operators/changelog.js';

/**
 * The table an updating result's changelog leaves: +I and +U add their row, -U and -D take one
 * equal row away. Rows keep the order they first entered in; `sluice run --final` writes them.
 */
export class FinalTable {
  private readonly rows = new Map<string, { values: unknown[]; count: number; rowtime: number }>();

  apply(batch: OutputRows): void {
    const ops = (batch as ChangelogRows).ops;
    const width = batch.columns.length;
    for (let r = 0; r < batch.count; r++) {
      const values = new Array<unknown>(width);
      for (let c = 0; c < width; c++) values[c] = batch.columns[c]![r] ?? null;
      const key = JSON.stringify(values);
      const kind = ops ? ops[r]! : RowKind.Insert;
      const entry = this.rows.get(key);
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) {
        if (entry) entry.count++;
        else this.rows.set(key, { values, count: 1, rowtime: batch.rowtimes[r]! });
      } else if (entry) {
        if (--entry.count === 0) this.rows.delete(key);
      }
    }
  }

  /** The table's rows, as an append-only batch (no row kinds). */
  contents(): OutputRows {
    const all = [...this.rows.values()].flatMap((e) => Array.from({ length: e.count }, () => e));
    const width = all[0]?.values.length ?? 0;
    return {
      count: all.length,
      columns: Array.from({ length: width }, (_, c) => all.map((e) => e.values[c])),
      rowtimes: all.map((e) => e.rowtime),
    };
  }
}
