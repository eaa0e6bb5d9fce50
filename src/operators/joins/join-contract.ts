import type { ChangelogRows } from '../changelog.js';
import { JoinSpecError } from './join-specs.js';

/**
 * The two-input operator contract every stream–stream join follows (regular, interval, window,
 * temporal). It is `Operator` (operator.ts) with the batch entry split by input:
 *
 * - `processLeft(batch, out)` / `processRight(batch, out)`: rows of one input, in that input's
 *   order. The two inputs may interleave in any way; a join's append-only result does not depend
 *   on it (nor on how either input is cut into batches), as long as no row is late.
 * - `onWatermark(watermark, out)`: the join's watermark is the minimum of its two inputs'
 *   watermarks (the caller takes the minimum, e.g. with `JoinWatermarks`) and never goes back.
 *   As everywhere in Sluice, a watermark W promises that rows with time below W are done: rows
 *   with time ≥ W may still come, a row with time < W is late.
 * - `snapshot()` / `restore(bytes)`: the whole state as bytes (JSON inside), so that a fresh
 *   operator built from the same spec and restored continues exactly as the original would.
 *
 * Each call hands `out` at most one batch, and only when it has rows. Output rows carry the
 * left input's columns, then the right input's; an outer join fills the missing side with nulls.
 */
export interface TwoInputOperator {
  processLeft(batch: ChangelogRows, out: Emit): void;
  processRight(batch: ChangelogRows, out: Emit): void;
  onWatermark(watermark: number, out: Emit): void;
  snapshot(): Uint8Array;
  restore(bytes: Uint8Array): void;
}

export type Emit = (rows: ChangelogRows) => void;

export type JoinSide = 'left' | 'right';

/** INNER keeps pairs only; LEFT / RIGHT / FULL also keep that side's (or both sides') unmatched rows. */
export type JoinType = 'inner' | 'left' | 'right' | 'full';

export function leftIsOuter(t: JoinType): boolean {
  return t === 'left' || t === 'full';
}

export function rightIsOuter(t: JoinType): boolean {
  return t === 'right' || t === 'full';
}

/**
 * A row a join did not take, handed to `JoinHooks.onLate` (the engine sends it to error_stream).
 * - `late`: its time was below the watermark when it arrived, so part of what it could match is
 *   already purged (interval, window, temporal probe) or already emitted (temporal versions).
 * - `no-time`: its time column (or window bound) is NULL.
 * - `unknown-retraction`: a regular join got a retraction of a row it does not hold (expired by
 *   the state TTL, or never inserted).
 */
export interface LateRow {
  readonly side: JoinSide;
  readonly reason: 'late' | 'no-time' | 'unknown-retraction';
  /** The row's input column values. */
  readonly row: readonly unknown[];
  readonly rowtime: number;
  /** The row's join time (a window join: its window_end); null when it has none. */
  readonly time: number | null;
  /** The watermark when the row arrived. */
  readonly watermark: number;
}

/** What a join needs that is not plain JSON: callbacks, given beside the spec. */
export interface JoinHooks {
  /**
   * Non-equi conditions, evaluated after the key (and time) match on the left and right rows;
   * used when the spec has no `residual` expression. Must be pure: a join may evaluate a pair
   * more than once (on insert and again on retraction).
   */
  readonly residual?: (left: readonly unknown[], right: readonly unknown[]) => boolean;
  /**
   * Rows the join did not take. Required by the event-time joins (interval, window, temporal),
   * whose late rows must reach error_stream; the regular join counts them in `lateRows` without it.
   */
  readonly onLate?: (row: LateRow) => void;
}

/** The hook an event-time join hands its late rows to; refuses to build the join without one. */
export function lateSink(hooks: JoinHooks, join: string): (row: LateRow) => void {
  const onLate = hooks.onLate;
  if (!onLate) throw new JoinSpecError(`${join} needs hooks.onLate: its late rows go to error_stream, never dropped unseen`);
  return onLate;
}

/** The minimum of two inputs' watermarks, moved on per side. */
export class JoinWatermarks {
  private left = -Infinity;
  private right = -Infinity;
  private combined = -Infinity;

  /** The join's new watermark when this side's move raises it, else undefined. */
  advance(side: JoinSide, watermark: number): number | undefined {
    if (side === 'left') this.left = Math.max(this.left, watermark);
    else this.right = Math.max(this.right, watermark);
    const next = Math.min(this.left, this.right);
    if (next <= this.combined) return undefined;
    this.combined = next;
    return next;
  }

  get current(): number {
    return this.combined;
  }
}
