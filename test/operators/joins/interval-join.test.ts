import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IntervalJoin } from '../../../src/operators/joins/interval-join.js';
import type { IntervalJoinSpec } from '../../../src/operators/joins/join-specs.js';
import type { JoinType } from '../../../src/operators/joins/join-contract.js';
import { RowKind } from '../../../src/operators/changelog.js';
import { call, col, lit } from '../../../src/planner/bound-expr.js';
import { mulberry32 } from '../../../bench/clickstream.js';
import { NO_LATE, batchOf, Collector, cut, interleave, run, type Step } from './join-test-helpers.js';

// Left rows [k, t, v], right rows [k, t, w]; times in column 1.
const spec = (joinType: JoinType, lowerMs: number, upperMs: number, extra: Partial<IntervalJoinSpec> = {}): IntervalJoinSpec => ({
  kind: 'interval', joinType, leftTypes: ['VARCHAR', 'TIMESTAMP', 'BIGINT'], rightTypes: ['VARCHAR', 'TIMESTAMP', 'BIGINT'],
  leftKeys: [0], rightKeys: [0], leftTime: 1, rightTime: 1, lowerMs, upperMs, ...extra,
});

type Row = [string | null, number, number];

/** Every output row the SQL defines, as `+I values@rowtime`, sorted. */
function bruteForce(s: IntervalJoinSpec, left: Row[], right: Row[], lrt: number[], rrt: number[], residual?: (l: Row, r: Row) => boolean): string[] {
  const out: string[] = [];
  const lm = left.map(() => false);
  const rm = right.map(() => false);
  left.forEach((l, i) => right.forEach((r, j) => {
    if (l[0] === null || l[0] !== r[0] || !(l[1] >= r[1] - s.lowerMs && l[1] <= r[1] + s.upperMs)) return;
    if (residual && !residual(l, r)) return;
    lm[i] = rm[j] = true;
    out.push(`+I ${JSON.stringify([...l, ...r])}@${Math.max(lrt[i]!, rrt[j]!)}`);
  }));
  if (s.joinType === 'left' || s.joinType === 'full') left.forEach((l, i) => { if (!lm[i]) out.push(`+I ${JSON.stringify([...l, null, null, null])}@${l[0] === null ? lrt[i] : Math.max(lrt[i]!, l[1] + s.lowerMs)}`); });
  if (s.joinType === 'right' || s.joinType === 'full') right.forEach((r, j) => { if (!rm[j]) out.push(`+I ${JSON.stringify([null, null, null, ...r])}@${r[0] === null ? rrt[j] : Math.max(rrt[j]!, r[1] + s.upperMs)}`); });
  return out.sort();
}

/** Rows with times increasing by `step` on average and up to `disorder` ms out of order. */
function randomSide(random: () => number, n: number, step: number, disorder: number, keys: number): { rows: Row[]; rowtimes: number[] } {
  const rows: Row[] = [];
  const rowtimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const nominal = i * step;
    const k = random() < 0.05 ? null : `k${Math.floor(random() * keys)}`;
    rows.push([k, nominal - Math.floor(random() * (disorder + 1)), Math.floor(random() * 100)]);
    rowtimes.push(nominal);
  }
  return { rows, rowtimes };
}

function maxTime(rows: unknown[][]): number {
  return Math.max(...rows.map((r) => r[1] as number));
}

describe('IntervalJoin', () => {
  it('pairs rows whose times fall in the inclusive interval, with the later ROWTIME', () => {
    const out = new Collector();
    const op = new IntervalJoin(spec('inner', 1000, 500), NO_LATE);
    op.processRight(batchOf([['a', 10_000, 1]], [10]), out.emit);
    // l.t in [r.t - 1000, r.t + 500] = [9000, 10500]
    op.processLeft(batchOf([['a', 8999, 1], ['a', 9000, 2], ['a', 10_500, 3], ['a', 10_501, 4], ['b', 10_000, 5]], [1, 2, 30, 4, 5]), out.emit);
    expect(out.rows).toEqual([
      { kind: '+I', values: ['a', 9000, 2, 'a', 10_000, 1], rowtime: 10 },
      { kind: '+I', values: ['a', 10_500, 3, 'a', 10_000, 1], rowtime: 30 },
    ]);
  });

  it('handles a negative bound (l.t BETWEEN r.t + 5 s AND r.t + 10 s)', () => {
    const out = new Collector();
    const op = new IntervalJoin(spec('inner', -5000, 10_000), NO_LATE);
    op.processLeft(batchOf([['a', 14_999, 1], ['a', 15_000, 2], ['a', 20_000, 3], ['a', 20_001, 4]]), out.emit);
    op.processRight(batchOf([['a', 10_000, 9]]), out.emit);
    expect(out.rows.map((r) => r.values[2])).toEqual([2, 3]);
  });

  it('emits an unmatched left row once the watermark passes t + lowerMs, not before', () => {
    const out = new Collector();
    const op = new IntervalJoin(spec('left', 2000, 0), NO_LATE);
    op.processLeft(batchOf([['a', 1000, 1], ['b', 1500, 2]], [1000, 1500]), out.emit);
    op.onWatermark(3000, out.emit);
    expect(out.rows).toEqual([]);
    op.processRight(batchOf([['b', 3000, 7]], [3000]), out.emit);
    expect(out.rows).toEqual([{ kind: '+I', values: ['b', 1500, 2, 'b', 3000, 7], rowtime: 3000 }]);
    op.onWatermark(3001, out.emit);
    expect(out.rows.slice(1)).toEqual([{ kind: '+I', values: ['a', 1000, 1, null, null, null], rowtime: 3000 }]);
    op.onWatermark(10_000, out.emit);
    expect(out.rows).toHaveLength(2);
    expect(op.stateRows).toBe(0);
  });

  it('emits unmatched rows of the right side (RIGHT) and of both (FULL)', () => {
    for (const joinType of ['right', 'full'] as const) {
      const out = new Collector();
      const op = new IntervalJoin(spec(joinType, 0, 1000), NO_LATE);
      op.processLeft(batchOf([['a', 1000, 1], ['z', 1000, 3]]), out.emit);
      op.processRight(batchOf([['a', 500, 5], ['b', 700, 6]]), out.emit);
      op.onWatermark(Infinity, out.emit);
      const expected = [
        '+I ["a",1000,1,"a",500,5]@0',
        '+I [null,null,null,"b",700,6]@1700',
        ...(joinType === 'full' ? ['+I ["z",1000,3,null,null,null]@1000'] : []),
      ].sort();
      expect(out.sorted()).toEqual(expected);
    }
  });

  it('pairs every duplicate of a key with every duplicate on the other side', () => {
    const out = new Collector();
    const op = new IntervalJoin(spec('full', 100, 100), NO_LATE);
    op.processLeft(batchOf([['a', 0, 1], ['a', 0, 1], ['a', 50, 2]]), out.emit);
    op.processRight(batchOf([['a', 10, 8], ['a', 10, 8]]), out.emit);
    op.onWatermark(Infinity, out.emit);
    expect(out.rows).toHaveLength(6);
    expect(out.rows.every((r) => r.values[0] === 'a' && r.values[3] === 'a')).toBe(true);
  });

  it('reports late rows and rows without a time instead of joining them', () => {
    const out = new Collector();
    const op = new IntervalJoin(spec('left', 1000, 1000), { onLate: out.onLate });
    op.processRight(batchOf([['a', 5000, 1]]), out.emit);
    op.onWatermark(4500, out.emit);
    op.processLeft(batchOf([['a', 4499, 1], ['a', 4500, 2], ['a', null, 3]], [7, 8, 9]), out.emit);
    expect(out.rows.map((r) => r.values[2])).toEqual([2]);
    expect(out.late.map((l) => [l.side, l.reason, l.row[2], l.time, l.watermark])).toEqual([['left', 'late', 1, 4499, 4500], ['left', 'no-time', 3, null, 4500]]);
    expect(op.lateRows).toBe(2);
    op.onWatermark(Infinity, out.emit);
    expect(out.rows).toHaveLength(1);
  });

  it('evaluates a residual condition after the key and time match (spec expression or hook)', () => {
    const bigger = call('>', [col(2, 'BIGINT'), col(5, 'BIGINT')], 'BOOLEAN');
    for (const op of [new IntervalJoin(spec('left', 10, 10, { residual: bigger }), NO_LATE), new IntervalJoin(spec('left', 10, 10), { ...NO_LATE, residual: (l, r) => (l[2] as number) > (r[2] as number) })]) {
      const out = new Collector();
      op.processRight(batchOf([['a', 0, 5]]), out.emit);
      op.processLeft(batchOf([['a', 0, 9], ['a', 0, 1]]), out.emit);
      op.onWatermark(Infinity, out.emit);
      expect(out.sorted(false)).toEqual(['+I ["a",0,1,null,null,null]', '+I ["a",0,9,"a",0,5]']);
    }
    expect(call('=', [col(0, 'VARCHAR'), lit('a', 'VARCHAR')], 'BOOLEAN').k).toBe('call');
  });

  it('refuses retractions: its inputs must be append-only', () => {
    const op = new IntervalJoin(spec('inner', 0, 0), NO_LATE);
    expect(() => op.processLeft(batchOf([['a', 0, 1]], [0], [RowKind.Delete]), () => undefined)).toThrow(/append-only/);
  });

  it('keeps state proportional to the bounds, not to the input', () => {
    const op = new IntervalJoin(spec('full', 1000, 1000), NO_LATE);
    const random = mulberry32(3);
    let emitted = 0;
    for (let b = 0; b < 200; b++) {
      const l = randomSide(random, 100, 10, 200, 20);
      const shift = (rows: Row[]) => rows.map(([k, t, v]) => [k, t + b * 1000, v]);
      op.processLeft(batchOf(shift(l.rows)), (r) => { emitted += r.count; });
      op.processRight(batchOf(shift(randomSide(random, 100, 10, 200, 20).rows)), (r) => { emitted += r.count; });
      op.onWatermark(b * 1000 + 800 - 200, (r) => { emitted += r.count; });
    }
    // 100 rows per second per side; each side holds at most ~(1 s reach + 0.4 s disorder and batch) of rows.
    expect(op.peakStateRows).toBeLessThan(2 * 100 * 3);
    expect(emitted).toBeGreaterThan(20_000);
  });

  it('gives the rows the SQL defines, however the inputs are cut and interleaved', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<JoinType>('inner', 'left', 'right', 'full'), fc.integer({ min: -300, max: 1500 }), fc.integer({ min: 0, max: 1500 }), (seed, joinType, lower, upperExtra) => {
      const upper = Math.max(upperExtra, -lower);
      const random = mulberry32(seed);
      const l = randomSide(random, 120, 37, 400, 6);
      const r = randomSide(random, 90, 53, 400, 6);
      const s = spec(joinType, lower, upper);
      const expected = bruteForce(s, l.rows, r.rows, l.rowtimes, r.rowtimes);
      for (const variant of [1, 2]) {
        const steps = interleave(cut(l.rows, l.rowtimes, random, 7 * variant), cut(r.rows, r.rowtimes, random, 11), seed + variant, (_side, rows) => maxTime(rows) - 400);
        const out = new Collector();
        const op = new IntervalJoin(s, { onLate: out.onLate });
        run(op, steps, out);
        expect(out.late).toEqual([]);
        expect(out.sorted()).toEqual(expected);
        expect(op.stateRows).toBe(0);
      }
    }), { numRuns: 60, seed: 7 });
  });

  it('resumes from a snapshot taken mid-stream exactly as an uninterrupted run', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<JoinType>('inner', 'left', 'right', 'full'), fc.double({ min: 0, max: 1, noNaN: true }), (seed, joinType, at) => {
      const random = mulberry32(seed);
      const l = randomSide(random, 80, 40, 300, 5);
      const r = randomSide(random, 80, 40, 300, 5);
      const steps: Step[] = interleave(cut(l.rows, l.rowtimes, random, 9), cut(r.rows, r.rowtimes, random, 9), seed, (_side, rows) => maxTime(rows) - 300);
      const s = spec(joinType, 500, 200);
      const whole = new Collector();
      run(new IntervalJoin(s, NO_LATE), steps, whole);
      const split = Math.floor(at * steps.length);
      const resumed = new Collector();
      const first = new IntervalJoin(s, NO_LATE);
      run(first, steps.slice(0, split), resumed);
      const second = new IntervalJoin(s, NO_LATE);
      second.restore(first.snapshot());
      run(second, steps.slice(split), resumed);
      expect(resumed.rows).toEqual(whole.rows);
    }), { numRuns: 40, seed: 11 });
  });
});
