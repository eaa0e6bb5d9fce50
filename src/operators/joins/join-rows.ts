import type { SqlType } from '../../planner/types.js';
import type { BoundExpr } from '../../planner/bound-expr.js';
import type { ChangelogRows } from '../changelog.js';
import { RowKind } from '../changelog.js';
import type { Vector } from '../column-batch.js';
import { compileExpr, RowError } from '../kernels/compile-expr.js';
import type { Emit, JoinHooks } from './join-contract.js';
import type { JoinTime } from './join-specs.js';

/** A join key as a Map key: the value itself for one column, a `rowIdentity`-style text for several. */
export type JoinKey = string | number | boolean;

/** The key of row `i`, or null when a key column is NULL (NULL never equals anything in SQL). */
export function keyAt(columns: readonly (readonly unknown[])[], i: number, keys: readonly number[]): JoinKey | null {
  if (keys.length === 1) {
    const v = columns[keys[0]!]![i];
    return v === null || v === undefined ? null : (v as JoinKey);
  }
  let key = '';
  for (const k of keys) {
    const v = columns[k]![i];
    if (v === null || v === undefined) return null;
    key += identityOf(v);
  }
  return key;
}

/** The key of a row held as an array of values. */
export function keyOfRow(row: readonly unknown[], keys: readonly number[]): JoinKey | null {
  if (keys.length === 1) {
    const v = row[keys[0]!];
    return v === null || v === undefined ? null : (v as JoinKey);
  }
  let key = '';
  for (const k of keys) {
    const v = row[k];
    if (v === null || v === undefined) return null;
    key += identityOf(v);
  }
  return key;
}

/** A row's identity among equal-keyed rows: unambiguous (strings carry their length), cheaper than JSON. */
export function rowIdentity(row: readonly unknown[]): string {
  let id = '';
  for (const v of row) id += identityOf(v);
  return id;
}

function identityOf(v: unknown): string {
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (v === null || v === undefined) return 'z';
  return `${typeof v === 'number' ? 'n' : 'b'}${String(v)};`;
}

/** Row `i` of a batch as its own array (batches may be reused by the caller once we return). */
export function rowAt(columns: readonly (readonly unknown[])[], i: number): unknown[] {
  const row = new Array<unknown>(columns.length);
  for (let c = 0; c < columns.length; c++) row[c] = columns[c]![i] ?? null;
  return row;
}

/** A row's join time: a TIMESTAMP column (epoch ms) or its ROWTIME; NaN when NULL. */
export function timeAt(batch: ChangelogRows, i: number, time: JoinTime): number {
  if (time === 'rowtime') return batch.rowtimes[i]!;
  const v = batch.columns[time]![i];
  return typeof v === 'number' ? v : NaN;
}

export function timeOfRow(row: readonly unknown[], rowtime: number, time: JoinTime): number {
  if (time === 'rowtime') return rowtime;
  const v = row[time];
  return typeof v === 'number' ? v : NaN;
}

export class JoinInputError extends Error {
  override readonly name = 'JoinInputError';
}

/** Throws when an append-only join is handed a retraction: the planner must not let that happen. */
export function assertAppendOnly(batch: ChangelogRows, what: string): void {
  if (!batch.ops) return;
  for (let i = 0; i < batch.count; i++) {
    const k = batch.ops[i]!;
    if (k !== RowKind.Insert && k !== RowKind.UpdateAfter) throw new JoinInputError(`${what} takes append-only input, got a retraction`);
  }
}

export type Residual = (left: readonly unknown[], right: readonly unknown[]) => boolean;

/**
 * The spec's residual expression compiled over one output row (left columns, then right), or the
 * hook's callback, or null. A row error (division by zero, bad cast) in the condition counts as
 * not matching, as a WHERE that fails does not pass the row.
 */
export function residualOf(expr: BoundExpr | undefined, leftTypes: readonly SqlType[], rightTypes: readonly SqlType[], hooks: JoinHooks): Residual | null {
  if (!expr) return hooks.residual ?? null;
  const types = [...leftTypes, ...rightTypes];
  const cells = types.map(() => [null] as unknown[]);
  const vectors: Vector[] = cells.map((values) => ({ kind: 'js', values }));
  const read = compileExpr(expr, types).bind({ length: 1, columns: vectors });
  const width = leftTypes.length;
  return (left, right) => {
    for (let c = 0; c < width; c++) cells[c]![0] = left[c] ?? null;
    for (let c = 0; c < rightTypes.length; c++) cells[width + c]![0] = right[c] ?? null;
    try {
      return read(0) === true;
    } catch (err) {
      if (err instanceof RowError) return false;
      throw err;
    }
  };
}

/** Builds a join's output batch: left values then right values (or nulls) per row, with kinds. */
export class JoinOutput {
  private columns: unknown[][];
  private rowtimes: number[] = [];
  private ops: number[] = [];
  private anyRetraction = false;

  constructor(private readonly leftWidth: number, private readonly rightWidth: number) {
    this.columns = this.fresh();
  }

  get count(): number {
    return this.rowtimes.length;
  }

  add(kind: RowKind, left: readonly unknown[] | null, right: readonly unknown[] | null, rowtime: number): void {
    const cols = this.columns;
    const lw = this.leftWidth;
    if (left) for (let c = 0; c < lw; c++) cols[c]!.push(left[c]);
    else for (let c = 0; c < lw; c++) cols[c]!.push(null);
    if (right) for (let c = 0; c < this.rightWidth; c++) cols[lw + c]!.push(right[c]);
    else for (let c = 0; c < this.rightWidth; c++) cols[lw + c]!.push(null);
    this.rowtimes.push(rowtime);
    this.ops.push(kind);
    if (kind !== RowKind.Insert) this.anyRetraction = true;
  }

  /**
   * The same, reading row `li` of `left` and row `ri` of `right` (column-major, as batches and
   * the time-bounded stores hold rows); a null side is padded with nulls.
   */
  addFrom(kind: RowKind, left: readonly (readonly unknown[])[] | null, li: number, right: readonly (readonly unknown[])[] | null, ri: number, rowtime: number): void {
    const cols = this.columns;
    const lw = this.leftWidth;
    if (left) for (let c = 0; c < lw; c++) cols[c]!.push(left[c]![li] ?? null);
    else for (let c = 0; c < lw; c++) cols[c]!.push(null);
    if (right) for (let c = 0; c < this.rightWidth; c++) cols[lw + c]!.push(right[c]![ri] ?? null);
    else for (let c = 0; c < this.rightWidth; c++) cols[lw + c]!.push(null);
    this.rowtimes.push(rowtime);
    this.ops.push(kind);
    if (kind !== RowKind.Insert) this.anyRetraction = true;
  }

  /** Hands the rows so far to `out` (nothing when there are none) and starts afresh. */
  flush(out: Emit): void {
    if (this.rowtimes.length === 0) return;
    const rows: ChangelogRows = {
      count: this.rowtimes.length,
      columns: this.columns,
      rowtimes: this.rowtimes,
      ...(this.anyRetraction ? { ops: Uint8Array.from(this.ops) } : {}),
    };
    this.columns = this.fresh();
    this.rowtimes = [];
    this.ops = [];
    this.anyRetraction = false;
    out(rows);
  }

  private fresh(): unknown[][] {
    return Array.from({ length: this.leftWidth + this.rightWidth }, () => []);
  }
}
