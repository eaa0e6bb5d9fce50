import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Deduplicate, type DeduplicateSpec } from '../../src/operators/deduplicate.js';
import { RowKind, type ChangelogRows } from '../../src/operators/changelog.js';
import type { LateRow } from '../../src/operators/operator-hooks.js';
import { batchOf, changes, drive, materialize, multiset, sortedLines, type Step } from './changelog-helpers.js';

// Input rows: [k, t, v]: a key, an event time (or NULL) and a value.
const spec = (s: Partial<DeduplicateSpec>): DeduplicateSpec => ({ inputWidth: 3, keys: [0], keep: 'first', order: 'arrival', ...s });
const feed = (op: Deduplicate, rows: unknown[][]) => {
  const out: ChangelogRows[] = [];
  op.processBatch(batchOf(rows, rows.map((_, i) => i)), (r) => out.push(r));
  return changes(out).map((c) => `${c.kind} ${JSON.stringify(c.row)}`);
};

/** Deduplication by definition over the rows that were not late. */
function reference(s: DeduplicateSpec, steps: readonly Step[]): { rows: unknown[][]; late: unknown[][] } {
  let watermark = -Infinity;
  const kept = new Map<string, { row: unknown[]; time: number }>();
  const late: unknown[][] = [];
  let arrival = 0;
  for (const st of steps) {
    if ('watermark' in st) watermark = Math.max(watermark, st.watermark);
    if (!('row' in st)) continue;
    const t = s.order === 'arrival' ? arrival++ : st.row[1];
    if (typeof t !== 'number' || (s.order !== 'arrival' && s.keep === 'first' && t <= watermark)) {
      late.push([...st.row]);
      continue;
    }
    const key = JSON.stringify(st.row[0]);
    const cur = kept.get(key);
    if (!cur || (s.keep === 'first' ? t < cur.time : t >= cur.time)) kept.set(key, { row: [...st.row], time: t });
  }
  return { rows: [...kept.values()].map((k) => k.row), late };
}

describe('Deduplicate', () => {
  it('keep first by arrival: one +I per key, later rows dropped', () => {
    const op = new Deduplicate(spec({}));
    expect(feed(op, [['a', 1, 'x'], ['b', 1, 'y'], ['a', 0, 'z']])).toEqual(['+I ["a",1,"x"]', '+I ["b",1,"y"]']);
    expect(feed(op, [['a', 5, 'w']])).toEqual([]);
  });

  it('keep last by arrival: +I, then one -U/+U per key per batch, nothing when the row is the same', () => {
    const op = new Deduplicate(spec({ keep: 'last' }));
    expect(feed(op, [['a', 1, 'x'], ['a', 2, 'y'], ['b', 1, 'q']])).toEqual(['+I ["a",2,"y"]', '+I ["b",1,"q"]']);
    expect(feed(op, [['a', 3, 'z'], ['a', 4, 'w'], ['b', 1, 'q']])).toEqual(['-U ["a",2,"y"]', '+U ["a",4,"w"]']);
  });

  it('keep first by event time waits for the watermark, so an earlier row arriving later wins; late rows are reported', () => {
    const late: LateRow[] = [];
    const op = new Deduplicate(spec({ order: { time: 1 } }), { onLate: (l) => late.push(l) });
    expect(feed(op, [['a', 5, 'x'], ['a', 3, 'y'], ['a', 3, 'z'], ['b', 9, 'q']])).toEqual([]);
    const out: ChangelogRows[] = [];
    op.onWatermark(5, (r) => out.push(r));
    expect(changes(out).map((c) => c.row)).toEqual([['a', 3, 'y']]);
    expect(feed(op, [['a', 4, 'n'], ['b', 2, 'm'], ['b', null, 'o'], ['a', 8, 'p']])).toEqual([]);
    expect(late.map((l) => [l.row, l.time])).toEqual([[['a', 4, 'n'], 4], [['b', 2, 'm'], 2], [['b', null, 'o'], null]]);
    expect(() => new Deduplicate(spec({ order: { time: 1 } }))).toThrow(/onLate/);
  });

  it('keep last by event time: a later-timed row replaces, an earlier one does not', () => {
    const op = new Deduplicate(spec({ keep: 'last', order: { time: 1 } }), { onLate: () => {} });
    expect(feed(op, [['a', 5, 'x'], ['a', 3, 'y']])).toEqual(['+I ["a",5,"x"]']);
    expect(feed(op, [['a', 5, 'z']])).toEqual(['-U ["a",5,"x"]', '+U ["a",5,"z"]']);
  });

  it('expires keys untouched for ttlMs, but not a row still waiting for the watermark', () => {
    let now = 0;
    const op = new Deduplicate(spec({ order: { time: 1 }, ttlMs: 10 }), { now: () => now, onLate: () => {} });
    feed(op, [['a', 1, 'x']]);
    op.onWatermark(1, () => {});
    feed(op, [['b', 5, 'y']]);
    now = 20;
    op.expire(20);
    expect(op.keys).toBe(1);
    expect(() => op.processBatch(batchOf([['a', 1, 'x']], [0], [RowKind.Delete]), () => {})).toThrow(/insert-only/);
  });

  const specArb = fc.record({
    keep: fc.constantFrom('first' as const, 'last' as const),
    order: fc.constantFrom<DeduplicateSpec['order']>('arrival', { time: 1 }),
  }).map((s) => spec(s));
  const stepsArb = fc.array(fc.record({
    k: fc.constantFrom('a', 'b', 'c', 'd'),
    advance: fc.integer({ min: 0, max: 2 }),
    jitter: fc.integer({ min: 0, max: 4 }),
    nullTime: fc.integer({ min: 0, max: 20 }),
    v: fc.integer({ min: 0, max: 3 }),
    watermarkLag: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 2 }),
  }), { maxLength: 80 }).map((rs) => {
    const steps: Step[] = [];
    let cursor = 0;
    let max = -Infinity;
    rs.forEach((r, n) => {
      cursor += r.advance;
      const t = cursor - r.jitter;
      max = Math.max(max, t);
      steps.push({ row: [r.k, r.nullTime === 0 ? null : t, r.v], rowtime: n });
      if (r.watermarkLag !== null) steps.push({ watermark: max - r.watermarkLag });
    });
    steps.push({ watermark: Infinity });
    return steps;
  });
  const scenario = fc.record({ spec: specArb, steps: stepsArb, seed: fc.integer(), restoreAt: fc.nat() });

  it('equals deduplication by definition for any batching and after a restore; keep-first emits only +I', () => {
    fc.assert(fc.property(scenario, ({ spec: s, steps, seed, restoreAt }) => {
      const want = reference(s, steps);
      for (const opts of [{ seed, maxBatch: 1 + (seed & 7) }, { seed, maxBatch: 4, restoreAt: restoreAt % (steps.length + 1) }]) {
        const late: unknown[][] = [];
        const emitted = drive(() => new Deduplicate(s, { onLate: (l) => late.push([...l.row]) }), steps, opts);
        expect(sortedLines(materialize(emitted))).toEqual(sortedLines(multiset(want.rows)));
        if (s.order !== 'arrival') expect(late).toEqual(want.late);
        if (s.keep === 'first') expect(changes(emitted).every((c) => c.kind === '+I')).toBe(true);
      }
    }), { seed: 11, numRuns: 300 });
  });

  it('keep-last is correct after every batch, not only at the end', () => {
    fc.assert(fc.property(scenario, ({ spec: s, steps, seed }) => {
      const last = { ...s, keep: 'last' as const };
      const table = new Map<string, number>();
      let applied = 0;
      drive(() => new Deduplicate(last, { onLate: () => {} }), steps, {
        seed, maxBatch: 5,
        check: (emitted, done) => {
          materialize(emitted.slice(applied), table);
          applied = emitted.length;
          expect(sortedLines(table)).toEqual(sortedLines(multiset(reference(last, steps.slice(0, done)).rows)));
        },
      });
    }), { seed: 12, numRuns: 200 });
  });
});
