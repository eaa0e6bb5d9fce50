import { RowKind, type ChangelogRows } from './changelog.js';
import type { Operator } from './operator.js';
import { lateSink, type Expiring, type LateRow, type OperatorHooks } from './operator-hooks.js';
import { OverFrames, type OverCallSpec, type OverFrame, type OverPartition } from './over-frame.js';
import { keyOf, rowAt, type Columns, type KeyOf } from './kernels/row-key.js';
import { PendingRows, type ReleasedRows, type TimedRows } from './over-pending.js';
import { decodeState, encodeState } from './state-codec.js';

export type { OverCallSpec, OverFrame, OverFunction } from './over-frame.js';

/**
 * `fn(...) OVER (PARTITION BY ... ORDER BY time frame)` as plain JSON. Output: the input columns,
 * then one column per call, in `calls` order; each output row keeps its input row's ROWTIME.
 */
export interface OverAggregateSpec {
  /** Number of input columns. */
  readonly inputWidth: number;
  readonly partitionBy: readonly number[];
  /** The ORDER BY time: an input column (TIMESTAMP as epoch ms) or each row's ROWTIME. */
  readonly orderBy: number | 'rowtime';
  /**
   * 'event': rows wait until the watermark passes their time and are processed in time order (ties
   * in arrival order); rows at or behind the watermark are late. 'arrival': rows are processed as
   * they come (ROWTIME, PROCTIME), with no holding: a row's frame ends at the row itself, so peers
   * that arrive after it are not in its frame, and a time behind its partition's latest counts as
   * that latest.
   */
  readonly time: 'event' | 'arrival';
  readonly frame: OverFrame;
  readonly calls: readonly OverCallSpec[];
  /** Processing-time TTL of a partition's state, for frames that never empty on their own (ROWS, UNBOUNDED, LAG, rank functions). */
  readonly ttlMs?: number;
}

/**
 * OVER aggregation, as Flink's RowTime{Rows,Range}BoundedPrecedingFunction and their unbounded and
 * processing-time kin: one output row per input row. State per partition is bounded by the frame:
 * rows that fall out of a bounded frame are retracted and purged, and a RANGE partition whose frame
 * the watermark has emptied is dropped (unless LAG or a rank function needs its history).
 *
 * LEAD(x, n) needs the n rows after a row: each row is held in its partition until that many more
 * have been processed there, then emitted; rows still held at end of input (watermark +∞) or when
 * their partition expires get LEAD's default.
 */
export class OverAggregate implements Operator<ChangelogRows, ChangelogRows>, Expiring {
  private readonly frames: OverFrames;
  private readonly key: KeyOf;
  private readonly width: number;
  private readonly now: () => number;
  private readonly onLate: (late: LateRow) => void;
  private readonly leadCalls: number[];
  private readonly frameCalls: number[];
  private readonly groupPeers: boolean;
  watermark = -Infinity;
  private seq = 0;
  private stamp = 0;
  private readonly waiting: PendingRows;
  private oCols: unknown[][];
  private oRowtimes: number[] = [];
  private readonly vals: unknown[];
  private cUntil: number[] = [];
  private cParts: OverPartition[] = [];
  private cHead = 0;

  constructor(readonly spec: OverAggregateSpec, hooks: OperatorHooks = {}) {
    this.frames = new OverFrames(spec.calls, spec.frame);
    this.key = keyOf(spec.partitionBy);
    this.width = spec.inputWidth;
    this.now = hooks.now ?? Date.now;
    this.onLate = spec.time === 'event' ? lateSink(hooks, 'OverAggregate') : () => {};
    this.leadCalls = spec.calls.flatMap((c, k) => (c.fn === 'LEAD' ? [k] : []));
    this.frameCalls = spec.calls.flatMap((_, k) => (this.frames.isFrameCall(k) ? [k] : []));
    this.groupPeers = spec.time === 'event' && spec.frame.kind === 'range';
    this.waiting = new PendingRows(this.width);
    this.oCols = this.columns(this.width + spec.calls.length);
    this.vals = spec.calls.map(() => null);
  }

  /** Partitions holding state (for tests and the memory budget). */
  get partitions(): number {
    return this.frames.parts.size;
  }

  /** Rows waiting for the watermark. */
  get pending(): number {
    return this.waiting.count;
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    if (batch.ops?.some((k) => k !== RowKind.Insert)) throw new Error('OverAggregate takes insert-only input');
    const { columns, rowtimes } = batch;
    const times = (this.spec.orderBy === 'rowtime' ? rowtimes : columns[this.spec.orderBy]!) as readonly unknown[];
    const now = this.spec.ttlMs !== undefined ? this.now() : 0;
    const event = this.spec.time === 'event';
    let kept: number[] | null = null;
    for (let i = 0; i < batch.count; i++) {
      const t = times[i];
      if (typeof t !== 'number' || (event && t <= this.watermark)) {
        this.onLate({ row: rowAt(columns, i), rowtime: rowtimes[i]!, time: typeof t === 'number' ? t : null, watermark: this.watermark });
        kept ??= Array.from({ length: i }, (_, j) => j);
      } else if (!event) this.step(columns, i, rowtimes[i]!, t, now);
      else kept?.push(i);
    }
    if (event) this.waiting.add(columns, rowtimes, times as number[], batch.count, kept);
    this.flush(out);
  }

  onWatermark(watermark: number, out: (rows: ChangelogRows) => void): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    if (this.spec.time === 'event') this.release(watermark, this.spec.ttlMs !== undefined ? this.now() : 0);
    this.cleanup(watermark);
    if (watermark === Infinity) this.flushLeads([...this.frames.parts.values()]);
    this.flush(out);
  }

  expire(now: number, out: (rows: ChangelogRows) => void): void {
    const ttl = this.spec.ttlMs;
    if (ttl === undefined) return;
    const old = [...this.frames.parts.values()].filter((p) => p.touchedAt + ttl <= now);
    this.flushLeads(old);
    for (const p of old) if (p.live) this.frames.drop(p);
    this.flush(out);
  }

  /** Processes one row now: ROWS frames, arrival order, and RANGE rows without peers. */
  private step(columns: Columns, i: number, rowtime: number, time: number, now: number): void {
    const frames = this.frames;
    const p = frames.partition(this.key(columns, i));
    p.touchedAt = now;
    const t = time < p.lastTime ? p.lastTime : time;
    const before = p.lastTime;
    if (frames.rangeMs !== null) frames.evictBefore(p, t);
    const vals = this.vals;
    frames.add(p, columns, i, t, vals);
    frames.frameValues(p, vals);
    if (p.lastTime !== before) this.scheduleCleanup(p);
    this.emit(p, columns, i, rowtime, vals);
  }

  /** Event time: processes rows at or before the watermark in (time, arrival) order, keeps the rest. */
  private release(watermark: number, now: number): void {
    const rows = this.waiting.release(watermark);
    if (rows === null) return;
    if (this.groupPeers) this.releaseGroups(rows, now);
    else {
      for (let j = 0; j < rows.count; j++) {
        const ch = rows.rows[j]!;
        const i = rows.at[j]!;
        this.step(ch.columns, i, ch.rowtimes[i]!, rows.times[j]!, now);
      }
    }
  }

  /** RANGE in event time: all rows of one time are added before any is emitted, so peers share a frame. */
  private releaseGroups(rows: ReleasedRows, now: number): void {
    const frames = this.frames;
    const { times, at } = rows;
    const k = rows.count;
    let a = 0;
    while (a < k) {
      const t = times[a]!;
      let b = a + 1;
      while (b < k && times[b] === t) b++;
      if (b - a === 1) {
        const ch = rows.rows[a]!;
        this.step(ch.columns, at[a]!, ch.rowtimes[at[a]!]!, t, now);
        a = b;
        continue;
      }
      const stamp = ++this.stamp;
      const touched: OverPartition[] = [];
      const parts: OverPartition[] = [];
      const rowVals: unknown[][] = [];
      for (let j = a; j < b; j++) {
        const { columns } = rows.rows[j]!;
        const p = frames.partition(this.key(columns, at[j]!));
        p.touchedAt = now;
        if (p.stamp !== stamp) {
          p.stamp = stamp;
          touched.push(p);
          if (frames.rangeMs !== null) frames.evictBefore(p, t);
        }
        const vals = new Array<unknown>(this.spec.calls.length).fill(null);
        frames.add(p, columns, at[j]!, t, vals);
        parts.push(p);
        rowVals.push(vals);
      }
      for (const p of touched) {
        frames.frameValues(p, p.frameVals);
        this.scheduleCleanup(p);
      }
      for (let j = a; j < b; j++) {
        const p = parts[j - a]!;
        const vals = rowVals[j - a]!;
        for (const c of this.frameCalls) vals[c] = p.frameVals[c];
        const ch = rows.rows[j]!;
        this.emit(p, ch.columns, at[j]!, ch.rowtimes[at[j]!]!, vals);
      }
      a = b;
    }
  }

  /** A RANGE partition's frame empties once the watermark is an interval past its last row. */
  private scheduleCleanup(p: OverPartition): void {
    if (this.frames.persistent) return;
    this.cUntil.push(p.lastTime + this.frames.rangeMs!);
    this.cParts.push(p);
  }

  private cleanup(watermark: number): void {
    const frames = this.frames;
    if (frames.persistent) return;
    // Arrival-time rows may still come at exactly the clock's time, event-time rows only after the watermark.
    const event = this.spec.time === 'event';
    while (this.cHead < this.cUntil.length) {
      const until = this.cUntil[this.cHead]!;
      if (event ? until > watermark : until >= watermark) break;
      const p = this.cParts[this.cHead]!;
      this.cHead++;
      if (!p.live || p.lastTime + frames.rangeMs! !== until) continue;
      frames.evictAll(p);
      if (frames.droppable(p)) frames.drop(p);
    }
    if (this.cHead > 1024 && this.cHead * 2 > this.cUntil.length) {
      this.cUntil.splice(0, this.cHead);
      this.cParts.splice(0, this.cHead);
      this.cHead = 0;
    }
  }

  private emit(p: OverPartition, columns: Columns, i: number, rowtime: number, vals: readonly unknown[]): void {
    const w = this.width;
    if (p.lead === null) {
      const o = this.oCols;
      for (let c = 0; c < w; c++) o[c]!.push(columns[c]![i] ?? null);
      for (let k = 0; k < vals.length; k++) o[w + k]!.push(vals[k]);
      this.oRowtimes.push(rowtime);
      return;
    }
    const row = new Array<unknown>(w + vals.length);
    for (let c = 0; c < w; c++) row[c] = columns[c]![i] ?? null;
    for (let k = 0; k < vals.length; k++) row[w + k] = vals[k];
    const q = p.lead;
    for (const k of this.leadCalls) row[w + k] = this.spec.calls[k]!.default ?? null;
    q.rows.push(row);
    q.rowtimes.push(rowtime);
    q.seqs.push(this.seq++);
    const last = q.rows.length - 1;
    for (const k of this.leadCalls) {
      const call = this.spec.calls[k]!;
      const target = last - (call.offset ?? 1);
      if (target >= q.head) q.rows[target]![w + k] = columns[call.arg!]![i] ?? null;
    }
    while (last - q.head >= this.frames.leadMax) {
      this.emitHeld(q.rows[q.head]!, q.rowtimes[q.head]!);
      q.head++;
    }
    if (q.head > 64 && q.head * 2 > q.rows.length) {
      q.rows.splice(0, q.head);
      q.rowtimes.splice(0, q.head);
      q.seqs.splice(0, q.head);
      q.head = 0;
    }
  }

  private emitHeld(row: readonly unknown[], rowtime: number): void {
    for (let c = 0; c < row.length; c++) this.oCols[c]!.push(row[c]);
    this.oRowtimes.push(rowtime);
  }

  /** Rows held for LEAD in these partitions leave with its default, in the order they were processed. */
  private flushLeads(parts: readonly OverPartition[]): void {
    if (this.leadCalls.length === 0) return;
    const held: [number, unknown[], number][] = [];
    for (const p of parts) {
      const q = p.lead!;
      for (let j = q.head; j < q.rows.length; j++) held.push([q.seqs[j]!, q.rows[j]!, q.rowtimes[j]!]);
      p.lead = { rows: [], rowtimes: [], seqs: [], head: 0 };
      if (this.frames.droppable(p) && p.live) this.frames.drop(p);
    }
    held.sort((x, y) => x[0] - y[0]);
    for (const [, row, rowtime] of held) this.emitHeld(row, rowtime);
  }

  private flush(out: (rows: ChangelogRows) => void): void {
    if (this.oRowtimes.length === 0) return;
    out({ count: this.oRowtimes.length, columns: this.oCols, rowtimes: this.oRowtimes });
    this.oCols = this.columns(this.width + this.spec.calls.length);
    this.oRowtimes = [];
  }

  private columns(n: number): unknown[][] {
    return Array.from({ length: n }, () => []);
  }

  snapshot(): Uint8Array {
    return encodeState({
      watermark: this.watermark,
      seq: this.seq,
      pending: this.waiting.all(),
      parts: [...this.frames.parts.values()].map((p) => this.frames.snapshotPartition(p)),
    });
  }

  restore(bytes: Uint8Array): void {
    const s = decodeState<{ watermark: number; seq: number; pending: TimedRows; parts: unknown[][] }>(bytes);
    this.watermark = s.watermark;
    this.seq = s.seq;
    this.waiting.restore(s.pending);
    const parts = s.parts.map((p) => this.frames.restorePartition(p));
    if (!this.frames.persistent) {
      for (const p of [...parts].sort((x, y) => x.lastTime - y.lastTime)) this.scheduleCleanup(p);
    }
  }
}
