import { describe, it, expect } from 'vitest';
import type { ChangelogRows } from '../../../src/operators/changelog.js';
import { CountDistinctItemsTumblingOperator, DistinctCounter, EXACT_DISTINCT_LIMIT } from '../../../src/operators/kda/count-distinct-items-tumbling.js';
import { HyperLogLog } from '../../../src/operators/kda/hyperloglog.js';
import type { CountDistinctItemsTumblingSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { concat, rowsOf, seeded, slice } from './helpers.js';

const STOCK: Field[] = [{ name: 'TICKER_SYMBOL', type: 'VARCHAR' }, { name: 'SECTOR', type: 'VARCHAR' }, { name: 'CHANGE', type: 'DOUBLE' }, { name: 'PRICE', type: 'DOUBLE' }];
const T0 = Date.UTC(2018, 2, 19, 10, 0, 0);

function spec(extra: Partial<CountDistinctItemsTumblingSpec> = {}, input = STOCK): CountDistinctItemsTumblingSpec {
  return { function: 'COUNT_DISTINCT_ITEMS_TUMBLING', input, columnName: 'TICKER_SYMBOL', windowSize: 60, ...extra };
}

function run(op: CountDistinctItemsTumblingOperator, rows: ChangelogRows, size: number): ChangelogRows {
  const out: ChangelogRows[] = [];
  for (let at = 0; at < rows.count; at += size) {
    const batch = slice(rows, at, Math.min(rows.count, at + size));
    op.processBatch(batch, (r) => out.push(r));
    op.onWatermark(batch.rowtimes[batch.count - 1]!, (r) => out.push(r));
  }
  op.onWatermark(Infinity, (r) => out.push(r));
  return concat(out, 1);
}

/** One window holding `distinct` distinct values, each seen one to three times, in seeded order. */
function oneWindow(distinct: number, seed: number): ChangelogRows {
  const rand = seeded(seed);
  const values: string[] = [];
  for (let i = 0; i < distinct; i++) {
    const copies = 1 + Math.floor(rand() * 3);
    for (let c = 0; c < copies; c++) values.push(`review-${seed}-${i}`);
  }
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return rowsOf([values], values.map((_, i) => T0 + (i % 50_000)));
}

function countOf(distinct: number, seed: number): number {
  const out = run(new CountDistinctItemsTumblingOperator(spec({ columnName: 'v' }, [{ name: 'v', type: 'VARCHAR' }])), oneWindow(distinct, seed), 10_000);
  expect(out.count).toBe(1);
  return out.columns[0]![0] as number;
}

describe('COUNT_DISTINCT_ITEMS_TUMBLING', () => {
  it('runs the SQL Reference example: distinct tickers per minute, one row per window at its end', () => {
    // SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
    //   'TICKER_SYMBOL', 60));  -- into (NUMBER_OF_DISTINCT_ITEMS BIGINT)
    // The reference's screenshot shows four windows of the demo stream with 47 tickers each; here
    // four minutes of ticks cycle through 47 tickers.
    const tickers = Array.from({ length: 47 }, (_, i) => `T${String.fromCharCode(65 + (i % 26))}${i}`);
    const n = 4 * 600;
    const times = Array.from({ length: n }, (_, i) => T0 + i * 100);
    const rows = rowsOf([times.map((_, i) => tickers[i % 47]), times.map(() => 'TECHNOLOGY'), times.map(() => 0.5), times.map(() => 50)], times);
    const op = new CountDistinctItemsTumblingOperator(spec());
    expect(op.outputFields).toEqual([{ name: 'NUMBER_OF_DISTINCT_ITEMS', type: 'BIGINT' }]);
    const out = run(op, rows, 128);
    expect(out.columns).toEqual([[47, 47, 47, 47]]);
    expect(out.rowtimes).toEqual([1, 2, 3, 4].map((m) => T0 + m * 60_000));
  });

  it('is exact up to 10,000 distinct values in a window', () => {
    expect(EXACT_DISTINCT_LIMIT).toBe(10_000);
    for (const n of [1, 999, 9_999, 10_000]) expect(countOf(n, n)).toBe(n);
  });

  it('estimates past 10,000 within HyperLogLog\'s error (2^16 registers: 0.41% standard error)', () => {
    // The reference's own example of the error: 100,000 distinct items may come out as 99,700.
    const errors: number[] = [];
    for (const [n, seed] of [[10_001, 1], [25_000, 2], [100_000, 3], [100_000, 4], [100_000, 5], [400_000, 6]] as const) {
      const error = (countOf(n, seed) - n) / n;
      expect(Math.abs(error)).toBeLessThan(0.015);
      errors.push(Math.abs(error));
    }
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(0.006);
  });

  it('counts values, not rows, ignores NULL, and keeps late rows for error_stream', () => {
    const op = new CountDistinctItemsTumblingOperator(spec({ columnName: 'n', windowSize: 1 }, [{ name: 'n', type: 'BIGINT' }]));
    const out: ChangelogRows[] = [];
    op.processBatch(rowsOf([[1, 1, 2, null, 2.5, 1]], [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 999, T0 + 1000]), (r) => out.push(r));
    op.onWatermark(T0 + 1000, (r) => out.push(r));
    expect(concat(out, 1)).toEqual({ count: 1, columns: [[3]], rowtimes: [T0 + 1000] });
    op.processBatch(rowsOf([[9]], [T0 + 10]), () => {});
    expect(op.takeLateRows()).toEqual({ count: 1, columns: [[9]], rowtimes: [T0 + 10] });
    expect(op.openWindows).toBe(1);
  });

  it('restores exact and sketched windows mid-stream, and splits batches without changing its output', () => {
    const rand = seeded(7);
    const n = 60_000;
    // Two windows of 30 s: the first with ~25,000 distinct values (a sketch), the second ~3,000 (exact).
    const values = Array.from({ length: n }, (_, i) => (i < 30_000 ? `a${Math.floor(rand() * 60_000)}` : `b${Math.floor(rand() * 3_000)}`));
    const rows = rowsOf([values], values.map((_, i) => T0 + i));
    const s = spec({ columnName: 'v', windowSize: 30 }, [{ name: 'v', type: 'VARCHAR' }]);
    const whole = run(new CountDistinctItemsTumblingOperator(s), rows, n);
    expect(run(new CountDistinctItemsTumblingOperator(s), rows, 777)).toEqual(whole);
    for (const cut of [20_000, 45_000]) {
      const first = new CountDistinctItemsTumblingOperator(s);
      const before: ChangelogRows[] = [];
      first.processBatch(slice(rows, 0, cut), (r) => before.push(r));
      first.onWatermark(rows.rowtimes[cut - 1]!, (r) => before.push(r));
      const second = new CountDistinctItemsTumblingOperator(s);
      second.restore(first.snapshot());
      const after = run(second, slice(rows, cut, n), 5000);
      expect(concat([...before, after], 1)).toEqual(whole);
    }
  });

  it('checks windowSize against the SQL Reference range and finds the column', () => {
    expect(() => new CountDistinctItemsTumblingOperator(spec({ windowSize: 0 }))).toThrow(/windowSize must be an integer between 1 and 3600/);
    expect(() => new CountDistinctItemsTumblingOperator(spec({ windowSize: 3601 }))).toThrow(/windowSize/);
    expect(() => new CountDistinctItemsTumblingOperator(spec({ columnName: 'column1' }))).toThrow(/no column 'column1'/);
  });
});

describe('HyperLogLog', () => {
  it('estimates from a handful to millions without a switch in method', () => {
    for (const n of [1, 10, 1000, 50_000, 1_000_000]) {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.add(`item:${i}`);
      const estimate = h.estimate();
      expect(Math.abs(estimate - n) / n).toBeLessThan(n < 100 ? 0.05 : 0.015);
    }
  });

  it('a counter turned into a sketch counts what the set held', () => {
    const c = new DistinctCounter();
    for (let i = 0; i <= EXACT_DISTINCT_LIMIT; i++) c.add(`k${i}`);
    const restored = DistinctCounter.fromJson(JSON.parse(JSON.stringify(c.toJson())));
    expect(restored.count()).toBe(c.count());
    expect(Math.abs(c.count() - (EXACT_DISTINCT_LIMIT + 1))).toBeLessThan(150);
  });
});
