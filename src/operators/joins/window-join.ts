import type { ChangelogRows } from '../changelog.js';
import { RowKind } from '../changelog.js';
import { lateSink, leftIsOuter, rightIsOuter, type Emit, type JoinHooks, type JoinSide, type LateRow, type TwoInputOperator } from './join-contract.js';
import { checkJoinSpec, type WindowJoinSpec } from './join-specs.js';
import { assertAppendOnly, JoinOutput, keyOfRow, residualOf, rowAt, type JoinKey, type Residual } from './join-rows.js';
import { decodeState, encodeState } from './state-codec.js';

interface WindowRows {
  readonly start: number;
  readonly end: number;
  readonly left: unknown[][];
  readonly right: unknown[][];
}

interface WindowJoinState {
  readonly watermark: number;
  readonly lateRows: number;
  readonly windows: [start: number, end: number, left: unknown[][], right: unknown[][]][];
}

/**
 * Window join: both inputs are already windowed (their window_start and window_end columns), and
 * rows join when they share both bounds and the keys, as Flink's WindowJoinOperator does. Rows
 * wait in their window until the watermark reaches its end (W ≥ window_end: the window is done);
 * then the window's pairs and, for outer sides, its unmatched rows are emitted with ROWTIME
 * window_end, windows in (end, start) order, and the window is dropped. Append-only in and out.
 * State is the rows of open windows only. A row whose window has already ended when it arrives
 * is late (handed to `onLate`), as is one whose window bounds are NULL.
 */
export class WindowJoin implements TwoInputOperator {
  private windows = new Map<string, WindowRows>();
  private readonly output: JoinOutput;
  private readonly residual: Residual | null;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private watermark = -Infinity;
  lateRows = 0;

  private readonly onLate: (row: LateRow) => void;

  constructor(readonly spec: WindowJoinSpec, hooks: JoinHooks) {
    checkJoinSpec(spec);
    this.onLate = lateSink(hooks, 'a window join');
    this.output = new JoinOutput(spec.leftTypes.length, spec.rightTypes.length);
    this.residual = residualOf(spec.residual, spec.leftTypes, spec.rightTypes, hooks);
    this.leftOuter = leftIsOuter(spec.joinType);
    this.rightOuter = rightIsOuter(spec.joinType);
  }

  /** Rows held in open windows. */
  get stateRows(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.left.length + w.right.length;
    return n;
  }

  /** Rows only wait for their window's end here: nothing is emitted before the watermark passes it. */
  processLeft(batch: ChangelogRows, _out: Emit): void {
    this.process(batch, 'left');
  }

  processRight(batch: ChangelogRows, _out: Emit): void {
    this.process(batch, 'right');
  }

  onWatermark(watermark: number, out: Emit): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const done = [...this.windows.entries()].filter(([, w]) => w.end <= watermark).sort(([, a], [, b]) => a.end - b.end || a.start - b.start);
    for (const [id, w] of done) {
      this.emitWindow(w);
      this.windows.delete(id);
    }
    this.output.flush(out);
  }

  snapshot(): Uint8Array {
    const state: WindowJoinState = { watermark: this.watermark, lateRows: this.lateRows, windows: [...this.windows.values()].map((w) => [w.start, w.end, w.left, w.right]) };
    return encodeState(state);
  }

  restore(bytes: Uint8Array): void {
    const state = decodeState<WindowJoinState>(bytes);
    this.watermark = state.watermark;
    this.lateRows = state.lateRows;
    this.windows = new Map(state.windows.map(([start, end, left, right]) => [`${start}:${end}`, { start, end, left, right }]));
  }

  private process(batch: ChangelogRows, side: JoinSide): void {
    assertAppendOnly(batch, 'a window join');
    const bounds = side === 'left' ? this.spec.leftWindow : this.spec.rightWindow;
    for (let i = 0; i < batch.count; i++) {
      const row = rowAt(batch.columns, i);
      const start = row[bounds.start];
      const end = row[bounds.end];
      if (typeof start !== 'number' || typeof end !== 'number' || !(end > this.watermark)) {
        this.lateRows++;
        const noTime = typeof start !== 'number' || typeof end !== 'number';
        this.onLate({ side, reason: noTime ? 'no-time' : 'late', row, rowtime: batch.rowtimes[i]!, time: noTime ? null : end as number, watermark: this.watermark });
        continue;
      }
      const id = `${start}:${end}`;
      let w = this.windows.get(id);
      if (w === undefined) this.windows.set(id, (w = { start, end, left: [], right: [] }));
      (side === 'left' ? w.left : w.right).push(row);
    }
  }

  private emitWindow(w: WindowRows): void {
    const { spec, output, residual } = this;
    const byKey = new Map<JoinKey, number[]>();
    w.right.forEach((r, j) => {
      const key = keyOfRow(r, spec.rightKeys);
      if (key === null) return;
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [j]);
      else list.push(j);
    });
    const rightMatched = new Uint8Array(w.right.length);
    for (const l of w.left) {
      const key = keyOfRow(l, spec.leftKeys);
      let matched = false;
      for (const j of key === null ? [] : byKey.get(key) ?? []) {
        const r = w.right[j]!;
        if (residual !== null && !residual(l, r)) continue;
        matched = true;
        rightMatched[j] = 1;
        output.add(RowKind.Insert, l, r, w.end);
      }
      if (!matched && this.leftOuter) output.add(RowKind.Insert, l, null, w.end);
    }
    if (this.rightOuter) w.right.forEach((r, j) => { if (!rightMatched[j]) output.add(RowKind.Insert, null, r, w.end); });
  }
}
