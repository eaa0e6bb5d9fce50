import type { BoundExpr } from '../planner/bound-expr.js';
import type { SqlType } from '../planner/types.js';
import type { ColumnBatch, Reader, Vector } from './column-batch.js';
import { compileExpr, messageOf, type CompiledExpr } from './kernels/compile-expr.js';

/**
 * A query's computed columns (`name AS expr` of its source stream), evaluated per batch over the
 * decoded columns and appended after them. Numbers, timestamps and booleans land in Float64
 * vectors, so the window and watermark paths read them like decoded columns; strings are plain
 * arrays. The Float64 arrays are reused from batch to batch (results never keep them).
 */
export class ComputedColumns {
  private readonly exprs: CompiledExpr[];
  private values: Float64Array[];
  private valid: Uint8Array[];

  constructor(exprs: readonly BoundExpr[], inputTypes: readonly SqlType[]) {
    this.exprs = exprs.map((e) => compileExpr(e, inputTypes));
    this.values = exprs.map(() => new Float64Array(0));
    this.valid = exprs.map(() => new Uint8Array(0));
  }

  /** The batch with the computed columns after its own; `failed` gets, in row order, each row whose evaluation threw. */
  append(batch: ColumnBatch, failed: { row: number; message: string }[]): ColumnBatch {
    const n = batch.length;
    const columns: Vector[] = batch.columns.slice();
    const bad = new Set<number>();
    for (let k = 0; k < this.exprs.length; k++) {
      const expr = this.exprs[k]!;
      const read = expr.bind({ length: n, columns });
      if (expr.type === 'VARCHAR' || expr.type === 'NULL') {
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          try {
            values[i] = read(i);
          } catch (e) {
            values[i] = null;
            if (!bad.has(i)) failed.push({ row: i, message: messageOf(e) });
            bad.add(i);
          }
        }
        columns.push({ kind: 'js', values });
        continue;
      }
      if (this.values[k]!.length < n) {
        this.values[k] = new Float64Array(Math.max(n, this.values[k]!.length * 2));
        this.valid[k] = new Uint8Array(this.values[k]!.length);
      }
      const values = this.values[k]!.subarray(0, n);
      const valid = this.valid[k]!.subarray(0, n);
      evaluateNumbers(read, n, values, valid, failed, bad);
      columns.push({ kind: 'f64', values, valid });
    }
    // Each column reports its rows in order; a later column may add earlier ones.
    if (this.exprs.length > 1) failed.sort((a, b) => a.row - b.row);
    return { length: n, columns };
  }
}

/**
 * Fills `values`/`valid` with `read(i)` for rows [0, n): numbers as they are, booleans as 1/0,
 * NULL as valid 0. A row that throws is NULL and reported once in `failed`. A function of its own
 * that returns a number, like the row stage's loops (see there). Returns n.
 */
function evaluateNumbers(read: Reader, n: number, values: Float64Array, valid: Uint8Array, failed: { row: number; message: string }[], bad: Set<number>): number {
  for (let i = 0; i < n; i++) {
    let v: unknown;
    try {
      v = read(i);
    } catch (e) {
      v = null;
      if (!bad.has(i)) failed.push({ row: i, message: messageOf(e) });
      bad.add(i);
    }
    // readable: values[i] = Number(v); valid[i] = v !== null
    if (v === null) {
      values[i] = 0;
      valid[i] = 0;
    } else {
      values[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      valid[i] = 1;
    }
  }
  return n;
}
