import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { WindowAggregate } from '../../src/operators/window-aggregate.js';
import type { OutputRows } from '../../src/operators/operator.js';

function planFor(sql: string) {
  const engine = new Engine();
  engine.execute(`CREATE STREAM s (ts TIMESTAMP, k VARCHAR, v BIGINT, WATERMARK FOR ts AS ts); CREATE STREAM o AS ${sql};`);
  const plan = engine.runnersOf('s')[0]!.plan;
  void engine.close();
  return plan;
}

describe('WindowAggregate', () => {
  const plan = planFor(`SELECT window_start, k, COUNT(*) AS n, SUM(v) AS total, COUNT(DISTINCT v) AS d, MAX(k) AS mk FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k`);
  const partial = (rows: [number, string, number, number][]) => ({
    count: rows.length,
    starts: rows.map((r) => r[0]),
    ends: rows.map((r) => r[0] + 10_000),
    keys: rows.map((r) => [r[1]]),
    states: rows.map((r) => [r[2], r[3], r[2], JSON.stringify([r[3]]), r[1]]),
  });

  it('holds state per open window only, and snapshot + restore resumes exactly', () => {
    const out: OutputRows[] = [];
    const a = new WindowAggregate(plan);
    a.processBatch(partial([[0, 'x', 2, 5], [0, 'y', 1, 7], [10_000, 'x', 1, 1]]), (r) => out.push(r));
    expect(a.openGroups).toBe(3);
    a.onWatermark(10_000, (r) => out.push(r));
    expect(a.openGroups).toBe(1);
    expect(out[0]!.columns).toEqual([[0, 0], ['x', 'y'], [2, 1], [5, 7], [1, 1], ['x', 'y']]);

    const b = new WindowAggregate(plan);
    b.restore(a.snapshot());
    expect(b.openGroups).toBe(1);
    expect(b.watermark).toBe(10_000);
    const fromA: OutputRows[] = [];
    const fromB: OutputRows[] = [];
    for (const [op, sink] of [[a, fromA], [b, fromB]] as const) {
      op.processBatch(partial([[10_000, 'x', 3, 4]]), (r) => sink.push(r));
      op.onWatermark(Infinity, (r) => sink.push(r));
    }
    expect(fromB).toEqual(fromA);
    expect(fromA[0]!.columns).toEqual([[10_000], ['x'], [4], [5], [2], ['x']]);
    expect(b.openGroups).toBe(0);
  });

  it('reuses slots, so state does not grow with closed windows', () => {
    const a = new WindowAggregate(plan);
    for (let w = 0; w < 200; w++) {
      a.processBatch(partial(Array.from({ length: 50 }, (_, i) => [w * 10_000, `k${i}`, 1, i] as [number, string, number, number])), () => {});
      a.onWatermark((w + 1) * 10_000, () => {});
    }
    expect(a.openGroups).toBe(0);
    expect(a.stateBytes()).toBeLessThan(50 * 200);
  });

  it('tells when a partial would land in a window the watermark has closed', () => {
    const a = new WindowAggregate(plan);
    a.onWatermark(20_000, () => {});
    expect(a.wouldBeLate(partial([[10_000, 'x', 1, 1]]))).toBe(true);
    expect(a.wouldBeLate(partial([[20_000, 'x', 1, 1]]))).toBe(false);
  });
});
