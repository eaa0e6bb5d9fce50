import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OverAggregate, type OverAggregateSpec, type OverCallSpec } from '../../src/operators/over-aggregate.js';
import type { LateRow } from '../../src/operators/operator-hooks.js';
import { batchOf, changes, drive, type Step } from './changelog-helpers.js';
import { overReference } from './over-reference.js';

// Input rows: [k, t, x, s]: a key, the time, an integer (or NULL) and a string (or NULL).
const base = { inputWidth: 4, partitionBy: [0], orderBy: 1 } as const;
const rowsOf = (op: OverAggregate, steps: Step[], late: LateRow[] = []) => {
  void late;
  return changes(drive(() => op, steps, { maxBatch: 100 })).map((c) => c.row);
};
const b4 = (rows: unknown[][], rowtimes: number[]) => batchOf(rows.map((r) => [...r, ...new Array<null>(4 - r.length).fill(null)]), rowtimes);
const row = (k: unknown, t: number, x: unknown, s: unknown = null): Step => ({ row: [k, t, x, s], rowtime: t });

describe('OverAggregate', () => {
  it('ROWS 2 PRECEDING: SUM, MIN, MAX, FIRST_VALUE, LAG in time order once the watermark passes', () => {
    const late: LateRow[] = [];
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'rows', preceding: 2 }, calls: [
      { fn: 'SUM', arg: 2 }, { fn: 'MIN', arg: 2 }, { fn: 'MAX', arg: 2 }, { fn: 'FIRST_VALUE', arg: 2 }, { fn: 'LAG', arg: 2, offset: 1, default: -1 },
    ] }, { onLate: (l) => late.push(l) });
    const out: unknown[][] = [];
    op.processBatch(b4([['a', 3, 30], ['a', 1, 10], ['b', 2, 5], ['a', 2, 20]], [3, 1, 2, 2]), (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(out).toEqual([]);
    expect(op.pending).toBe(4);
    op.onWatermark(2, (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(out).toEqual([
      ['a', 1, 10, null, 10, 10, 10, 10, -1],
      ['b', 2, 5, null, 5, 5, 5, 5, -1],
      ['a', 2, 20, null, 30, 10, 20, 10, 10],
    ]);
    op.processBatch(b4([['a', 2, 99], ['a', 5, 40]], [9, 9]), () => {});
    expect(late.map((l) => [l.row, l.time, l.watermark])).toEqual([[['a', 2, 99, null], 2, 2]]);
    op.onWatermark(10, (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(out.slice(3)).toEqual([
      ['a', 3, 30, null, 60, 10, 30, 10, 20],
      ['a', 5, 40, null, 90, 20, 40, 20, 30],
    ]);
  });

  it('RANGE: peers share one frame and one value; rows an interval old leave it', () => {
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'range', precedingMs: 10 }, calls: [
      { fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: 2 }, { fn: 'LAST_VALUE', arg: 2 }, { fn: 'COUNT_DISTINCT', arg: 3 },
    ] }, { onLate: () => {} });
    const rows = rowsOf(op, [row('a', 0, 1, 'p'), row('a', 5, 2, 'q'), row('a', 5, 3, 'p'), row('a', 15, 4, 'p'), row('a', 16, 5, null), { watermark: Infinity }]);
    expect(rows).toEqual([
      ['a', 0, 1, 'p', 1, 1, 1, 1],
      ['a', 5, 2, 'q', 3, 6, 3, 2],
      ['a', 5, 3, 'p', 3, 6, 3, 2],
      ['a', 15, 4, 'p', 3, 9, 4, 2],
      ['a', 16, 5, null, 2, 9, 5, 1],
    ]);
  });

  it('drops a RANGE partition once the watermark has emptied its frame', () => {
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'range', precedingMs: 10 }, calls: [{ fn: 'SUM', arg: 2 }] }, { onLate: () => {} });
    const steps: Step[] = [];
    for (let k = 0; k < 100; k++) steps.push(row(`k${k}`, k, 1));
    steps.push({ watermark: 50 });
    rowsOf(op, steps);
    expect(op.partitions).toBe(10);
    op.onWatermark(108, () => {});
    expect(op.partitions).toBe(1);
    op.onWatermark(109, () => {});
    expect(op.partitions).toBe(0);
  });

  it('keeps ROWS frames to n + 1 rows per partition', () => {
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'rows', preceding: 3 }, calls: [{ fn: 'SUM', arg: 2 }, { fn: 'MAX', arg: 2 }] }, { onLate: () => {} });
    const steps: Step[] = [];
    for (let t = 0; t < 5000; t++) steps.push(row('a', t, 5000 - t));
    steps.push({ watermark: Infinity });
    const rows = rowsOf(op, steps);
    expect(rows.at(-1)).toEqual(['a', 4999, 1, null, 10, 4]);
    const snap = JSON.parse(new TextDecoder().decode(op.snapshot())) as { parts: unknown[][] };
    expect((snap.parts[0]![5] as number[]).length).toBe(4);
  });

  it('LEAD holds each row until n more rows of its partition are processed; end of input gives the default', () => {
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'rows', preceding: null }, calls: [{ fn: 'LEAD', arg: 2, offset: 2, default: 0 }, { fn: 'ROW_NUMBER', arg: null }] }, { onLate: () => {} });
    const out: unknown[][] = [];
    const sink = (r: Parameters<Parameters<OverAggregate['processBatch']>[1]>[0]) => out.push(...changes([r]).map((c) => c.row));
    op.processBatch(b4([['a', 1, 10], ['a', 2, 20], ['b', 2, 7], ['a', 3, 30]], [1, 2, 2, 3]), sink);
    op.onWatermark(3, sink);
    expect(out).toEqual([['a', 1, 10, null, 30, 1]]);
    op.onWatermark(Infinity, sink);
    expect(out.slice(1)).toEqual([['a', 2, 20, null, 0, 2], ['b', 2, 7, null, 0, 1], ['a', 3, 30, null, 0, 3]]);
  });

  it('arrival order: no holding, a row sees the peers before it, and a time behind its partition counts as its latest', () => {
    const op = new OverAggregate({ ...base, orderBy: 'rowtime', time: 'arrival', frame: { kind: 'range', precedingMs: 60_000 }, calls: [{ fn: 'COUNT_STAR', arg: null }, { fn: 'RANK', arg: null }] });
    const out: unknown[][] = [];
    op.processBatch(b4([['a', 0, 1], ['a', 0, 2], ['a', 0, 3]], [1000, 1000, 61_000]), (r) => out.push(...changes([r]).map((c) => c.row)));
    op.processBatch(b4([['a', 0, 4, null]], [500]), (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(out).toEqual([['a', 0, 1, null, 1, 1], ['a', 0, 2, null, 2, 1], ['a', 0, 3, null, 3, 3], ['a', 0, 4, null, 4, 3]]);
  });

  it('reports rows without a time as late instead of dropping them', () => {
    const late: LateRow[] = [];
    const op = new OverAggregate({ ...base, time: 'event', frame: { kind: 'rows', preceding: 1 }, calls: [{ fn: 'COUNT_STAR', arg: null }] }, { onLate: (l) => late.push(l) });
    op.processBatch(b4([['a', null, 1, null]], [5]), () => {});
    expect(late).toEqual([{ row: ['a', null, 1, null], rowtime: 5, time: null, watermark: -Infinity }]);
    expect(() => new OverAggregate({ ...base, time: 'event', frame: { kind: 'rows', preceding: 1 }, calls: [] })).toThrow(/onLate/);
  });

  it('expires partitions untouched for ttlMs, emitting rows held for LEAD', () => {
    let now = 0;
    const op = new OverAggregate({ ...base, time: 'arrival', frame: { kind: 'rows', preceding: 5 }, calls: [{ fn: 'LEAD', arg: 2 }], ttlMs: 100 }, { now: () => now });
    const out: unknown[][] = [];
    op.processBatch(b4([['a', 1, 1], ['b', 1, 2]], [1, 1]), () => {});
    now = 50;
    op.processBatch(b4([['b', 2, 3, null]], [2]), (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(out).toEqual([['b', 1, 2, null, 3]]);
    op.expire(120, (r) => out.push(...changes([r]).map((c) => c.row)));
    expect(op.partitions).toBe(1);
    expect(out.slice(1)).toEqual([['a', 1, 1, null, null]]);
  });

  it('frees each expired partition once, so new partitions never share accumulator state', () => {
    let now = 0;
    const op = new OverAggregate({ ...base, orderBy: 'rowtime', time: 'arrival', frame: { kind: 'range', precedingMs: 10 }, calls: [{ fn: 'SUM', arg: 2 }, { fn: 'LEAD', arg: 2 }], ttlMs: 5 }, { now: () => now });
    const out: unknown[][] = [];
    const sink = (r: Parameters<Parameters<OverAggregate['processBatch']>[1]>[0]) => out.push(...changes([r]).map((c) => c.row));
    op.processBatch(b4([['a', 0, 1], ['b', 0, 2]], [0, 0]), sink);
    op.onWatermark(100, sink);
    now = 10;
    op.expire(10, sink);
    expect(op.partitions).toBe(0);
    op.processBatch(b4([['c', 0, 10], ['d', 0, 20], ['e', 0, 30], ['f', 0, 40], ['c', 0, 5], ['d', 0, 6]], [200, 200, 200, 200, 201, 201]), sink);
    op.onWatermark(Infinity, sink);
    expect(out.map((r) => [r[0], r[4]])).toEqual([['a', 1], ['b', 2], ['c', 10], ['d', 20], ['e', 30], ['f', 40], ['c', 15], ['d', 26]]);
  });

  describe('equals OVER by definition over random input, however it is batched or restored', () => {
    const callArb: fc.Arbitrary<OverCallSpec> = fc.oneof(
      fc.constantFrom<OverCallSpec>(
        { fn: 'COUNT_STAR', arg: null }, { fn: 'COUNT', arg: 2 }, { fn: 'SUM', arg: 2 }, { fn: 'AVG', arg: 2 },
        { fn: 'MIN', arg: 2 }, { fn: 'MAX', arg: 3 }, { fn: 'MIN', arg: 3 }, { fn: 'MAX', arg: 2 }, { fn: 'COUNT_DISTINCT', arg: 2 },
        { fn: 'FIRST_VALUE', arg: 2 }, { fn: 'LAST_VALUE', arg: 3 }, { fn: 'ROW_NUMBER', arg: null }, { fn: 'RANK', arg: null }, { fn: 'DENSE_RANK', arg: null },
      ),
      fc.record({ fn: fc.constantFrom('LAG' as const, 'LEAD' as const), arg: fc.constant(2), offset: fc.integer({ min: 0, max: 3 }), default: fc.constantFrom(null, -1) }),
    );
    const specArb = fc.record({
      time: fc.constantFrom('event' as const, 'arrival' as const),
      frame: fc.oneof(
        fc.record({ kind: fc.constant('rows' as const), preceding: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }) }),
        fc.record({ kind: fc.constant('range' as const), precedingMs: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }) }),
      ),
      calls: fc.array(callArb, { minLength: 1, maxLength: 5 }),
      partitionBy: fc.constantFrom([0], [], [0, 3]),
    }).map((s): OverAggregateSpec => ({ inputWidth: 4, orderBy: 1, ...s }));
    const stepsArb = (time: 'event' | 'arrival') => fc.array(fc.record({
      advance: fc.integer({ min: 0, max: 2 }),
      jitter: fc.integer({ min: 0, max: 4 }),
      k: fc.constantFrom('a', 'b', 'c'),
      x: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null, freq: 6 }),
      s: fc.option(fc.constantFrom('p', 'q', 'r'), { nil: null, freq: 6 }),
      watermarkLag: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 2 }),
    }), { maxLength: 70 }).map((rs) => {
      const steps: Step[] = [];
      let cursor = 0;
      let max = -Infinity;
      for (const r of rs) {
        cursor += r.advance;
        const t = time === 'event' ? cursor - r.jitter : cursor;
        max = Math.max(max, t);
        steps.push({ row: [r.k, t, r.x, r.s], rowtime: t });
        if (r.watermarkLag !== null) steps.push({ watermark: max - r.watermarkLag });
      }
      steps.push({ watermark: Infinity });
      return steps;
    });
    const scenario = specArb.chain((spec) => fc.record({ spec: fc.constant(spec), steps: stepsArb(spec.time), seed: fc.integer(), restoreAt: fc.nat() }));

    it('matches the reference and reports the same late rows', () => {
      fc.assert(fc.property(scenario, ({ spec, steps, seed }) => {
        const late: unknown[][] = [];
        const got = changes(drive(() => new OverAggregate(spec, { onLate: (l) => late.push([...l.row]) }), steps, { seed, maxBatch: 1 + (seed & 7) })).map((c) => c.row);
        const want = overReference(spec, steps);
        const hasLead = spec.calls.some((c) => c.fn === 'LEAD');
        const norm = (rows: unknown[][]) => (hasLead ? rows.map((r) => JSON.stringify(r)).sort() : rows.map((r) => JSON.stringify(r)));
        expect(norm(got)).toEqual(norm(want.rows));
        expect(late).toEqual(want.late);
      }), { seed: 20261125, numRuns: 400 });
    });

    it('gives the same rows for any batching and after a snapshot and restore mid-stream', () => {
      fc.assert(fc.property(scenario, ({ spec, steps, seed, restoreAt }) => {
        const make = () => new OverAggregate(spec, { onLate: () => {} });
        const whole = changes(drive(make, steps, { maxBatch: 1000 }));
        expect(changes(drive(make, steps, { seed, maxBatch: 3 }))).toEqual(whole);
        expect(changes(drive(make, steps, { seed, maxBatch: 5, restoreAt: restoreAt % (steps.length + 1) }))).toEqual(whole);
      }), { seed: 42, numRuns: 300 });
    });

    it('holds no partition state after end of input when the frame can empty', () => {
      fc.assert(fc.property(scenario, ({ spec, steps }) => {
        const op = new OverAggregate({ ...spec, time: 'event', frame: { kind: 'range', precedingMs: 3 }, calls: spec.calls.filter((c) => ['SUM', 'MIN', 'MAX', 'COUNT_DISTINCT', 'FIRST_VALUE', 'LEAD'].includes(c.fn)) }, { onLate: () => {} });
        drive(() => op, steps);
        expect(op.partitions).toBe(0);
        expect(op.pending).toBe(0);
      }), { seed: 7, numRuns: 100 });
    });
  });
});
