import { ROW_KIND_TEXT, RowKind, type ChangelogRows } from '../../../src/operators/changelog.js';
import type { Emit, JoinSide, LateRow, TwoInputOperator } from '../../../src/operators/joins/join-contract.js';
import { mulberry32 } from '../../../bench/clickstream.js';

export interface OutRow {
  readonly kind: string;
  readonly values: unknown[];
  readonly rowtime: number;
}

/** Hooks for a join that must see no late row: one fails the test. */
export const NO_LATE = {
  onLate: (row: LateRow): void => {
    throw new Error(`unexpected late row ${JSON.stringify(row)}`);
  },
};

/** Rows (row-major) to a changelog batch; `ops` default to all inserts. */
export function batchOf(rows: readonly (readonly unknown[])[], rowtimes?: readonly number[], ops?: readonly RowKind[]): ChangelogRows {
  const width = rows[0]?.length ?? 0;
  const columns = Array.from({ length: width }, (_, c) => rows.map((r) => r[c] ?? null));
  return {
    count: rows.length,
    columns,
    rowtimes: rowtimes ? [...rowtimes] : rows.map(() => 0),
    ...(ops && ops.some((k) => k !== RowKind.Insert) ? { ops: Uint8Array.from(ops) } : {}),
  };
}

/** Collects everything a join emits, row by row. */
export class Collector {
  readonly rows: OutRow[] = [];
  readonly batches: ChangelogRows[] = [];
  readonly late: LateRow[] = [];
  readonly emit: Emit = (b) => {
    this.batches.push(b);
    for (let i = 0; i < b.count; i++) this.rows.push({ kind: ROW_KIND_TEXT[b.ops ? b.ops[i]! : 0]!, values: b.columns.map((c) => c[i]), rowtime: b.rowtimes[i]! });
  };
  readonly onLate = (row: LateRow): void => {
    this.late.push(row);
  };

  /** Output rows as sorted `kind values@rowtime` strings (order-insensitive comparisons). */
  sorted(withRowtime = true): string[] {
    return this.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}${withRowtime ? `@${r.rowtime}` : ''}`).sort();
  }

  clear(): void {
    this.rows.length = 0;
    this.batches.length = 0;
  }
}

/** Applies a changelog to a multiset of rows; throws when a retraction removes a row that is not there. */
export function applyChangelog(rows: readonly OutRow[]): Map<string, number> {
  const table = new Map<string, number>();
  for (const r of rows) {
    const k = JSON.stringify(r.values);
    const add = r.kind === '+I' || r.kind === '+U';
    const n = (table.get(k) ?? 0) + (add ? 1 : -1);
    if (n < 0) throw new Error(`${r.kind} ${k} retracts a row the result does not hold`);
    if (n === 0) table.delete(k);
    else table.set(k, n);
  }
  return table;
}

export function multiset(rows: readonly (readonly unknown[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(JSON.stringify(r), (m.get(JSON.stringify(r)) ?? 0) + 1);
  return m;
}

export function sortedEntries(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** One step fed to a two-input operator. */
export type Step = { side: JoinSide; batch: ChangelogRows } | { watermark: number };

export function run(op: TwoInputOperator, steps: readonly Step[], out: Collector): void {
  for (const s of steps) {
    if ('watermark' in s) op.onWatermark(s.watermark, out.emit);
    else if (s.side === 'left') op.processLeft(s.batch, out.emit);
    else op.processRight(s.batch, out.emit);
  }
}

/** A side's rows (with rowtimes) cut into batches at random points. */
export function cut(rows: readonly (readonly unknown[])[], rowtimes: readonly number[], random: () => number, maxBatch: number): { rows: unknown[][]; rowtimes: number[] }[] {
  const parts: { rows: unknown[][]; rowtimes: number[] }[] = [];
  for (let i = 0; i < rows.length;) {
    const n = 1 + Math.floor(random() * maxBatch);
    parts.push({ rows: rows.slice(i, i + n).map((r) => [...r]), rowtimes: rowtimes.slice(i, i + n) });
    i += n;
  }
  return parts;
}

/**
 * Interleaves two sides' batches at random, keeping each side's order, and after every batch moves
 * that side's watermark to `watermarkOf(batch)`; the join's watermark is the minimum of the two.
 */
export function interleave(left: { rows: unknown[][]; rowtimes: number[] }[], right: { rows: unknown[][]; rowtimes: number[] }[], seed: number, watermarkOf: (side: JoinSide, rows: unknown[][], rowtimes: number[]) => number): Step[] {
  const random = mulberry32(seed);
  const steps: Step[] = [];
  let li = 0;
  let ri = 0;
  const wm = { left: -Infinity, right: -Infinity };
  let combined = -Infinity;
  while (li < left.length || ri < right.length) {
    const takeLeft = ri >= right.length || (li < left.length && random() < 0.5);
    const side: JoinSide = takeLeft ? 'left' : 'right';
    const part = takeLeft ? left[li++]! : right[ri++]!;
    steps.push({ side, batch: batchOf(part.rows, part.rowtimes) });
    wm[side] = Math.max(wm[side], watermarkOf(side, part.rows, part.rowtimes));
    const next = Math.min(wm.left, wm.right);
    if (next > combined) {
      combined = next;
      steps.push({ watermark: next });
    }
  }
  steps.push({ watermark: Infinity });
  return steps;
}
