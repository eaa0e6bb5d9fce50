import { describe, it, expect } from 'vitest';
import { HotspotsOperator } from '../../../src/operators/kda/hotspots.js';
import type { HotspotsSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { normal, rowsOf, runInBatches, seeded, slice } from './helpers.js';

type Result = { hotspots: { density: number; minValues: number[]; maxValues: number[] }[] };

const XY: Field[] = [{ name: 'x', type: 'DOUBLE' }, { name: 'y', type: 'DOUBLE' }, { name: 'is_hot', type: 'VARCHAR' }];

function spec(extra: Partial<HotspotsSpec> = {}, input = XY): HotspotsSpec {
  return { function: 'HOTSPOTS', input, windowSize: 1000, scanRadius: 0.2, minimumNumberOfPointsInAHotspot: 17, ...extra };
}

/**
 * The Developer Guide's HOTSPOTS data, as its Python generator makes it: points in a 10 x 10 field;
 * with probability 20% a point is drawn from a 1 x 1 hotspot instead (is_hot = 'Y'), and the
 * hotspot moves to a random place every 1,000 points.
 */
function guidePoints(n: number, seed: number): { columns: unknown[][]; spots: { left: number; top: number }[] } {
  const rand = seeded(seed);
  const columns: unknown[][] = [[], [], []];
  const spots: { left: number; top: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) spots.push({ left: rand() * 9, top: rand() * 9 });
    const spot = spots[spots.length - 1]!;
    const hot = rand() < 0.2;
    columns[0]!.push(hot ? spot.left + rand() : rand() * 10);
    columns[1]!.push(hot ? spot.top + rand() : rand() * 10);
    columns[2]!.push(hot ? 'Y' : 'N');
  }
  return { columns, spots };
}

describe('HOTSPOTS', () => {
  it('finds the Developer Guide\'s moving hotspot with its bounds and a density above the guide\'s filter', () => {
    // SELECT "x", "y", "is_hot", "HOTSPOTS_RESULT" FROM TABLE (HOTSPOTS(
    //   CURSOR(SELECT STREAM "x", "y", "is_hot" FROM "SOURCE_SQL_STREAM_001"), 1000, 0.2, 17));
    // The guide's viewer draws the hotspots whose density is at least 40.
    const { columns, spots } = guidePoints(6000, 1);
    const op = new HotspotsOperator(spec());
    expect(op.outputFields.map((f) => f.name)).toEqual(['x', 'y', 'is_hot', 'HOTSPOTS_RESULT']);
    const out = runInBatches(op, rowsOf(columns), [10], 4);
    expect(out.columns.slice(0, 3)).toEqual(columns);
    for (let block = 0; block < 6; block++) {
      // The last record of a block: the window holds exactly the points drawn around this hotspot.
      const result = JSON.parse(out.columns[3]![block * 1000 + 999] as string) as Result;
      const shown = result.hotspots.filter((h) => h.density >= 40);
      expect(shown.length).toBe(1);
      const { left, top } = spots[block]!;
      const [h] = shown;
      expect(h!.minValues[0]!).toBeGreaterThan(left - 0.2);
      expect(h!.maxValues[0]!).toBeLessThan(left + 1 + 0.2);
      expect(h!.minValues[1]!).toBeGreaterThan(top - 0.2);
      expect(h!.maxValues[1]!).toBeLessThan(top + 1 + 0.2);
      // It covers most of the true square: its sides are at least 0.8 long.
      expect(h!.maxValues[0]! - h!.minValues[0]!).toBeGreaterThan(0.8);
      expect(h!.maxValues[1]! - h!.minValues[1]!).toBeGreaterThan(0.8);
    }
  });

  it('runs the SQL Reference example on stock data without hotspots, in its JSON shape', () => {
    // SELECT "CHANGE", "PRICE", "HOTSPOTS_RESULT" FROM TABLE (HOTSPOTS(
    //   CURSOR(SELECT STREAM "CHANGE", "PRICE" FROM "SOURCE_SQL_STREAM_001"), 100, 0.013, 20));
    // The reference runs it on the demo stream, "random data without meaningful hotspots", and
    // shows a screenshot; the made-up ticks here are as random.
    const rand = seeded(2);
    const noise = normal(rand);
    const input: Field[] = [{ name: 'CHANGE', type: 'DOUBLE' }, { name: 'PRICE', type: 'DOUBLE' }];
    const columns = [Array.from({ length: 500 }, () => noise()), Array.from({ length: 500 }, () => 10 + 90 * rand())];
    const out = runInBatches(new HotspotsOperator(spec({ windowSize: 100, scanRadius: 0.013, minimumNumberOfPointsInAHotspot: 20 }, input)), rowsOf(columns), [50], 3);
    for (const text of out.columns[2] as string[]) expect(text).toBe('{"hotspots":[]}');
  });

  it('gives DBSCAN\'s clusters: core points linked within the radius, their neighbours, bounds and density', () => {
    const input: Field[] = [{ name: 'a', type: 'DOUBLE' }, { name: 'b', type: 'INTEGER' }, { name: 'label', type: 'VARCHAR' }];
    // A chain along b = 0 (a = 0, 0.5, 1, 1.5: each has its neighbours within radius 0.6), a point
    // at a = 2 within reach of the last one only (a border point), and two loners.
    const a = [0, 0.5, 1, 1.5, 2, 10, -10];
    const b = [0, 0, 0, 0, 0, 5, 5];
    const op = new HotspotsOperator(spec({ windowSize: 100, scanRadius: 0.6, minimumNumberOfPointsInAHotspot: 3 }, input));
    const out = runInBatches(op, rowsOf([a, b, a.map((_, i) => `p${i}`)]), [7], 4);
    const results = out.columns[3] as string[];
    expect(results[0]).toBe('{"hotspots":[]}');
    // Three points: 0.5 is core (0, 0.5, 1 within 0.6), the two others its neighbours.
    expect(results[2]).toBe(JSON.stringify({ hotspots: [{ density: 3 / (1 * 0.6), minValues: [0, 0], maxValues: [1, 0] }] }));
    // All five in one hotspot, the border point included; b's range is 0, floored at the radius.
    expect(results[6]).toBe(JSON.stringify({ hotspots: [{ density: 5 / (2 * 0.6), minValues: [0, 0], maxValues: [2, 0] }] }));
  });

  it('keeps only the last windowSize records, lists every hotspot densest first, and skips rows with NULL', () => {
    const input: Field[] = [{ name: 'v', type: 'DOUBLE' }];
    const values: (number | null)[] = [];
    for (let i = 0; i < 100; i++) values.push(i % 2 === 0 ? 5 + (i % 10) * 0.01 : 50 + (i % 20) * 0.1);
    values.push(null);
    for (let i = 0; i < 100; i++) values.push(100 + (i % 10) * 0.01);
    // Even rows: 5..5.08 (a hotspot 0.08 wide, its size floored at the radius 1); odd rows:
    // 50.1..51.9, 0.2 apart; after a NULL, 100 records at 100..100.09.
    const op = new HotspotsOperator(spec({ windowSize: 100, scanRadius: 1, minimumNumberOfPointsInAHotspot: 10 }, input));
    const out = (runInBatches(op, rowsOf([values]), [33], 2).columns[1] as string[]).map((t) => JSON.parse(t) as Result);
    expect(out[99]!.hotspots.map((h) => [h.minValues[0], h.maxValues[0]])).toEqual([[5, 5.08], [50.1, 51.9]]);
    expect(out[99]!.hotspots[0]!.density).toBeCloseTo(50 / 1, 9);
    expect(out[99]!.hotspots[1]!.density).toBeCloseTo(50 / 1.8, 9);
    expect(out[100]).toEqual(out[99]);
    // A hundred points near 100 later, the window holds nothing else.
    expect(out[200]!.hotspots.map((h) => [h.minValues[0], h.maxValues[0]])).toEqual([[100, 100.09]]);
    expect(out[150]!.hotspots.length).toBe(3);
  });

  it('restores mid-stream and splits batches without changing a character', () => {
    const { columns } = guidePoints(2500, 3);
    const rows = rowsOf(columns);
    const whole = runInBatches(new HotspotsOperator(spec()), rows, [2500], 4);
    expect(runInBatches(new HotspotsOperator(spec()), rows, [1, 99, 400], 4)).toEqual(whole);
    for (const cut of [500, 1700]) {
      const first = new HotspotsOperator(spec());
      const a = runInBatches(first, slice(rows, 0, cut), [300], 4);
      const second = new HotspotsOperator(spec());
      second.restore(first.snapshot());
      const b = runInBatches(second, slice(rows, cut, rows.count), [300], 4);
      expect([...a.columns[3]!, ...b.columns[3]!]).toEqual(whole.columns[3]);
    }
  });

  it('checks its parameters against the SQL Reference ranges', () => {
    expect(() => new HotspotsOperator(spec({ windowSize: 99 }))).toThrow(/windowSize must be an integer between 100 and 1000/);
    expect(() => new HotspotsOperator(spec({ windowSize: 1001 }))).toThrow(/windowSize/);
    expect(() => new HotspotsOperator(spec({ scanRadius: 0 }))).toThrow(/scanRadius must be a number greater than zero/);
    expect(() => new HotspotsOperator(spec({ minimumNumberOfPointsInAHotspot: 1 }))).toThrow(/between 2 and 1000/);
    expect(() => new HotspotsOperator(spec({ windowSize: 200, minimumNumberOfPointsInAHotspot: 201 }))).toThrow(/between 2 and 200/);
    expect(() => new HotspotsOperator(spec({}, [{ name: 'label', type: 'VARCHAR' }]))).toThrow(/no numeric column/);
  });
});
