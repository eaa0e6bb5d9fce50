import { isAccumulate, RowKind, rowKindAt, type ChangelogRows } from '../changelog.js';
import { leftIsOuter, rightIsOuter, type Emit, type JoinHooks, type JoinSide, type TwoInputOperator } from './join-contract.js';
import { checkJoinSpec, type RegularJoinSpec } from './join-specs.js';
import { JoinOutput, keyOfRow, residualOf, rowAt, type JoinKey, type Residual } from './join-rows.js';
import { KeyedRowCounts, type CountedRow } from './keyed-row-counts.js';
import { decodeState, encodeState } from './state-codec.js';

type HeldRow = [row: unknown[], count: number, matches: number, stamp: number, rowtime: number];

interface RegularJoinState {
  readonly now: number;
  readonly lateRows: number;
  readonly left: HeldRow[];
  readonly right: HeldRow[];
}

/**
 * Regular (unbounded) join on equi-keys over changelog inputs, emitting a changelog, as Flink's
 * StreamingJoinOperator does. Each input is held as a multiset of rows per key. An input row X:
 * - insert (+I/+U): X pairs with every held row R of the other side with the same key that the
 *   residual accepts (once per copy of R). If R's side is outer and R had no match yet, R's
 *   null-padded row is retracted first (-D) and the pair inserted (+I). If X finds nothing and its
 *   side is outer, X is inserted null-padded.
 * - retraction (-U/-D): the reverse: X's pairs are retracted, and a row of an outer other side that
 *   thereby loses its last match is inserted null-padded again; X's own padded row is retracted
 *   when it had no match. A retraction of a row the join does not hold goes to `onLate`.
 * An inner join forwards the input's kind (+I/+U/-U/-D) to the pairs; an outer join emits +I/-D.
 * A row's NULL key matches nothing. ROWTIME of an output row: the later of the input row's and
 * the paired row's.
 *
 * State is unbounded unless `stateTtlMs` is set: `expire(now)` then drops rows not written for
 * that long (processing time, the host's clock) and emits nothing. As in Flink, a result built on
 * an expired row may no longer be retracted exactly.
 */
export class RegularJoin implements TwoInputOperator {
  private left: KeyedRowCounts;
  private right: KeyedRowCounts;
  private readonly output: JoinOutput;
  private readonly residual: Residual | null;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private now = 0;
  lateRows = 0;

  constructor(readonly spec: RegularJoinSpec, private readonly hooks: JoinHooks = {}) {
    checkJoinSpec(spec);
    this.left = new KeyedRowCounts(spec.stateTtlMs);
    this.right = new KeyedRowCounts(spec.stateTtlMs);
    this.output = new JoinOutput(spec.leftTypes.length, spec.rightTypes.length);
    this.residual = residualOf(spec.residual, spec.leftTypes, spec.rightTypes, hooks);
    this.leftOuter = leftIsOuter(spec.joinType);
    this.rightOuter = rightIsOuter(spec.joinType);
  }

  /** Distinct rows held per side. */
  get stateRows(): number {
    return this.left.size + this.right.size;
  }

  processLeft(batch: ChangelogRows, out: Emit): void {
    for (let i = 0; i < batch.count; i++) this.processRow('left', rowAt(batch.columns, i), rowKindAt(batch, i), batch.rowtimes[i]!);
    this.output.flush(out);
  }

  processRight(batch: ChangelogRows, out: Emit): void {
    for (let i = 0; i < batch.count; i++) this.processRow('right', rowAt(batch.columns, i), rowKindAt(batch, i), batch.rowtimes[i]!);
    this.output.flush(out);
  }

  /** A regular join has no time bound: the watermark changes nothing. */
  onWatermark(_watermark: number, _out: Emit): void {}

  /**
   * Moves the join's processing-time clock to `now` and drops rows idle for the TTL; returns how
   * many. Nothing is emitted (`out` is there for runners that expire every operator alike).
   */
  expire(now: number, _out?: Emit): number {
    this.now = Math.max(this.now, now);
    return this.left.expire(this.now) + this.right.expire(this.now);
  }

  snapshot(): Uint8Array {
    const held = (side: KeyedRowCounts): HeldRow[] => [...side.entries()].map((e) => [e.row, e.count, e.matches, e.stamp, e.rowtime]);
    const state: RegularJoinState = { now: this.now, lateRows: this.lateRows, left: held(this.left), right: held(this.right) };
    return encodeState(state);
  }

  restore(bytes: Uint8Array): void {
    const state = decodeState<RegularJoinState>(bytes);
    this.now = state.now;
    this.lateRows = state.lateRows;
    const load = (rows: HeldRow[], keys: readonly number[]): KeyedRowCounts => {
      const side = new KeyedRowCounts(this.spec.stateTtlMs);
      for (const [row, count, matches, stamp, rowtime] of rows) side.add({ key: keyOfRow(row, keys)!, row, count, matches, stamp, rowtime });
      side.sortWrites();
      return side;
    };
    this.left = load(state.left, this.spec.leftKeys);
    this.right = load(state.right, this.spec.rightKeys);
  }

  private processRow(side: JoinSide, row: unknown[], kind: RowKind, rowtime: number): void {
    const isLeft = side === 'left';
    const own = isLeft ? this.left : this.right;
    const other = isLeft ? this.right : this.left;
    const ownOuter = isLeft ? this.leftOuter : this.rightOuter;
    const otherOuter = isLeft ? this.rightOuter : this.leftOuter;
    const accumulate = isAccumulate(kind);
    const out = this.output;
    const pair = (r: unknown[]) => [isLeft ? row : r, isLeft ? r : row] as const;
    const padOwn = (k: RowKind) => out.add(k, isLeft ? row : null, isLeft ? null : row, rowtime);
    const padOther = (k: RowKind, r: CountedRow) => {
      for (let c = 0; c < r.count; c++) out.add(k, isLeft ? null : r.row, isLeft ? r.row : null, Math.max(rowtime, r.rowtime));
    };
    const key = keyOfRow(row, isLeft ? this.spec.leftKeys : this.spec.rightKeys);
    if (key === null) {
      if (ownOuter) padOwn(accumulate ? RowKind.Insert : RowKind.Delete);
      return;
    }
    let entry = own.find(key, row);
    if (!accumulate && entry === undefined) {
      this.lateRows++;
      this.hooks.onLate?.({ side, reason: 'unknown-retraction', row, rowtime, time: null, watermark: -Infinity });
      return;
    }
    const pairKind = ownOuter || otherOuter ? (accumulate ? RowKind.Insert : RowKind.Delete) : kind;
    const matched = this.matchesOf(key, row, isLeft, other);
    let copies = 0;
    for (const r of matched) {
      if (accumulate && otherOuter && r.matches === 0) padOther(RowKind.Delete, r);
      const [l, rr] = pair(r.row);
      for (let c = 0; c < r.count; c++) out.add(pairKind, l, rr, Math.max(rowtime, r.rowtime));
      if (otherOuter) {
        r.matches += accumulate ? 1 : -1;
        other.touch(r, this.now);
        if (!accumulate && r.matches === 0) padOther(RowKind.Insert, r);
      }
      copies += r.count;
    }
    if (matched.length === 0 && ownOuter) padOwn(accumulate ? RowKind.Insert : RowKind.Delete);
    if (accumulate) {
      if (entry === undefined) {
        entry = { key, row, count: 0, matches: copies, stamp: this.now, rowtime };
        own.add(entry);
      }
      entry.count++;
      entry.rowtime = rowtime;
      own.touch(entry, this.now);
    } else if (--entry!.count === 0) {
      own.remove(entry!);
    } else {
      own.touch(entry!, this.now);
    }
  }

  private matchesOf(key: JoinKey, row: unknown[], isLeft: boolean, other: KeyedRowCounts): CountedRow[] {
    const found: CountedRow[] = [];
    const rows = other.rowsOf(key);
    if (rows === undefined) return found;
    const residual = this.residual;
    for (const r of rows) if (residual === null || (isLeft ? residual(row, r.row) : residual(r.row, row))) found.push(r);
    return found;
  }
}
