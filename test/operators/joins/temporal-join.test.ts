import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TemporalJoin } from '../../../src/operators/joins/temporal-join.js';
import type { TemporalJoinSpec } from '../../../src/operators/joins/join-specs.js';
import { RowKind } from '../../../src/operators/changelog.js';
import { mulberry32 } from '../../../bench/clickstream.js';
import { NO_LATE, batchOf, Collector, run, type Step } from './join-test-helpers.js';

// Probe (orders) rows [order_id, currency, t]; versioned (rates) rows [currency, rate, t].
const spec = (joinType: 'inner' | 'left'): TemporalJoinSpec => ({
  kind: 'temporal', joinType, leftTypes: ['BIGINT', 'VARCHAR', 'TIMESTAMP'], rightTypes: ['VARCHAR', 'DOUBLE', 'TIMESTAMP'],
  leftKeys: [1], rightKeys: [0], leftTime: 2, rightTime: 2,
});
const I = RowKind.Insert;
const UB = RowKind.UpdateBefore;
const UA = RowKind.UpdateAfter;
const D = RowKind.Delete;

const rates = (rows: [string, number, number, RowKind][]): Step => ({ side: 'right', batch: batchOf(rows.map((r) => [r[0], r[1], r[2]]), rows.map((r) => r[2]), rows.map((r) => r[3])) });
const orders = (rows: [number, string | null, number][]): Step => ({ side: 'left', batch: batchOf(rows, rows.map((r) => r[2])) });

describe('TemporalJoin', () => {
  it('pairs each probe row with the version in force at its time, once the watermark passes it', () => {
    const out = new Collector();
    const op = new TemporalJoin(spec('left'), NO_LATE);
    run(op, [
      rates([['EUR', 1.1, 1000, I], ['EUR', 1.1, 5000, UB], ['EUR', 1.2, 5000, UA], ['USD', 1.0, 2000, I]]),
      orders([[1, 'EUR', 999], [2, 'EUR', 1000], [3, 'EUR', 4999], [4, 'EUR', 5000], [5, 'USD', 7000], [6, 'GBP', 7000]]),
      { watermark: 5000 },
    ], out);
    expect(out.rows.map((r) => `${r.values[0]}:${String(r.values[4])}`)).toEqual(['1:null', '2:1.1', '3:1.1']);
    run(op, [{ watermark: 7001 }], out);
    expect(out.rows.map((r) => `${r.values[0]}:${String(r.values[4])}@${r.rowtime}`).slice(3)).toEqual(['4:1.2@5000', '5:1@7000', '6:null@7000']);
  });

  it('a deletion ends a key\'s versions: INNER drops the probe row, LEFT pads it', () => {
    for (const joinType of ['inner', 'left'] as const) {
      const out = new Collector();
      run(new TemporalJoin(spec(joinType), NO_LATE), [
        rates([['EUR', 1.1, 1000, I], ['EUR', 1.1, 3000, D], ['EUR', 1.3, 6000, I]]),
        orders([[1, 'EUR', 2000], [2, 'EUR', 4000], [3, 'EUR', 6000]]),
        { watermark: Infinity },
      ], out);
      expect(out.rows.map((r) => `${r.values[0]}:${String(r.values[4])}`)).toEqual(joinType === 'inner' ? ['1:1.1', '3:1.3'] : ['1:1.1', '2:null', '3:1.3']);
    }
  });

  it('keeps the probe row\'s kind on the output', () => {
    const out = new Collector();
    run(new TemporalJoin(spec('inner'), NO_LATE), [
      rates([['EUR', 1.1, 0, I]]),
      { side: 'left', batch: batchOf([[1, 'EUR', 10], [1, 'EUR', 10]], [10, 10], [I, D]) },
      { watermark: 11 },
    ], out);
    expect(out.rows.map((r) => r.kind)).toEqual(['+I', '-D']);
  });

  it('purges versions the watermark has passed, keeping the one in force at it', () => {
    const op = new TemporalJoin(spec('inner'), NO_LATE);
    const out = new Collector();
    for (let t = 0; t < 100; t++) run(op, [rates([['EUR', t, t * 1000, t === 0 ? I : UA]]), { watermark: t * 1000 - 500 }], out);
    expect(op.stateRows).toBeLessThanOrEqual(2);
    run(op, [orders([[1, 'EUR', 98_600]]), { watermark: 99_500 }], out);
    expect(out.rows.map((r) => r.values[4])).toEqual([98]);
  });

  it('reports late probe rows, and late changes (which it still applies)', () => {
    const out = new Collector();
    const op = new TemporalJoin(spec('left'), { onLate: out.onLate });
    run(op, [rates([['EUR', 1.1, 1000, I]]), { watermark: 5000 }, orders([[1, 'EUR', 4000], [2, 'EUR', null as unknown as number]]), rates([['EUR', 1.2, 4500, UA]]), orders([[3, 'EUR', 6000]]), { watermark: Infinity }], out);
    expect(out.late.map((l) => `${l.side}:${l.reason}:${String(l.row[0])}`)).toEqual(['left:late:1', 'left:no-time:2', 'right:late:EUR']);
    expect(out.rows.map((r) => `${r.values[0]}:${String(r.values[4])}`)).toEqual(['3:1.2']);
  });

  it('gives the rows the SQL defines, in the same order however the inputs are cut and interleaved', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<'inner' | 'left'>('inner', 'left'), (seed, joinType) => {
      const random = mulberry32(seed);
      const changes: [string, number, number, RowKind][] = [];
      for (let i = 0; i < 80; i++) changes.push([`c${Math.floor(random() * 3)}`, i, i * 100 - Math.floor(random() * 300), random() < 0.15 ? D : UA]);
      const probes: [number, string | null, number][] = [];
      for (let i = 0; i < 80; i++) probes.push([i, random() < 0.05 ? null : `c${Math.floor(random() * 4)}`, i * 100 - Math.floor(random() * 300)]);
      const expected = probes
        .map((p, seq) => ({ p, seq }))
        .sort((a, b) => a.p[2] - b.p[2] || a.seq - b.seq)
        .flatMap(({ p }) => {
          let best: [string, number, number, RowKind] | undefined;
          for (const c of changes) if (c[0] === p[1] && c[2] <= p[2] && (!best || c[2] >= best[2])) best = c;
          if (best && best[3] !== D) return [JSON.stringify([...p, best[0], best[1], best[2]])];
          return joinType === 'left' ? [JSON.stringify([...p, null, null, null])] : [];
        });
      const sequences: string[][] = [];
      for (const variant of [3, 9]) {
        const steps: Step[] = [];
        const wm = { left: -Infinity, right: -Infinity };
        let ci = 0;
        let pi = 0;
        while (ci < changes.length || pi < probes.length) {
          const n = 1 + Math.floor(random() * variant);
          if (pi >= probes.length || (ci < changes.length && random() < 0.5)) {
            const part = changes.slice(ci, (ci += n));
            steps.push(rates(part));
            wm.right = Math.max(wm.right, ...part.map((c) => c[2] - 300));
          } else {
            const part = probes.slice(pi, (pi += n));
            steps.push(orders(part));
            wm.left = Math.max(wm.left, ...part.map((p) => p[2] - 300));
          }
          steps.push({ watermark: Math.min(wm.left, wm.right) });
        }
        steps.push({ watermark: Infinity });
        const out = new Collector();
        run(new TemporalJoin(spec(joinType), { onLate: out.onLate }), steps, out);
        expect(out.late).toEqual([]);
        sequences.push(out.rows.map((r) => JSON.stringify(r.values)));
      }
      expect(sequences[0]).toEqual(expected);
      expect(sequences[1]).toEqual(expected);
    }), { numRuns: 60, seed: 23 });
  });

  it('resumes from a snapshot taken mid-stream exactly as an uninterrupted run', () => {
    const steps: Step[] = [];
    const random = mulberry32(99);
    for (let i = 0; i < 60; i++) {
      steps.push(rates([[`c${i % 3}`, i, i * 100, random() < 0.2 ? D : UA]]), orders([[i, `c${Math.floor(random() * 3)}`, i * 100 + 50]]), { watermark: i * 100 - 200 });
    }
    steps.push({ watermark: Infinity });
    const whole = new Collector();
    run(new TemporalJoin(spec('left'), NO_LATE), steps, whole);
    for (const split of [1, 40, 100, 170]) {
      const resumed = new Collector();
      const first = new TemporalJoin(spec('left'), NO_LATE);
      run(first, steps.slice(0, split), resumed);
      const second = new TemporalJoin(spec('left'), NO_LATE);
      second.restore(first.snapshot());
      run(second, steps.slice(split), resumed);
      expect(resumed.rows).toEqual(whole.rows);
    }
  });
});
