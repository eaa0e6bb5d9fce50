import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { WindowRank, type WindowRankSpec } from '../../src/operators/window-rank.js';
import { RowKind, type ChangelogRows } from '../../src/operators/changelog.js';
import type { LateRow } from '../../src/operators/operator-hooks.js';
import { batchOf, changes, drive, multiset, sortedLines, type Step } from './changelog-helpers.js';
import { topN } from './rank-reference.js';

// Input rows: [window_start, window_end, k, v]: the window, a partition key and a score.
const spec = (s: Partial<WindowRankSpec> = {}): WindowRankSpec => ({
  inputWidth: 4, windowStart: 0, windowEnd: 1, partitionBy: [2], orderBy: [{ column: 3, descending: true }], fn: 'ROW_NUMBER', limit: 2, outputRank: true, ...s,
});

describe('WindowRank', () => {
  it('emits each window top N once, as +I, when the watermark reaches the window end; late rows are reported', () => {
    const late: LateRow[] = [];
    const op = new WindowRank(spec(), { onLate: (l) => late.push(l) });
    const out: ChangelogRows[] = [];
    op.processBatch(batchOf([[10, 20, 'a', 1], [0, 10, 'a', 5], [0, 10, 'b', 2], [0, 10, 'a', 7], [0, 10, 'a', 6], [10, 20, 'a', 3]], [1, 2, 3, 4, 5, 6]));
    op.onWatermark(9, (r) => out.push(r));
    expect(out).toEqual([]);
    op.onWatermark(10, (r) => out.push(r));
    expect(changes(out).map((c) => [c.kind, c.row, c.rowtime])).toEqual([
      ['+I', [0, 10, 'a', 7, 1], 4], ['+I', [0, 10, 'a', 6, 2], 5], ['+I', [0, 10, 'b', 2, 1], 3],
    ]);
    expect(op.openWindows).toBe(1);
    op.processBatch(batchOf([[0, 10, 'a', 99]], [7]));
    expect(late.map((l) => [l.row, l.time, l.watermark])).toEqual([[[0, 10, 'a', 99], 10, 10]]);
    op.onWatermark(Infinity, (r) => out.push(r));
    expect(changes(out).slice(3).map((c) => c.row)).toEqual([[10, 20, 'a', 3, 1], [10, 20, 'a', 1, 2]]);
    expect(op.openWindows).toBe(0);
    expect(() => op.processBatch(batchOf([[0, 10, 'a', 1]], [0], [RowKind.Delete]))).toThrow(/insert-only/);
    expect(() => new WindowRank(spec())).toThrow(/onLate/);
  });

  const scenario = fc.record({
    fn: fc.constantFrom('ROW_NUMBER' as const, 'RANK' as const, 'DENSE_RANK' as const),
    limit: fc.integer({ min: 1, max: 3 }),
    outputRank: fc.boolean(),
    hop: fc.boolean(),
    rows: fc.array(fc.record({
      advance: fc.integer({ min: 0, max: 3 }), jitter: fc.integer({ min: 0, max: 6 }),
      k: fc.constantFrom('a', 'b'), v: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null, freq: 6 }),
      watermarkLag: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null, freq: 3 }),
    }), { maxLength: 80 }),
    seed: fc.integer(),
    restoreAt: fc.nat(),
  });

  it('equals Top-N per window by definition, emits only closed windows, and does not depend on batching or a restore', () => {
    fc.assert(fc.property(scenario, ({ fn, limit, outputRank, hop, rows, seed, restoreAt }) => {
      const s = spec({ fn, limit, outputRank });
      const steps: Step[] = [];
      const expected: unknown[][] = [];
      let cursor = 0;
      let max = -Infinity;
      let watermark = -Infinity;
      rows.forEach((r, n) => {
        cursor += r.advance;
        const t = cursor - r.jitter;
        max = Math.max(max, t);
        // Tumbling windows of 5, or hopping windows of 10 every 5 (each row in two windows).
        const starts = hop ? [Math.floor(t / 5) * 5 - 5, Math.floor(t / 5) * 5] : [Math.floor(t / 5) * 5];
        for (const start of starts) {
          const row = [start, start + (hop ? 10 : 5), r.k, r.v];
          steps.push({ row, rowtime: n });
          if (start + (hop ? 10 : 5) > watermark) expected.push(row);
        }
        if (r.watermarkLag !== null) {
          watermark = Math.max(watermark, max - r.watermarkLag);
          steps.push({ watermark: max - r.watermarkLag });
        }
      });
      steps.push({ watermark: Infinity });
      const want = topN({ ...s, inputRetracts: false, partitionBy: [0, 1, 2] }, expected);
      const make = () => new WindowRank(s, { onLate: () => {} });
      let wm = -Infinity;
      const whole = drive(make, steps, { maxBatch: 1000 });
      expect(sortedLines(multiset(changes(whole).map((c) => c.row)))).toEqual(sortedLines(multiset(want)));
      expect(changes(drive(make, steps, { seed, maxBatch: 1 + (seed & 7) }))).toEqual(changes(whole));
      expect(changes(drive(make, steps, { seed, maxBatch: 3, restoreAt: restoreAt % (steps.length + 1) }))).toEqual(changes(whole));
      let seen = 0;
      drive(make, steps, {
        check: (emitted, done) => {
          const step = steps[done - 1]!;
          if ('watermark' in step) wm = Math.max(wm, step.watermark);
          for (const c of changes(emitted.slice(seen))) expect(c.row[1] as number).toBeLessThanOrEqual(wm);
          seen = emitted.length;
        },
      });
    }), { seed: 17, numRuns: 300 });
  });
});
