import type { ChangelogRows } from '../changelog.js';
import { RowKind } from '../changelog.js';
import { lateSink, leftIsOuter, rightIsOuter, type Emit, type JoinHooks, type JoinSide, type LateRow, type TwoInputOperator } from './join-contract.js';
import { checkJoinSpec, type IntervalJoinSpec } from './join-specs.js';
import { assertAppendOnly, JoinOutput, keyAt, keyOfRow, residualOf, rowAt, type JoinKey, type Residual } from './join-rows.js';
import { decodeState, encodeState } from './state-codec.js';
import { TimedRowStore } from './timed-row-store.js';

type HeldRow = [row: unknown[], time: number, rowtime: number, seq: number, matched: 0 | 1];

interface IntervalJoinState {
  readonly watermark: number;
  readonly seq: number;
  readonly lateRows: number;
  readonly left: HeldRow[];
  readonly right: HeldRow[];
}

/**
 * Interval join: `l.k = r.k AND l.t BETWEEN r.t - lowerMs AND r.t + upperMs`, so a left row pairs
 * with right rows of time in [l.t - upperMs, l.t + lowerMs] and a right row with left rows of time
 * in [r.t - lowerMs, r.t + upperMs]. Append-only in and out: a pair is emitted when its second row
 * arrives (ROWTIME: the later of the two), an outer side's unmatched row once no match can come.
 *
 * State is bounded by the watermark W (rows with time ≥ W may still come):
 * - a left row can still match only while l.t + lowerMs ≥ W, a right row while r.t + upperMs ≥ W;
 *   onWatermark purges the rest, so each side holds about (its reach + the inputs' disorder) of
 *   rows per key, whatever the input's length. A row that can match nothing more is not stored.
 * - a purged outer row that never matched is emitted with nulls, ROWTIME max(its ROWTIME, t + reach)
 *   (reach: lowerMs for left rows, upperMs for right rows), in ROWTIME order.
 * - a row with t < W is late: some rows it could match may be purged already, so it is handed to
 *   `onLate` instead of joined (Flink's interval join joins it with what is left; its result would
 *   then depend on when purges ran). A row whose time is NULL goes there too.
 */
export class IntervalJoin implements TwoInputOperator {
  private left: TimedRowStore;
  private right: TimedRowStore;
  private readonly output: JoinOutput;
  private readonly residual: Residual | null;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private watermark = -Infinity;
  private seq = 0;
  /** Rows handed to onLate. */
  lateRows = 0;
  /** Most rows held by both sides at once. */
  peakStateRows = 0;

  private readonly onLate: (row: LateRow) => void;

  constructor(readonly spec: IntervalJoinSpec, hooks: JoinHooks) {
    checkJoinSpec(spec);
    this.onLate = lateSink(hooks, 'an interval join');
    this.left = new TimedRowStore(spec.leftTypes.length);
    this.right = new TimedRowStore(spec.rightTypes.length);
    this.output = new JoinOutput(spec.leftTypes.length, spec.rightTypes.length);
    this.residual = residualOf(spec.residual, spec.leftTypes, spec.rightTypes, hooks);
    this.leftOuter = leftIsOuter(spec.joinType);
    this.rightOuter = rightIsOuter(spec.joinType);
  }

  get stateRows(): number {
    return this.left.size + this.right.size;
  }

  processLeft(batch: ChangelogRows, out: Emit): void {
    assertAppendOnly(batch, 'an interval join');
    this.process(batch, 'left');
    this.output.flush(out);
  }

  processRight(batch: ChangelogRows, out: Emit): void {
    assertAppendOnly(batch, 'an interval join');
    this.process(batch, 'right');
    this.output.flush(out);
  }

  onWatermark(watermark: number, out: Emit): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const { lowerMs, upperMs } = this.spec;
    const padded: { row: unknown[]; rowtime: number; seq: number; isLeft: boolean }[] = [];
    const pad = (store: TimedRowStore, reach: number, isLeft: boolean) => (s: number) => {
      if (store.tag(s) === 0) padded.push({ row: store.row(s), rowtime: Math.max(store.rowtime(s), store.time(s) + reach), seq: store.seq(s), isLeft });
    };
    this.left.expire(watermark - lowerMs, this.leftOuter ? pad(this.left, lowerMs, true) : undefined);
    this.right.expire(watermark - upperMs, this.rightOuter ? pad(this.right, upperMs, false) : undefined);
    padded.sort((a, b) => a.rowtime - b.rowtime || a.seq - b.seq);
    for (const p of padded) this.output.add(RowKind.Insert, p.isLeft ? p.row : null, p.isLeft ? null : p.row, p.rowtime);
    this.output.flush(out);
  }

  snapshot(): Uint8Array {
    const held = (store: TimedRowStore): HeldRow[] => store.slotsBySeq().map((s) => [store.row(s), store.time(s), store.rowtime(s), store.seq(s), store.tag(s) as 0 | 1]);
    const state: IntervalJoinState = { watermark: this.watermark, seq: this.seq, lateRows: this.lateRows, left: held(this.left), right: held(this.right) };
    return encodeState(state);
  }

  restore(bytes: Uint8Array): void {
    const state = decodeState<IntervalJoinState>(bytes);
    this.watermark = state.watermark;
    this.seq = state.seq;
    this.lateRows = state.lateRows;
    const load = (rows: HeldRow[], width: number, keys: readonly number[]): TimedRowStore => {
      const store = new TimedRowStore(width);
      for (const [row, time, rowtime, seq, matched] of rows) store.insert(keyOfRow(row, keys), row.map((v) => [v]), 0, time, rowtime, seq, matched);
      return store;
    };
    this.left = load(state.left, this.spec.leftTypes.length, this.spec.leftKeys);
    this.right = load(state.right, this.spec.rightTypes.length, this.spec.rightKeys);
    this.peakStateRows = this.stateRows;
  }

  private process(batch: ChangelogRows, side: JoinSide): void {
    const isLeft = side === 'left';
    const spec = this.spec;
    const own = isLeft ? this.left : this.right;
    const other = isLeft ? this.right : this.left;
    const keys = isLeft ? spec.leftKeys : spec.rightKeys;
    const timeOf = isLeft ? spec.leftTime : spec.rightTime;
    // The other side's times this side's row pairs with: [t - below, t + above]; `above` is also
    // how long after t a row of this side can still find a match.
    const below = isLeft ? spec.upperMs : spec.lowerMs;
    const above = isLeft ? spec.lowerMs : spec.upperMs;
    const ownOuter = isLeft ? this.leftOuter : this.rightOuter;
    const otherOuter = isLeft ? this.rightOuter : this.leftOuter;
    const residual = this.residual;
    const output = this.output;
    const watermark = this.watermark;
    const columns = batch.columns;
    const otherColumns = other.columns;
    const rowtimes = batch.rowtimes;
    const times: readonly unknown[] = timeOf === 'rowtime' ? rowtimes : columns[timeOf]!;
    const keyColumn = keys.length === 1 ? columns[keys[0]!]! : null;
    for (let i = 0; i < batch.count; i++) {
      const tv = times[i];
      const t = typeof tv === 'number' ? tv : NaN;
      if (!(t >= watermark)) {
        this.late(side, Number.isNaN(t) ? 'no-time' : 'late', rowAt(columns, i), rowtimes[i]!, t);
        continue;
      }
      const rowtime = rowtimes[i]!;
      const key = keyColumn !== null ? (keyColumn[i] ?? null) as JoinKey | null : keyAt(columns, i, keys);
      if (key === null) {
        if (ownOuter) output.addFrom(RowKind.Insert, isLeft ? columns : null, i, isLeft ? null : columns, i, rowtime);
        continue;
      }
      let matched = false;
      const lo = t - below;
      const hi = t + above;
      const row = residual === null ? null : rowAt(columns, i);
      for (let s = other.first(key); s >= 0; s = other.nextOf(s)) {
        const ot = other.time(s);
        if (ot < lo || ot > hi) continue;
        if (row !== null) {
          const otherRow = other.row(s);
          if (!(isLeft ? residual!(row, otherRow) : residual!(otherRow, row))) continue;
        }
        matched = true;
        if (otherOuter) other.setTag(s, 1);
        const ort = other.rowtime(s);
        if (isLeft) output.addFrom(RowKind.Insert, columns, i, otherColumns, s, ort > rowtime ? ort : rowtime);
        else output.addFrom(RowKind.Insert, otherColumns, s, columns, i, ort > rowtime ? ort : rowtime);
      }
      if (hi >= watermark) {
        own.insert(key, columns, i, t, rowtime, this.seq++, matched ? 1 : 0);
        const held = this.left.size + this.right.size;
        if (held > this.peakStateRows) this.peakStateRows = held;
      } else if (ownOuter && !matched) {
        output.addFrom(RowKind.Insert, isLeft ? columns : null, i, isLeft ? null : columns, i, Math.max(rowtime, hi));
      }
    }
  }

  private late(side: JoinSide, reason: 'late' | 'no-time', row: unknown[], rowtime: number, time: number): void {
    this.lateRows++;
    this.onLate({ side, reason, row, rowtime, time: Number.isNaN(time) ? null : time, watermark: this.watermark });
  }
}
