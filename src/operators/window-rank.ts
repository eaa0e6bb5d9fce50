import { ChangelogBuilder, RowKind, type ChangelogRows } from './changelog.js';
import type { Operator } from './operator.js';
import { lateSink, type LateRow, type OperatorHooks } from './operator-hooks.js';
import { keyOf, rowAt, type KeyOf } from './kernels/row-key.js';
import { cellOrder, rowOrder, type CellOrder, type RowOrder, type SortKeySpec } from './kernels/sort-order.js';
import { TopNBuffer, type RankFunction } from './kernels/top-n-buffer.js';
import { decodeState, encodeState } from './state-codec.js';

/**
 * Window Top-N: `ROW_NUMBER() | RANK() | DENSE_RANK() OVER (PARTITION BY window_start, window_end,
 * keys ORDER BY ...) <= N` over rows that carry their window (a window TVF's or window aggregate's
 * output), as plain JSON. Output: the input columns, then the rank number when `outputRank`; each
 * output row keeps its input row's ROWTIME.
 */
export interface WindowRankSpec {
  readonly inputWidth: number;
  /** Input columns holding window_start and window_end (TIMESTAMP, epoch ms). */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Partition keys besides the window. */
  readonly partitionBy: readonly number[];
  readonly orderBy: readonly SortKeySpec[];
  readonly fn: RankFunction;
  /** N of rank <= N; at least 1. */
  readonly limit: number;
  readonly outputRank: boolean;
}

type Window = Map<unknown, TopNBuffer>;

/**
 * Window Top-N, as Flink's WindowRankOperator: per window and partition only the rows that can
 * still be in the result are kept (insert-only input), and a window's result is emitted once, as
 * +I rows, when the watermark reaches its end; then its state goes. Output is ordered by window
 * end, window start, partition (first seen first) and rank. Rows of a window that has already
 * fired (end at or behind the watermark) are late.
 */
export class WindowRank implements Operator<ChangelogRows, ChangelogRows> {
  private readonly windows = new Map<number, Map<number, Window>>();
  private sortedEnds: number[] = [];
  private readonly key: KeyOf;
  private readonly order: RowOrder;
  private readonly cell: CellOrder;
  private readonly onLate: (late: LateRow) => void;
  watermark = -Infinity;

  constructor(readonly spec: WindowRankSpec, hooks: OperatorHooks = {}) {
    if (!(spec.limit >= 1)) throw new Error(`Top-N needs N >= 1, got ${spec.limit}`);
    this.key = keyOf(spec.partitionBy);
    this.order = rowOrder(spec.orderBy);
    this.cell = cellOrder(spec.orderBy);
    this.onLate = lateSink(hooks, 'WindowRank');
  }

  /** Windows holding state. */
  get openWindows(): number {
    let n = 0;
    for (const byStart of this.windows.values()) n += byStart.size;
    return n;
  }

  /** Rows only go into state here; results leave on the watermark. */
  processBatch(batch: ChangelogRows): void {
    if (batch.ops?.some((k) => k !== RowKind.Insert)) throw new Error('WindowRank takes insert-only input');
    const { columns, rowtimes } = batch;
    const starts = columns[this.spec.windowStart]!;
    const ends = columns[this.spec.windowEnd]!;
    let lastStart: unknown;
    let lastEnd: unknown;
    let win: Window | undefined;
    for (let i = 0; i < batch.count; i++) {
      const start = starts[i];
      const end = ends[i];
      if (typeof end !== 'number' || typeof start !== 'number' || end <= this.watermark) {
        this.onLate({ row: rowAt(columns, i), rowtime: rowtimes[i]!, time: typeof end === 'number' ? end : null, watermark: this.watermark });
        continue;
      }
      if (win === undefined || start !== lastStart || end !== lastEnd) {
        win = this.window(start, end);
        lastStart = start;
        lastEnd = end;
      }
      const key = this.key(columns, i);
      let buffer = win.get(key);
      if (buffer === undefined) win.set(key, (buffer = new TopNBuffer(this.order, this.cell, this.spec.fn, this.spec.limit)));
      if (!buffer.admits(columns, i)) continue;
      buffer.insert({ values: rowAt(columns, i), rowtime: rowtimes[i]!, mark: 0 });
      buffer.trim();
    }
  }

  private window(start: number, end: number): Window {
    let byStart = this.windows.get(end);
    if (byStart === undefined) {
      this.windows.set(end, (byStart = new Map()));
      let lo = 0;
      let hi = this.sortedEnds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.sortedEnds[mid]! < end) lo = mid + 1;
        else hi = mid;
      }
      this.sortedEnds.splice(lo, 0, end);
    }
    let win = byStart.get(start);
    if (win === undefined) byStart.set(start, (win = new Map()));
    return win;
  }

  onWatermark(watermark: number, out: (rows: ChangelogRows) => void): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    let n = 0;
    while (n < this.sortedEnds.length && this.sortedEnds[n]! <= watermark) n++;
    if (n === 0) return;
    const b = new ChangelogBuilder(this.spec.inputWidth + (this.spec.outputRank ? 1 : 0));
    for (const end of this.sortedEnds.splice(0, n)) {
      const byStart = this.windows.get(end)!;
      this.windows.delete(end);
      for (const start of [...byStart.keys()].sort((x, y) => x - y)) {
        for (const buffer of byStart.get(start)!.values()) {
          const { rows, ranks } = buffer.region(this.spec.outputRank);
          rows.forEach((r, j) => b.add(RowKind.Insert, ranks ? [...r.values, ranks[j]] : r.values, r.rowtime));
        }
      }
    }
    if (b.count > 0) out(b.take());
  }

  snapshot(): Uint8Array {
    const windows: unknown[] = [];
    for (const end of this.sortedEnds) {
      for (const [start, win] of this.windows.get(end)!) {
        windows.push([start, end, [...win].map(([key, buffer]) => [key, buffer.rows.map((r) => [r.values, r.rowtime])])]);
      }
    }
    return encodeState({ watermark: this.watermark, windows });
  }

  restore(bytes: Uint8Array): void {
    const s = decodeState<{ watermark: number; windows: [number, number, [unknown, [unknown[], number][]][]][] }>(bytes);
    this.watermark = s.watermark;
    for (const [start, end, parts] of s.windows) {
      const win = this.window(start, end);
      for (const [key, rows] of parts) {
        const buffer = new TopNBuffer(this.order, this.cell, this.spec.fn, this.spec.limit);
        buffer.rows = rows.map(([values, rowtime]) => ({ values, rowtime, mark: 0 }));
        buffer.trim();
        win.set(key, buffer);
      }
    }
  }
}
