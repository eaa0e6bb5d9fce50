import type { Columns } from './kernels/row-key.js';

/** Rows with their ROWTIME and their ORDER BY time, column by column. */
export interface TimedRows {
  readonly count: number;
  readonly columns: unknown[][];
  readonly rowtimes: number[];
  readonly times: number[];
}

/** Released rows in (time, arrival) order: row j is `rows[j]`'s row `at[j]`, at time `times[j]`. */
export interface ReleasedRows {
  readonly count: number;
  readonly rows: readonly TimedRows[];
  readonly at: Int32Array;
  readonly times: Float64Array;
}

/**
 * Event-time rows waiting for the watermark, in arrival order: each batch is kept as one chunk
 * (a slice per column, a block copy), so holding rows costs little per row; a watermark hands out
 * the rows at or before it, in (time, arrival) order, where they lie, and rebuilds only the chunks
 * it released part of.
 */
export class PendingRows {
  private chunks: TimedRows[] = [];
  count = 0;

  constructor(private readonly width: number) {}

  /** Keeps rows of a batch: all of them, or those listed in `only`. */
  add(columns: Columns, rowtimes: readonly number[], times: readonly number[], count: number, only: readonly number[] | null): void {
    if (only === null) {
      this.push({ count, columns: columns.slice(0, this.width).map((c) => c.slice(0, count)), rowtimes: rowtimes.slice(0, count), times: times.slice(0, count) });
    } else if (only.length > 0) {
      this.push({ count: only.length, columns: columns.slice(0, this.width).map((c) => only.map((i) => c[i] ?? null)), rowtimes: only.map((i) => rowtimes[i]!), times: only.map((i) => times[i]!) });
    }
  }

  private push(chunk: TimedRows): void {
    this.chunks.push(chunk);
    this.count += chunk.count;
  }

  /** Takes out the rows at or before the watermark, sorted by (time, arrival); null when there are none. */
  release(watermark: number): ReleasedRows | null {
    let k = 0;
    let minT = Infinity;
    let maxT = -Infinity;
    let integral = true;
    for (const ch of this.chunks) {
      const times = ch.times;
      for (let i = 0; i < ch.count; i++) {
        const t = times[i]!;
        if (t > watermark) continue;
        k++;
        if (t < minT) minT = t;
        if (t > maxT) maxT = t;
        if (!Number.isInteger(t)) integral = false;
      }
    }
    if (k === 0) return null;
    // Released rows are numbered in arrival order, so sorting by (time, number) keeps ties in arrival order.
    const chunkOf = new Int32Array(k);
    const rowOf = new Int32Array(k);
    const relTimes = new Float64Array(k);
    let r = 0;
    this.chunks.forEach((ch, c) => {
      for (let i = 0; i < ch.count; i++) {
        if (ch.times[i]! > watermark) continue;
        chunkOf[r] = c;
        rowOf[r] = i;
        relTimes[r++] = ch.times[i]!;
      }
    });
    const order = sortByTime(relTimes, minT, maxT, integral);
    const rows = new Array<TimedRows>(k);
    const at = new Int32Array(k);
    const times = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const o = order[j]!;
      rows[j] = this.chunks[chunkOf[o]!]!;
      at[j] = rowOf[o]!;
      times[j] = relTimes[o]!;
    }
    this.keepAfter(watermark);
    return { count: k, rows, at, times };
  }

  private keepAfter(watermark: number): void {
    const kept: TimedRows[] = [];
    for (const ch of this.chunks) {
      const keep: number[] = [];
      for (let i = 0; i < ch.count; i++) if (ch.times[i]! > watermark) keep.push(i);
      if (keep.length === ch.count) kept.push(ch);
      else if (keep.length > 0) {
        kept.push({ count: keep.length, columns: ch.columns.map((col) => keep.map((i) => col[i])), rowtimes: keep.map((i) => ch.rowtimes[i]!), times: keep.map((i) => ch.times[i]!) });
      }
    }
    this.chunks = kept;
    this.count = kept.reduce((n, ch) => n + ch.count, 0);
  }

  /** All waiting rows as one chunk, in arrival order (snapshots). */
  all(): TimedRows {
    const columns: unknown[][] = Array.from({ length: this.width }, (_, c) => this.chunks.flatMap((ch) => ch.columns[c]!));
    return { count: this.count, columns, rowtimes: this.chunks.flatMap((ch) => ch.rowtimes), times: this.chunks.flatMap((ch) => ch.times) };
  }

  restore(rows: TimedRows): void {
    this.chunks = [];
    this.count = 0;
    if (rows.count > 0) this.push(rows);
  }
}

/**
 * Positions 0..n-1 ordered by (time, position). Integral times that fit sort as one Float64Array
 * of `(time - min) * 2^bits + position`: a native numeric sort, no comparator calls.
 */
function sortByTime(times: Float64Array, minT: number, maxT: number, integral: boolean): Int32Array {
  const n = times.length;
  const scale = 2 ** (32 - Math.clz32(n));
  const order = new Int32Array(n);
  if (integral && (maxT - minT + 1) * scale <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (times[i]! - minT) * scale + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % scale;
    return order;
  }
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  order.set(idx);
  return order;
}
