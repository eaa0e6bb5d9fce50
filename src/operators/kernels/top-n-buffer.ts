import type { CellOrder, RowOrder } from './sort-order.js';
import { sameValues, type Columns } from './row-key.js';

export type RankFunction = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

/** A row kept by a Top-N operator: all input columns; `mark` tells old from new when diffing. */
export interface RankedRow {
  readonly values: unknown[];
  readonly rowtime: number;
  mark: number;
}

/** The rows in the result (rank <= N), in order, with their rank numbers when asked for. */
export interface Region {
  readonly rows: readonly RankedRow[];
  readonly ranks: readonly number[] | null;
}

/**
 * One partition's rows in ORDER BY order, ties in arrival order (a new row goes after its peers,
 * as Flink's TopNBuffer puts it). For insert-only input it holds only the result (`trim`), since a
 * row that falls out can never come back; for retracting input it holds every live row.
 */
export class TopNBuffer {
  rows: RankedRow[] = [];
  private distinct = 0;

  constructor(private readonly order: RowOrder, private readonly cell: CellOrder, private readonly fn: RankFunction, private readonly limit: number) {}

  /** Insert-only input, after `trim`: whether input row `i` would be in the result. */
  admits(columns: Columns, i: number): boolean {
    const rows = this.rows;
    const n = rows.length;
    if (n < this.limit) return true;
    switch (this.fn) {
      case 'ROW_NUMBER': return this.cell(columns, i, rows[n - 1]!.values) < 0;
      case 'RANK': return this.cell(columns, i, rows[this.limit - 1]!.values) <= 0;
      case 'DENSE_RANK': return this.distinct < this.limit || this.cell(columns, i, rows[n - 1]!.values) <= 0;
    }
  }

  insert(row: RankedRow): void {
    const rows = this.rows;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order(rows[mid]!.values, row.values) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === rows.length) rows.push(row);
    else rows.splice(lo, 0, row);
  }

  /** Removes the earliest row equal to `values`; false when there is none. */
  remove(values: readonly unknown[]): boolean {
    const rows = this.rows;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order(rows[mid]!.values, values) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo; j < rows.length && this.order(rows[j]!.values, values) === 0; j++) {
      if (sameValues(rows[j]!.values, values)) {
        rows.splice(j, 1);
        return true;
      }
    }
    return false;
  }

  /** How many leading rows have rank <= N. */
  regionLength(): number {
    const rows = this.rows;
    const n = rows.length;
    if (this.fn === 'ROW_NUMBER') return Math.min(n, this.limit);
    if (this.fn === 'RANK') {
      if (n <= this.limit) return n;
      let end = this.limit;
      while (end < n && this.order(rows[end]!.values, rows[this.limit - 1]!.values) === 0) end++;
      return end;
    }
    let distinct = 0;
    for (let j = 0; j < n; j++) {
      if (j === 0 || this.order(rows[j - 1]!.values, rows[j]!.values) !== 0) {
        if (++distinct > this.limit) return j;
      }
    }
    return n;
  }

  /** Insert-only input: drops the rows past the result. */
  trim(): void {
    const len = this.regionLength();
    if (len < this.rows.length) this.rows.length = len;
    if (this.fn === 'DENSE_RANK') {
      let distinct = 0;
      for (let j = 0; j < len; j++) if (j === 0 || this.order(this.rows[j - 1]!.values, this.rows[j]!.values) !== 0) distinct++;
      this.distinct = distinct;
    }
  }

  region(withRanks: boolean): Region {
    const len = this.regionLength();
    const rows = this.rows.slice(0, len);
    if (!withRanks) return { rows, ranks: null };
    const ranks = new Array<number>(len);
    let dense = 0;
    for (let j = 0; j < len; j++) {
      const peer = j > 0 && this.order(rows[j - 1]!.values, rows[j]!.values) === 0;
      if (!peer) dense++;
      ranks[j] = this.fn === 'ROW_NUMBER' ? j + 1 : this.fn === 'RANK' ? (peer ? ranks[j - 1]! : j + 1) : dense;
    }
    return { rows, ranks };
  }
}

/**
 * The changes that turn one result into the next. With rank numbers, position by position (as
 * Flink updates rank r's row): -U/+U where a position's row or rank changed, -D or +I where a
 * position went or came. Without, by row: -D for rows that left, +I for rows that entered.
 */
export function diffRegions(before: Region, after: Region, epoch: number, emit: (kind: 'insert' | 'delete' | 'before' | 'after', row: RankedRow, rank: number | null) => void): void {
  if (after.ranks && before.ranks) {
    const n = Math.max(before.rows.length, after.rows.length);
    for (let j = 0; j < n; j++) {
      const o = before.rows[j];
      const r = after.rows[j];
      if (o && r) {
        if (before.ranks[j] === after.ranks[j] && (o === r || sameValues(o.values, r.values))) continue;
        emit('before', o, before.ranks[j]!);
        emit('after', r, after.ranks[j]!);
      } else if (o) emit('delete', o, before.ranks[j]!);
      else emit('insert', r!, after.ranks[j]!);
    }
    return;
  }
  for (const o of before.rows) o.mark = epoch;
  const entered: RankedRow[] = [];
  for (const r of after.rows) {
    if (r.mark === epoch) r.mark = epoch + 1;
    else entered.push(r);
  }
  for (const o of before.rows) if (o.mark === epoch) emit('delete', o, null);
  for (const r of entered) emit('insert', r, null);
}
