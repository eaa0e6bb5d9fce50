import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { WindowJoin } from '../../../src/operators/joins/window-join.js';
import type { WindowJoinSpec } from '../../../src/operators/joins/join-specs.js';
import type { JoinType } from '../../../src/operators/joins/join-contract.js';
import { mulberry32 } from '../../../bench/clickstream.js';
import { NO_LATE, batchOf, Collector, cut, interleave, run, type Step } from './join-test-helpers.js';

// Rows [window_start, window_end, k, v] on both sides.
const spec = (joinType: JoinType): WindowJoinSpec => ({
  kind: 'window', joinType, leftTypes: ['TIMESTAMP', 'TIMESTAMP', 'VARCHAR', 'BIGINT'], rightTypes: ['TIMESTAMP', 'TIMESTAMP', 'VARCHAR', 'BIGINT'],
  leftKeys: [2], rightKeys: [2], leftWindow: { start: 0, end: 1 }, rightWindow: { start: 0, end: 1 },
});

type Row = [number, number, string | null, number];
const SIZE = 1000;

function bruteForce(joinType: JoinType, left: Row[], right: Row[]): string[] {
  const out: string[] = [];
  const same = (l: Row, r: Row) => l[0] === r[0] && l[1] === r[1] && l[2] !== null && l[2] === r[2];
  for (const l of left) for (const r of right) if (same(l, r)) out.push(`+I ${JSON.stringify([...l, ...r])}@${l[1]}`);
  if (joinType === 'left' || joinType === 'full') for (const l of left) if (!right.some((r) => same(l, r))) out.push(`+I ${JSON.stringify([...l, null, null, null, null])}@${l[1]}`);
  if (joinType === 'right' || joinType === 'full') for (const r of right) if (!left.some((l) => same(l, r))) out.push(`+I ${JSON.stringify([null, null, null, null, ...r])}@${r[1]}`);
  return out.sort();
}

/** Rows of tumbling windows, times out of order by up to `disorder`; each row carries its time as v. */
function randomSide(random: () => number, n: number, disorder: number): { rows: Row[]; rowtimes: number[] } {
  const rows: Row[] = [];
  const rowtimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = i * 50 - Math.floor(random() * (disorder + 1));
    const start = Math.floor(t / SIZE) * SIZE;
    rows.push([start, start + SIZE, random() < 0.05 ? null : `k${Math.floor(random() * 4)}`, t]);
    rowtimes.push(i * 50);
  }
  return { rows, rowtimes };
}

describe('WindowJoin', () => {
  it('joins rows of the same window and key when the watermark reaches the window end', () => {
    const out = new Collector();
    const op = new WindowJoin(spec('inner'), NO_LATE);
    op.processLeft(batchOf([[0, 1000, 'a', 1], [1000, 2000, 'a', 2]]), out.emit);
    op.processRight(batchOf([[0, 1000, 'a', 10], [0, 1000, 'b', 11], [1000, 2000, 'a', 12]]), out.emit);
    op.onWatermark(999, out.emit);
    expect(out.rows).toEqual([]);
    op.onWatermark(1000, out.emit);
    expect(out.rows).toEqual([{ kind: '+I', values: [0, 1000, 'a', 1, 0, 1000, 'a', 10], rowtime: 1000 }]);
    expect(op.stateRows).toBe(2);
    op.onWatermark(5000, out.emit);
    expect(out.rows.map((r) => r.values[3])).toEqual([1, 2]);
    expect(op.stateRows).toBe(0);
  });

  it('does not join rows that share the end but not the start', () => {
    const out = new Collector();
    const op = new WindowJoin(spec('full'), NO_LATE);
    op.processLeft(batchOf([[0, 2000, 'a', 1]]), out.emit);
    op.processRight(batchOf([[1000, 2000, 'a', 2]]), out.emit);
    op.onWatermark(2000, out.emit);
    expect(out.sorted()).toEqual(['+I [0,2000,"a",1,null,null,null,null]@2000', '+I [null,null,null,null,1000,2000,"a",2]@2000']);
  });

  it('keeps each outer side\'s unmatched rows, and pairs duplicates', () => {
    for (const joinType of ['left', 'right', 'full'] as const) {
      const out = new Collector();
      const op = new WindowJoin(spec(joinType), NO_LATE);
      op.processLeft(batchOf([[0, 1000, 'a', 1], [0, 1000, 'a', 1], [0, 1000, 'x', 3]]), out.emit);
      op.processRight(batchOf([[0, 1000, 'a', 5], [0, 1000, 'y', 6]]), out.emit);
      op.onWatermark(Infinity, out.emit);
      expect(out.sorted()).toEqual(bruteForce(joinType, [[0, 1000, 'a', 1], [0, 1000, 'a', 1], [0, 1000, 'x', 3]], [[0, 1000, 'a', 5], [0, 1000, 'y', 6]]));
      expect(out.rows.filter((r) => r.values[2] === 'a' && r.values[6] === 'a')).toHaveLength(2);
    }
  });

  it('reports rows of windows that already ended, and rows without window bounds', () => {
    const out = new Collector();
    const op = new WindowJoin(spec('left'), { onLate: out.onLate });
    op.onWatermark(1000, out.emit);
    op.processLeft(batchOf([[0, 1000, 'a', 1], [1000, 2000, 'a', 2], [null, null, 'a', 3]]), out.emit);
    expect(out.late.map((l) => [l.reason, l.row[3]])).toEqual([['late', 1], ['no-time', 3]]);
    op.onWatermark(Infinity, out.emit);
    expect(out.rows.map((r) => r.values[3])).toEqual([2]);
  });

  it('gives the rows the SQL defines, however the inputs are cut and interleaved', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<JoinType>('inner', 'left', 'right', 'full'), (seed, joinType) => {
      const random = mulberry32(seed);
      const l = randomSide(random, 100, 300);
      const r = randomSide(random, 100, 300);
      const expected = bruteForce(joinType, l.rows, r.rows);
      const steps = interleave(cut(l.rows, l.rowtimes, random, 8), cut(r.rows, r.rowtimes, random, 8), seed, (_s, rows) => Math.max(...rows.map((x) => x[3] as number)) - 300);
      const out = new Collector();
      const op = new WindowJoin(spec(joinType), { onLate: out.onLate });
      run(op, steps, out);
      expect(out.late).toEqual([]);
      expect(out.sorted()).toEqual(expected);
      const ends = out.rows.map((x) => x.rowtime);
      expect(ends).toEqual([...ends].sort((a, b) => a - b));
    }), { numRuns: 60, seed: 17 });
  });

  it('resumes from a snapshot taken mid-stream exactly as an uninterrupted run', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, at) => {
      const random = mulberry32(seed);
      const l = randomSide(random, 60, 200);
      const r = randomSide(random, 60, 200);
      const steps: Step[] = interleave(cut(l.rows, l.rowtimes, random, 6), cut(r.rows, r.rowtimes, random, 6), seed, (_s, rows) => Math.max(...rows.map((x) => x[3] as number)) - 200);
      const whole = new Collector();
      run(new WindowJoin(spec('full'), NO_LATE), steps, whole);
      const split = Math.floor(at * steps.length);
      const resumed = new Collector();
      const first = new WindowJoin(spec('full'), NO_LATE);
      run(first, steps.slice(0, split), resumed);
      const second = new WindowJoin(spec('full'), NO_LATE);
      second.restore(first.snapshot());
      run(second, steps.slice(split), resumed);
      expect(resumed.rows).toEqual(whole.rows);
    }), { numRuns: 30, seed: 19 });
  });
});
