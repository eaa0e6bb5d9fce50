import { describe, it, expect } from 'vitest';
import { IntervalJoin } from '../../../src/operators/joins/interval-join.js';
import { kdaStreamJoinSpec } from '../../../src/operators/joins/kda-stream-join.js';
import type { JoinSide, JoinType } from '../../../src/operators/joins/join-contract.js';
import { NO_LATE, batchOf, Collector } from './join-test-helpers.js';

// The data set of the KDA SQL Reference's JOIN clause examples: ORDERS_STREAM and SHIPMENTS_STREAM
// rows (ROWTIME, orderid), in the order the page lists them.
const at = (hms: string) => Date.UTC(2026, 0, 1, ...(hms.split(':').map(Number) as [number, number, number]));
const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const ARRIVALS: [JoinSide, string, number][] = [
  ['left', '10:00:00', 101], ['right', '10:00:00', 100], ['left', '10:00:20', 102], ['left', '10:00:30', 103],
  ['left', '10:00:40', 104], ['right', '10:00:45', 104], ['left', '10:00:45', 100], ['right', '10:00:50', 105],
];
const MINUTE = 60_000;

/**
 * Feeds the arrivals merged by ROWTIME, moving the watermark to each row's ROWTIME before it (both
 * streams share the application's clock); returns `rowtime orderid orderTime shipmentTime`.
 */
function runExample(joinType: JoinType, ordersRange: number | undefined, shipmentsRange: number | undefined): string[] {
  const spec = kdaStreamJoinSpec({
    joinType, leftTypes: ['INTEGER'], rightTypes: ['INTEGER'], leftKeys: [0], rightKeys: [0],
    ...(ordersRange === undefined ? {} : { leftRangeMs: ordersRange }), ...(shipmentsRange === undefined ? {} : { rightRangeMs: shipmentsRange }),
  });
  const op = new IntervalJoin(spec, NO_LATE);
  const out = new Collector();
  const times = { left: new Map<number, number>(), right: new Map<number, number>() };
  for (const [side, time, orderid] of ARRIVALS) {
    times[side].set(orderid, at(time));
    op.onWatermark(at(time), out.emit);
    const batch = batchOf([[orderid]], [at(time)]);
    if (side === 'left') op.processLeft(batch, out.emit);
    else op.processRight(batch, out.emit);
  }
  op.onWatermark(Infinity, out.emit);
  const rowtimes = out.rows.map((r) => r.rowtime);
  expect(rowtimes).toEqual([...rowtimes].sort((a, b) => a - b));
  return out.rows.map((r) => {
    const orderid = (r.values[0] ?? r.values[1]) as number;
    const orderTime = r.values[0] === null ? 'null' : hms(times.left.get(orderid)!);
    const shipmentTime = r.values[1] === null ? 'null' : hms(times.right.get(orderid)!);
    return `${hms(r.rowtime)} ${orderid} ${orderTime} ${shipmentTime}`;
  });
}

describe('KDA stream-to-stream joins (the SQL Reference JOIN clause examples)', () => {
  it('example 1: window on orders only, INNER: an order arriving after its shipment finds nothing', () => {
    expect(runExample('inner', MINUTE, undefined)).toEqual(['10:00:45 104 10:00:40 10:00:45']);
  });

  it('example 2: windows on both sides, INNER: the late order 100 pairs too, at the later ROWTIME', () => {
    expect(runExample('inner', MINUTE, MINUTE)).toEqual(['10:00:45 104 10:00:40 10:00:45', '10:00:45 100 10:00:45 10:00:00']);
  });

  it('example 3: window on orders only, RIGHT: unmatched shipments come out at their own ROWTIME', () => {
    expect(runExample('right', MINUTE, undefined)).toEqual(['10:00:00 100 null 10:00:00', '10:00:45 104 10:00:40 10:00:45', '10:00:50 105 null 10:00:50']);
  });

  it('example 4: windows on both sides, RIGHT: an unmatched shipment comes out at the end of its window', () => {
    expect(runExample('right', MINUTE, MINUTE)).toEqual(['10:00:45 104 10:00:40 10:00:45', '10:00:45 100 10:00:45 10:00:00', '10:01:50 105 null 10:00:50']);
  });

  it('example 5: window on orders only, LEFT: unmatched orders come out at the end of their window', () => {
    // The page's table also lists a padded row for order 104, which did match; see kda-stream-join.ts.
    expect(runExample('left', MINUTE, undefined)).toEqual([
      '10:00:45 104 10:00:40 10:00:45', '10:01:00 101 10:00:00 null', '10:01:20 102 10:00:20 null', '10:01:30 103 10:00:30 null', '10:01:45 100 10:00:45 null',
    ]);
  });

  it('example 6: windows on both sides, LEFT: matched orders (104, and the late 100) are not padded', () => {
    expect(runExample('left', MINUTE, MINUTE)).toEqual([
      '10:00:45 104 10:00:40 10:00:45', '10:00:45 100 10:00:45 10:00:00', '10:01:00 101 10:00:00 null', '10:01:20 102 10:00:20 null', '10:01:30 103 10:00:30 null',
    ]);
  });

  it('FULL keeps both sides\' unmatched rows; a join with no window on either side is refused', () => {
    expect(runExample('full', MINUTE, undefined)).toEqual([
      '10:00:00 100 null 10:00:00', '10:00:45 104 10:00:40 10:00:45', '10:00:50 105 null 10:00:50',
      '10:01:00 101 10:00:00 null', '10:01:20 102 10:00:20 null', '10:01:30 103 10:00:30 null', '10:01:45 100 10:00:45 null',
    ]);
    expect(() => kdaStreamJoinSpec({ joinType: 'inner', leftTypes: ['INTEGER'], rightTypes: ['INTEGER'], leftKeys: [0], rightKeys: [0] })).toThrow(/OVER \(RANGE INTERVAL/);
  });
});
