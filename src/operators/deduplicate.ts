import { ChangelogBuilder, RowKind, type ChangelogRows } from './changelog.js';
import type { Operator } from './operator.js';
import { lateSink, type Expiring, type LateRow, type OperatorHooks } from './operator-hooks.js';
import { keyOf, rowAt, sameValues, type KeyOf } from './kernels/row-key.js';
import { TimeHeap } from './kernels/time-heap.js';
import { decodeState, encodeState } from './state-codec.js';

/**
 * `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) = 1` as plain JSON. Output: the
 * input columns unchanged, each row with its input ROWTIME.
 */
export interface DeduplicateSpec {
  readonly inputWidth: number;
  readonly keys: readonly number[];
  /** 'first' is ORDER BY time ASC, 'last' is DESC. */
  readonly keep: 'first' | 'last';
  /**
   * 'arrival': processing time (PROCTIME, or ROWTIME, which is arrival order): the first or the
   * latest row to arrive. `{ time }`: event time from an input column (epoch ms) or each row's
   * ROWTIME: the row with the smallest or the largest time (ties: the earlier arrival for first,
   * the later for last).
   */
  readonly order: 'arrival' | { readonly time: number | 'rowtime' };
  /** Processing-time TTL of a key's state; a key that expired starts afresh (+I again). */
  readonly ttlMs?: number;
}

interface Entry {
  row: unknown[] | null;
  /** Keep-last: the batch that last changed the row, and the row before that batch. */
  epoch: number;
  before: unknown[] | null;
  rowtime: number;
  time: number;
  seq: number;
  emitted: boolean;
  touchedAt: number;
}

/**
 * Deduplication, as Flink's ProcTimeDeduplicateKeepFirstRow/KeepLastRow and RowTimeDeduplicate.
 * Keep-first is append-only: one +I per key. In event time that needs the watermark: a key's
 * earliest row is held until the watermark passes it, so a row with an earlier time can still
 * replace it; rows at or behind the watermark are late. Keep-last is updating: +I for a key's
 * first row, then -U/+U when a later (or later-timed) row replaces it, once per key per batch; it
 * needs no watermark, as a row's time only matters against the key's kept row.
 * Input must be insert-only.
 */
export class Deduplicate implements Operator<ChangelogRows, ChangelogRows>, Expiring {
  private readonly entries = new Map<unknown, Entry>();
  private readonly heap = new TimeHeap<unknown>();
  private readonly key: KeyOf;
  private readonly now: () => number;
  private readonly onLate: (late: LateRow) => void;
  private readonly event: boolean;
  watermark = -Infinity;
  private seq = 0;
  private epoch = 0;

  constructor(readonly spec: DeduplicateSpec, hooks: OperatorHooks = {}) {
    this.key = keyOf(spec.keys);
    this.now = hooks.now ?? Date.now;
    this.event = spec.order !== 'arrival';
    this.onLate = this.event ? lateSink(hooks, 'Deduplicate') : () => {};
  }

  get keys(): number {
    return this.entries.size;
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    if (batch.ops?.some((k) => k !== RowKind.Insert)) throw new Error('Deduplicate takes insert-only input');
    const { columns, rowtimes } = batch;
    const order = this.spec.order;
    const times = (order === 'arrival' ? rowtimes : order.time === 'rowtime' ? rowtimes : columns[order.time]!) as readonly unknown[];
    const now = this.spec.ttlMs !== undefined ? this.now() : 0;
    const first = this.spec.keep === 'first';
    const b = new ChangelogBuilder(this.spec.inputWidth);
    const epoch = ++this.epoch;
    const changed: Entry[] = [];
    for (let i = 0; i < batch.count; i++) {
      const seq = this.seq++;
      const t = times[i];
      if (this.event && (typeof t !== 'number' || (first && t <= this.watermark))) {
        this.onLate({ row: rowAt(columns, i), rowtime: rowtimes[i]!, time: typeof t === 'number' ? t : null, watermark: this.watermark });
        continue;
      }
      const time = this.event ? (t as number) : seq;
      const key = this.key(columns, i);
      let e = this.entries.get(key);
      if (e !== undefined) {
        e.touchedAt = now;
        if (first ? e.emitted || time >= e.time : time < e.time) continue;
      }
      if (!first && e !== undefined && e.epoch !== epoch) {
        e.epoch = epoch;
        e.before = e.row;
        changed.push(e);
      }
      const row = rowAt(columns, i);
      if (e === undefined) {
        e = { row, epoch, before: null, rowtime: rowtimes[i]!, time, seq, emitted: false, touchedAt: now };
        this.entries.set(key, e);
        if (!first) changed.push(e);
      } else {
        e.row = row;
        e.rowtime = rowtimes[i]!;
        e.time = time;
        e.seq = seq;
      }
      if (!first) continue;
      if (this.event) this.heap.push(time, seq, key);
      else {
        e.emitted = true;
        b.add(RowKind.Insert, row, e.rowtime);
        e.row = null;
      }
    }
    for (const e of changed) {
      const old = e.before;
      e.before = null;
      if (old === null) b.add(RowKind.Insert, e.row!, e.rowtime);
      else if (!sameValues(old, e.row!)) {
        b.add(RowKind.UpdateBefore, old, e.rowtime);
        b.add(RowKind.UpdateAfter, e.row!, e.rowtime);
      }
    }
    if (b.count > 0) out(b.take());
  }

  /** Event-time keep-first: each key's earliest row is final once the watermark passes it. */
  onWatermark(watermark: number, out: (rows: ChangelogRows) => void): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    if (!this.event || this.spec.keep !== 'first') return;
    const b = new ChangelogBuilder(this.spec.inputWidth);
    this.heap.popUpTo(watermark, (_time, seq, key) => {
      const e = this.entries.get(key);
      if (e === undefined || e.emitted || e.seq !== seq) return;
      b.add(RowKind.Insert, e.row!, e.rowtime);
      e.emitted = true;
      e.row = null;
    });
    if (b.count > 0) out(b.take());
  }

  /** Keys untouched for ttlMs go; a keep-first row still waiting for the watermark stays. */
  expire(now: number): void {
    const ttl = this.spec.ttlMs;
    if (ttl === undefined) return;
    const waiting = this.spec.keep === 'first' && this.event;
    for (const [key, e] of this.entries) {
      if (e.touchedAt + ttl <= now && !(waiting && !e.emitted)) this.entries.delete(key);
    }
  }

  snapshot(): Uint8Array {
    return encodeState({
      watermark: this.watermark,
      seq: this.seq,
      entries: [...this.entries].map(([key, e]) => [key, e.row, e.rowtime, e.time, e.seq, e.emitted, e.touchedAt]),
    });
  }

  restore(bytes: Uint8Array): void {
    const s = decodeState<{ watermark: number; seq: number; entries: [unknown, unknown[] | null, number, number, number, boolean, number][] }>(bytes);
    this.watermark = s.watermark;
    this.seq = s.seq;
    this.entries.clear();
    for (const [key, row, rowtime, time, seq, emitted, touchedAt] of s.entries) {
      this.entries.set(key, { row, epoch: 0, before: null, rowtime, time, seq, emitted, touchedAt });
      if (this.event && this.spec.keep === 'first' && !emitted) this.heap.push(time, seq, key);
    }
  }
}
