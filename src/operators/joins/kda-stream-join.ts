import type { BoundExpr } from '../../planner/bound-expr.js';
import type { SqlType } from '../../planner/types.js';
import type { JoinType } from './join-contract.js';
import { JoinSpecError, type IntervalJoinSpec } from './join-specs.js';

/**
 * A Kinesis Data Analytics stream-to-stream join,
 * `FROM L OVER (RANGE INTERVAL 'a' PRECEDING) AS l [LEFT|RIGHT|FULL] JOIN R OVER (RANGE INTERVAL 'b' PRECEDING) AS r ON ...`,
 * where either OVER may be missing. Its pairing rules, from the KDA SQL Reference, "JOIN clause",
 * https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sql-reference-join-clause.html
 * (examples 1-6 and the summary):
 * - A side with `OVER (RANGE INTERVAL 'w' PRECEDING)` offers the rows whose ROWTIME lies within w
 *   before the current time; a side without a window offers only its current row. At least one
 *   side must be windowed.
 * - So a left row l and a right row r pair when r's arrival sees l in L's window
 *   (r.ROWTIME - a ≤ l.ROWTIME ≤ r.ROWTIME) or l's arrival sees r in R's window
 *   (l.ROWTIME - b ≤ r.ROWTIME ≤ l.ROWTIME): l.ROWTIME BETWEEN r.ROWTIME - a AND r.ROWTIME + b,
 *   an interval join on ROWTIME with lowerMs = a and upperMs = b (0 for a side without OVER).
 *   Example 1: an order arriving after its shipment (orderid 100) finds nothing, because the
 *   shipments side has no window; example 2 (both windowed) pairs it.
 * - A pair's ROWTIME is the later of the two rows' ROWTIMEs. An unmatched row of an outer side
 *   is emitted once no match can come any more, with ROWTIME "the later bound of the window of the
 *   other input at the point any possible match could have been found": its own ROWTIME plus its
 *   own side's window (example 5: an order at 10:00:20 with a 1-minute window on orders comes out
 *   at 10:01:20; example 3: a shipment with no window comes out at its own ROWTIME). This is the
 *   interval join's rule max(ROWTIME, t + reach) with t = ROWTIME.
 * - Examples 5 and 6 also list null-padded rows for orders 104 and 100, which did find a
 *   shipment; that contradicts the page's own summary ("for outer joins for which a match is not
 *   found") and SQL's outer join, and Sluice does not emit them.
 * - KDA returns rows in ascending ROWTIME. Both streams' ROWTIMEs come from the application's one
 *   clock, so the host feeds the two inputs merged by ROWTIME and moves the watermark to each
 *   row's ROWTIME before handing it over; the output is then in ascending ROWTIME, and no row is
 *   ever late (ROWTIME never goes back).
 * ROWS windows (`OVER (ROWS n PRECEDING)`) are not covered by this mapping.
 */
export interface KdaStreamJoinOptions {
  readonly joinType: JoinType;
  readonly leftTypes: readonly SqlType[];
  readonly rightTypes: readonly SqlType[];
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly residual?: BoundExpr;
  /** The left stream's `OVER (RANGE INTERVAL … PRECEDING)` in ms; absent: its current row only. */
  readonly leftRangeMs?: number;
  readonly rightRangeMs?: number;
}

export function kdaStreamJoinSpec(o: KdaStreamJoinOptions): IntervalJoinSpec {
  if (o.leftRangeMs === undefined && o.rightRangeMs === undefined) {
    throw new JoinSpecError('a KDA stream-to-stream join needs a time window on at least one side: add OVER (RANGE INTERVAL ... PRECEDING)');
  }
  for (const w of [o.leftRangeMs, o.rightRangeMs]) {
    if (w !== undefined && !(w >= 0 && Number.isFinite(w))) throw new JoinSpecError(`a RANGE window of ${w} ms is not a finite, non-negative interval`);
  }
  return {
    kind: 'interval',
    joinType: o.joinType,
    leftTypes: o.leftTypes,
    rightTypes: o.rightTypes,
    leftKeys: o.leftKeys,
    rightKeys: o.rightKeys,
    ...(o.residual ? { residual: o.residual } : {}),
    leftTime: 'rowtime',
    rightTime: 'rowtime',
    lowerMs: o.leftRangeMs ?? 0,
    upperMs: o.rightRangeMs ?? 0,
  };
}
