import type { Columns } from './kernels/row-key.js';

/** Where a partition's frame sits in its ring: the front position and the number of rows. */
export interface RingState {
  readonly slot: number;
  fstart: number;
  flen: number;
  fmask: number;
  ftimes: number[];
  fargs: unknown[][];
}

/**
 * A bounded frame's rows per partition, oldest first: their times (RANGE evicts by time) and the
 * input columns accumulators retract or FIRST_VALUE reads.
 */
export interface FrameRing {
  init(p: RingState): void;
  /** Makes room for slots below `capacity`. */
  grow(capacity: number): void;
  push(p: RingState, t: number, columns: Columns, i: number): void;
  frontTime(p: RingState): number;
  frontArg(p: RingState, f: number): unknown;
  shift(p: RingState): void;
  /** The frame's rows in order (snapshots), and back. */
  rows(p: RingState): [number[], unknown[][]];
  setRows(p: RingState, times: number[], args: unknown[][]): void;
}

/**
 * ROWS n PRECEDING: every partition's ring has the same power-of-two size, so all of them live in
 * one array per column at `slot * size`. A row touches one stretch of one array per column instead
 * of a partition's own arrays: fewer cache misses when rows hop between many partitions. Times are
 * not kept; ROWS evicts by count.
 */
export class FixedRing implements FrameRing {
  private readonly cols: unknown[][];
  private readonly shiftBits: number;
  private readonly mask: number;

  constructor(rowsLimit: number, private readonly frameColumns: readonly number[]) {
    // One more than the frame: a row is added before the oldest leaves.
    this.shiftBits = Math.ceil(Math.log2(rowsLimit + 1));
    this.mask = (1 << this.shiftBits) - 1;
    this.cols = frameColumns.map(() => []);
  }

  init(p: RingState): void {
    p.fstart = 0;
    p.flen = 0;
    p.fmask = this.mask;
  }

  grow(capacity: number): void {
    const need = capacity << this.shiftBits;
    for (const col of this.cols) {
      if (col.length >= need) continue;
      const target = Math.max(need, col.length * 2);
      while (col.length < target) col.push(null);
    }
  }

  push(p: RingState, _t: number, columns: Columns, i: number): void {
    const at = (p.slot << this.shiftBits) + ((p.fstart + p.flen) & this.mask);
    const fc = this.frameColumns;
    for (let f = 0; f < fc.length; f++) this.cols[f]![at] = columns[fc[f]!]![i] ?? null;
    p.flen++;
  }

  frontTime(): number {
    return NaN;
  }

  frontArg(p: RingState, f: number): unknown {
    return this.cols[f]![(p.slot << this.shiftBits) + p.fstart];
  }

  shift(p: RingState): void {
    p.fstart = (p.fstart + 1) & this.mask;
    p.flen--;
  }

  rows(p: RingState): [number[], unknown[][]] {
    const idx = Array.from({ length: p.flen }, (_, j) => (p.slot << this.shiftBits) + ((p.fstart + j) & this.mask));
    return [idx.map(() => 0), this.cols.map((col) => idx.map((k) => col[k]))];
  }

  setRows(p: RingState, times: number[], args: unknown[][]): void {
    this.init(p);
    times.forEach((_, j) => args.forEach((a, f) => (this.cols[f]![(p.slot << this.shiftBits) + j] = a[j])));
    p.flen = times.length;
  }
}

/** RANGE INTERVAL PRECEDING: how many rows a frame holds varies, so each partition has its own ring that doubles when full. */
export class GrowingRing implements FrameRing {
  constructor(private readonly frameColumns: readonly number[]) {}

  init(p: RingState): void {
    p.fstart = 0;
    p.flen = 0;
    p.fmask = 3;
    p.ftimes = new Array<number>(4).fill(0);
    p.fargs = this.frameColumns.map(() => new Array<unknown>(4).fill(null));
  }

  grow(): void {}

  push(p: RingState, t: number, columns: Columns, i: number): void {
    if (p.flen > p.fmask) this.double(p);
    const at = (p.fstart + p.flen) & p.fmask;
    p.ftimes[at] = t;
    const fc = this.frameColumns;
    for (let f = 0; f < fc.length; f++) p.fargs[f]![at] = columns[fc[f]!]![i] ?? null;
    p.flen++;
  }

  frontTime(p: RingState): number {
    return p.ftimes[p.fstart]!;
  }

  frontArg(p: RingState, f: number): unknown {
    return p.fargs[f]![p.fstart];
  }

  shift(p: RingState): void {
    p.fstart = (p.fstart + 1) & p.fmask;
    p.flen--;
  }

  rows(p: RingState): [number[], unknown[][]] {
    const idx = Array.from({ length: p.flen }, (_, j) => (p.fstart + j) & p.fmask);
    return [idx.map((k) => p.ftimes[k]!), p.fargs.map((a) => idx.map((k) => a[k]))];
  }

  setRows(p: RingState, times: number[], args: unknown[][]): void {
    let cap = 4;
    while (cap < times.length) cap *= 2;
    this.place(p, cap, times, args);
  }

  private double(p: RingState): void {
    const [times, args] = this.rows(p);
    this.place(p, (p.fmask + 1) * 2, times, args);
  }

  private place(p: RingState, cap: number, times: number[], args: unknown[][]): void {
    p.ftimes = new Array<number>(cap).fill(0);
    p.fargs = args.map(() => new Array<unknown>(cap).fill(null));
    times.forEach((t, j) => {
      p.ftimes[j] = t;
      args.forEach((a, f) => (p.fargs[f]![j] = a[j]));
    });
    p.fstart = 0;
    p.fmask = cap - 1;
    p.flen = times.length;
  }
}
