import { ChangelogBuilder, RowKind, isAccumulate, type ChangelogRows } from './changelog.js';
import type { Operator } from './operator.js';
import type { Expiring, OperatorHooks } from './operator-hooks.js';
import { keyOf, rowAt, type KeyOf } from './kernels/row-key.js';
import { cellOrder, rowOrder, type SortKeySpec } from './kernels/sort-order.js';
import { TopNBuffer, diffRegions, type RankFunction, type RankedRow, type Region } from './kernels/top-n-buffer.js';
import { decodeState, encodeState } from './state-codec.js';

export type { RankFunction } from './kernels/top-n-buffer.js';
export type { SortKeySpec } from './kernels/sort-order.js';

/**
 * `ROW_NUMBER() | RANK() | DENSE_RANK() OVER (PARTITION BY ... ORDER BY ...)` kept to rank <= N,
 * as plain JSON. Output: the input columns, then the rank number when `outputRank`; each output row
 * keeps its input row's ROWTIME.
 */
export interface RankSpec {
  readonly inputWidth: number;
  readonly partitionBy: readonly number[];
  readonly orderBy: readonly SortKeySpec[];
  readonly fn: RankFunction;
  /** N of rank <= N (the planner turns rn = 1 and rn < N into it); at least 1. */
  readonly limit: number;
  readonly outputRank: boolean;
  /** The input has -U/-D rows: every live row of a partition is kept, since any may climb into the result. */
  readonly inputRetracts: boolean;
  /** Processing-time TTL of a partition's state; expiry emits nothing (as Flink's state TTL). */
  readonly ttlMs?: number;
}

interface Partition {
  readonly key: unknown;
  readonly buffer: TopNBuffer;
  touchedAt: number;
  epoch: number;
  before: Region | null;
}

/**
 * Top-N, as Flink's AppendOnlyTopNFunction (insert-only input: a partition holds only its result,
 * at most N rows, more only for RANK/DENSE_RANK ties) and RetractableTopNFunction (a partition holds
 * its live rows). Emits an updating result: +I when a row enters, -D when it leaves, and with rank
 * numbers -U/+U for positions whose row or rank changed. One change per position per batch: the
 * result before and after each batch is diffed, so the changelog is per batch, not per row.
 */
export class Rank implements Operator<ChangelogRows, ChangelogRows>, Expiring {
  private readonly parts = new Map<unknown, Partition>();
  private readonly key: KeyOf;
  private readonly order;
  private readonly cell;
  private readonly now: () => number;
  private epoch = 0;

  constructor(readonly spec: RankSpec, hooks: OperatorHooks = {}) {
    if (!(spec.limit >= 1)) throw new Error(`Top-N needs N >= 1, got ${spec.limit}`);
    this.key = keyOf(spec.partitionBy);
    this.order = rowOrder(spec.orderBy);
    this.cell = cellOrder(spec.orderBy);
    this.now = hooks.now ?? Date.now;
  }

  get partitions(): number {
    return this.parts.size;
  }

  /** Rows held over all partitions (for tests and the memory budget). */
  get rowsHeld(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.buffer.rows.length;
    return n;
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    const { columns, rowtimes, ops } = batch;
    const retracting = this.spec.inputRetracts;
    const now = this.spec.ttlMs !== undefined ? this.now() : 0;
    const epoch = (this.epoch += 2);
    const touched: Partition[] = [];
    for (let i = 0; i < batch.count; i++) {
      const kind = ops ? (ops[i]! as RowKind) : RowKind.Insert;
      const key = this.key(columns, i);
      let p = this.parts.get(key);
      if (isAccumulate(kind)) {
        if (p === undefined) this.parts.set(key, (p = this.partition(key)));
        p.touchedAt = now;
        if (!retracting && !p.buffer.admits(columns, i)) continue;
        if (p.epoch !== epoch) this.begin(p, epoch, touched);
        p.buffer.insert({ values: rowAt(columns, i), rowtime: rowtimes[i]!, mark: 0 });
        if (!retracting) p.buffer.trim();
      } else {
        if (!retracting) throw new Error('Top-N over insert-only input got a retraction: the plan must say inputRetracts');
        // A retraction for a partition TTL dropped is skipped, as Flink's lenient Top-N does.
        if (p === undefined) continue;
        p.touchedAt = now;
        if (p.epoch !== epoch) this.begin(p, epoch, touched);
        p.buffer.remove(rowAt(columns, i));
      }
    }
    if (touched.length === 0) return;
    const b = new ChangelogBuilder(this.spec.inputWidth + (this.spec.outputRank ? 1 : 0));
    const withRank = (row: RankedRow, rank: number | null): unknown[] => (rank === null ? row.values : [...row.values, rank]);
    const kinds = { insert: RowKind.Insert, delete: RowKind.Delete, before: RowKind.UpdateBefore, after: RowKind.UpdateAfter } as const;
    for (const p of touched) {
      diffRegions(p.before!, p.buffer.region(this.spec.outputRank), epoch, (kind, row, rank) => b.add(kinds[kind], withRank(row, rank), row.rowtime));
      p.before = null;
      if (p.buffer.rows.length === 0) this.parts.delete(p.key);
    }
    if (b.count > 0) out(b.take());
  }

  private partition(key: unknown): Partition {
    return { key, buffer: new TopNBuffer(this.order, this.cell, this.spec.fn, this.spec.limit), touchedAt: 0, epoch: 0, before: null };
  }

  private begin(p: Partition, epoch: number, touched: Partition[]): void {
    p.epoch = epoch;
    p.before = p.buffer.region(this.spec.outputRank);
    touched.push(p);
  }

  onWatermark(): void {}

  expire(now: number): void {
    const ttl = this.spec.ttlMs;
    if (ttl === undefined) return;
    for (const p of this.parts.values()) if (p.touchedAt + ttl <= now) this.parts.delete(p.key);
  }

  snapshot(): Uint8Array {
    return encodeState([...this.parts.values()].map((p) => [p.key, p.touchedAt, p.buffer.rows.map((r) => [r.values, r.rowtime])]));
  }

  restore(bytes: Uint8Array): void {
    this.parts.clear();
    for (const [key, touchedAt, rows] of decodeState<[unknown, number, [unknown[], number][]][]>(bytes)) {
      const p = this.partition(key);
      p.touchedAt = touchedAt;
      p.buffer.rows = rows.map(([values, rowtime]) => ({ values, rowtime, mark: 0 }));
      if (!this.spec.inputRetracts) p.buffer.trim();
      this.parts.set(key, p);
    }
  }
}
