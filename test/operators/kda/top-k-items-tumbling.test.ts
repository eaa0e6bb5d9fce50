import { describe, it, expect } from 'vitest';
import type { ChangelogRows } from '../../../src/operators/changelog.js';
import { TopKItemsTumblingOperator } from '../../../src/operators/kda/top-k-items-tumbling.js';
import type { TopKItemsTumblingSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { concat, rowsOf, seeded, slice } from './helpers.js';

const STOCK: Field[] = [{ name: 'TICKER_SYMBOL', type: 'VARCHAR' }, { name: 'SECTOR', type: 'VARCHAR' }, { name: 'CHANGE', type: 'DOUBLE' }, { name: 'PRICE', type: 'DOUBLE' }];
const T0 = Date.UTC(2018, 2, 19, 10, 0, 0);

function spec(extra: Partial<TopKItemsTumblingSpec> = {}, input = STOCK): TopKItemsTumblingSpec {
  return { function: 'TOP_K_ITEMS_TUMBLING', input, columnName: 'TICKER_SYMBOL', k: 5, windowSize: 60, ...extra };
}

/** Stock ticks, one every `stepMs`, the ticker drawn with weight 1/(rank+1) among `tickers`. */
function ticks(n: number, seed: number, tickers: string[], stepMs: number): ChangelogRows {
  const rand = seeded(seed);
  const weights = tickers.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = rand() * total;
    for (let i = 0; i < tickers.length; i++) if ((r -= weights[i]!) < 0) return tickers[i]!;
    return tickers[tickers.length - 1]!;
  };
  const symbols = Array.from({ length: n }, pick);
  return rowsOf([symbols, symbols.map(() => 'TECHNOLOGY'), symbols.map(() => rand() - 0.5), symbols.map(() => 10 + 90 * rand())], symbols.map((_, i) => T0 + i * stepMs));
}

/** Feeds batches, moving the watermark to each batch's last ROWTIME; then closes everything. */
function run(op: TopKItemsTumblingOperator, rows: ChangelogRows, size: number): ChangelogRows {
  const out: ChangelogRows[] = [];
  for (let at = 0; at < rows.count; at += size) {
    const batch = slice(rows, at, Math.min(rows.count, at + size));
    op.processBatch(batch, (r) => out.push(r));
    op.onWatermark(batch.rowtimes[batch.count - 1]!, (r) => out.push(r));
  }
  op.onWatermark(Infinity, (r) => out.push(r));
  return concat(out, 2);
}

function exactTop(rows: ChangelogRows, column: number, sizeMs: number, k: number): [unknown, number, number][] {
  const windows = new Map<number, Map<unknown, number>>();
  rows.columns[column]!.forEach((v, i) => {
    const end = Math.floor(rows.rowtimes[i]! / sizeMs) * sizeMs + sizeMs;
    const counts = windows.get(end) ?? windows.set(end, new Map()).get(end)!;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  });
  return [...windows].sort((a, b) => a[0] - b[0]).flatMap(([end, counts]) =>
    [...counts].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1)).slice(0, k).map(([item, n]) => [item, n, end] as [unknown, number, number]));
}

const table = (out: ChangelogRows) => out.rowtimes.map((t, i) => [out.columns[0]![i], out.columns[1]![i], t]);

describe('TOP_K_ITEMS_TUMBLING', () => {
  it('runs the SQL Reference example: the five most frequent tickers per minute, as GROUP BY and ORDER BY give them', () => {
    // SELECT STREAM * FROM TABLE (TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
    //   'TICKER_SYMBOL', 5, 60));  -- into ("TICKER_SYMBOL" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT)
    // The reference shows a screenshot of the demo stream; this is stock data of the same shape.
    const tickers = ['AMZN', 'NFLX', 'WAS', 'QXZ', 'TGH', 'PPL', 'ALY', 'CRM', 'SAC', 'BFH', 'IOP', 'JYB'];
    const rows = ticks(3000, 1, tickers, 70);
    const op = new TopKItemsTumblingOperator(spec());
    expect(op.outputFields).toEqual([{ name: 'ITEM', type: 'VARCHAR' }, { name: 'ITEM_COUNT', type: 'BIGINT' }]);
    const out = run(op, rows, 250);
    expect(table(out)).toEqual(exactTop(rows, 0, 60_000, 5));
    expect(new Set(out.rowtimes)).toEqual(new Set([T0 + 60_000, T0 + 120_000, T0 + 180_000, T0 + 240_000]));
    expect(out.ops).toBeUndefined();
  });

  it('runs the Developer Guide example: five tickers drawn evenly, all five counted per window', () => {
    // TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER', 5, 60)
    const rand = seeded(2);
    const tickers = ['AAPL', 'AMZN', 'MSFT', 'INTC', 'TBV'];
    const input: Field[] = [{ name: 'EVENT_TIME', type: 'TIMESTAMP' }, { name: 'TICKER', type: 'VARCHAR' }, { name: 'PRICE', type: 'DOUBLE' }];
    const n = 1200;
    const times = Array.from({ length: n }, (_, i) => T0 + i * 100);
    const rows = rowsOf([times, times.map(() => tickers[Math.floor(rand() * 5)]), times.map(() => Math.round(rand() * 10000) / 100)], times);
    const out = run(new TopKItemsTumblingOperator(spec({ columnName: 'TICKER' }, input)), rows, 64);
    expect(table(out)).toEqual(exactTop(rows, 1, 60_000, 5));
    expect((out.columns[1] as number[]).reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('finds heavy hitters among more distinct values than it has counters, counts never below the truth', () => {
    // 60,000 rows in one window: three values take 5%, 4% and 3% of them, the rest are spread over
    // 40,000 distinct values (K = 3, so 1,000 counters).
    const rand = seeded(3);
    const values = Array.from({ length: 60_000 }, () => {
      const r = rand();
      return r < 0.05 ? 'heavy-a' : r < 0.09 ? 'heavy-b' : r < 0.12 ? 'heavy-c' : `v${Math.floor(rand() * 40_000)}`;
    });
    const rows = rowsOf([values], values.map(() => T0));
    const out = run(new TopKItemsTumblingOperator(spec({ columnName: 'v', k: 3 }, [{ name: 'v', type: 'VARCHAR' }])), rows, 5000);
    expect(out.columns[0]).toEqual(['heavy-a', 'heavy-b', 'heavy-c']);
    const truth = (item: string) => values.filter((v) => v === item).length;
    (out.columns[0] as string[]).forEach((item, i) => {
      const counted = out.columns[1]![i] as number;
      expect(counted).toBeGreaterThanOrEqual(truth(item));
      expect(counted - truth(item)).toBeLessThanOrEqual(60_000 / 1000);
    });
  });

  it('emits a window only when the watermark reaches its end, and keeps late rows for error_stream', () => {
    const input: Field[] = [{ name: 'k', type: 'INTEGER' }];
    const op = new TopKItemsTumblingOperator(spec({ columnName: 'k', k: 2, windowSize: 10 }, input));
    const emitted: ChangelogRows[] = [];
    op.processBatch(rowsOf([[1, 1, 2, 3, null, null, null]], [T0, T0 + 1, T0 + 2, T0 + 10_000, T0 + 3, T0 + 4, T0 + 5]), (r) => emitted.push(r));
    expect(op.openWindows).toBe(2);
    op.onWatermark(T0 + 9_999, (r) => emitted.push(r));
    expect(emitted).toEqual([]);
    op.onWatermark(T0 + 10_000, (r) => emitted.push(r));
    // NULL is an item, as GROUP BY groups it; ITEM keeps the column's type.
    expect(table(concat(emitted, 2))).toEqual([[null, 3, T0 + 10_000], [1, 2, T0 + 10_000]]);
    op.processBatch(rowsOf([[7]], [T0 + 500]), () => {});
    expect(op.takeLateRows()).toEqual({ count: 1, columns: [[7]], rowtimes: [T0 + 500] });
    expect(op.takeLateRows()).toBeNull();
    expect(op.openWindows).toBe(1);
  });

  it('restores mid-window and splits batches without changing its output', () => {
    const rows = ticks(4000, 4, Array.from({ length: 3000 }, (_, i) => `T${i}`), 40);
    const s = spec({ k: 20 });
    const whole = run(new TopKItemsTumblingOperator(s), rows, 4000);
    expect(run(new TopKItemsTumblingOperator(s), rows, 7)).toEqual(whole);
    const first = new TopKItemsTumblingOperator(s);
    const out: ChangelogRows[] = [];
    for (const [from, to] of [[0, 1000], [1000, 2222]]) {
      first.processBatch(slice(rows, from!, to!), (r) => out.push(r));
      first.onWatermark(rows.rowtimes[to! - 1]!, (r) => out.push(r));
    }
    const second = new TopKItemsTumblingOperator(s);
    second.restore(first.snapshot());
    const rest = run(second, slice(rows, 2222, rows.count), 500);
    expect(concat([...out, rest], 2)).toEqual(whole);
  });

  it('checks its parameters against the SQL Reference ranges and finds the column', () => {
    expect(() => new TopKItemsTumblingOperator(spec({ k: 0 }))).toThrow(/K must be an integer between 1 and 100000/);
    expect(() => new TopKItemsTumblingOperator(spec({ k: 100_001 }))).toThrow(/K must be/);
    expect(() => new TopKItemsTumblingOperator(spec({ windowSize: 0 }))).toThrow(/windowSize must be an integer between 1 and 3600/);
    expect(() => new TopKItemsTumblingOperator(spec({ windowSize: 3601 }))).toThrow(/windowSize/);
    expect(() => new TopKItemsTumblingOperator(spec({ columnName: 'TICKER' }))).toThrow(/no column 'TICKER' \(it has TICKER_SYMBOL, SECTOR, CHANGE, PRICE\)/);
    expect(new TopKItemsTumblingOperator(spec({ columnName: 'ticker_symbol' })).outputFields[0]).toEqual({ name: 'ITEM', type: 'VARCHAR' });
    expect(new TopKItemsTumblingOperator(spec({ columnName: 'PRICE' })).outputFields[0]).toEqual({ name: 'ITEM', type: 'DOUBLE' });
  });
});
