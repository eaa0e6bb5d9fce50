import { describe, it, expect } from 'vitest';
import { VarianceStore, type VarianceKind } from '../../../src/operators/aggregates/variance.js';
import { ExpAvgStore } from '../../../src/operators/aggregates/exp-avg.js';
import { FirstLastStore } from '../../../src/operators/aggregates/first-last.js';
import type { AccumulatorStore } from '../../../src/operators/aggregates/accumulator.js';

/** Adds values to slot 0 of a fresh store, split into partial states at `cuts`, and merges them into another store. */
function mergedResult(make: () => AccumulatorStore, values: unknown[], cuts: number[]): unknown {
  const total = make();
  total.grow(1);
  total.clear(0);
  let from = 0;
  for (const to of [...cuts, values.length]) {
    const part = make();
    part.grow(1);
    part.clear(0);
    for (const v of values.slice(from, to)) part.add(0, v);
    // A partial state crosses threads as JSON-able values.
    total.mergeState(0, JSON.parse(JSON.stringify(part.state(0))) as unknown[]);
    from = to;
  }
  return total.result(0);
}

function oneStore(make: () => AccumulatorStore, values: unknown[]): AccumulatorStore {
  const s = make();
  s.grow(1);
  s.clear(0);
  for (const v of values) s.add(0, v);
  return s;
}

const XS = [4, 8, null, 15, 16, 23, 42, 1e9 + 0.5, 1e9 + 1.5];

/** Equal within a relative 1e-12 (the values reach 1e17). */
function near(got: unknown, want: number): void {
  expect(Math.abs((got as number) - want) / Math.abs(want)).toBeLessThan(1e-12);
}

function exact(kind: VarianceKind, xs: number[]): number | null {
  const n = xs.length;
  const sample = kind.endsWith('SAMP');
  if (n === 0 || (sample && n < 2)) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (sample ? n - 1 : n);
  return kind.startsWith('STDDEV') ? Math.sqrt(v) : v;
}

describe('VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP', () => {
  for (const kind of ['VAR_POP', 'VAR_SAMP', 'STDDEV_POP', 'STDDEV_SAMP'] as const) {
    it(`${kind}: one pass, partial states merged in any split, and retraction agree with the two-pass formula`, () => {
      const nums = XS.filter((x): x is number => x !== null);
      const want = exact(kind, nums)!;
      const make = () => new VarianceStore(kind);
      near(oneStore(make, XS).result(0), want);
      for (const cuts of [[1], [3, 4], [2, 5, 7], [0, 9]]) near(mergedResult(make, XS, cuts), want);
      const s = oneStore(make, [...XS, 99, -7]);
      s.retract!(0, 99);
      s.retract!(0, -7);
      s.retract!(0, null);
      near(s.result(0), want);
    });
  }

  it('is NULL without values, and the sample forms NULL with one', () => {
    expect(oneStore(() => new VarianceStore('VAR_POP'), [null]).result(0)).toBeNull();
    expect(oneStore(() => new VarianceStore('VAR_SAMP'), [5]).result(0)).toBeNull();
    expect(oneStore(() => new VarianceStore('VAR_POP'), [5]).result(0)).toBe(0);
    expect(mergedResult(() => new VarianceStore('STDDEV_SAMP'), [null, 1, 3], [1, 2])).toBe(Math.SQRT2);
  });
});

describe('EXP_AVG', () => {
  const half = 10_000;
  /** The weighted average against the latest time, computed directly. */
  function direct(rows: [number, number][]): number {
    const latest = Math.max(...rows.map(([, t]) => t));
    const w = rows.map(([, t]) => 2 ** (-(latest - t) / half));
    return rows.reduce((a, [x], i) => a + x * w[i]!, 0) / w.reduce((a, b) => a + b, 0);
  }

  it('weights a value one half-life older by half, whatever the order and split of the rows', () => {
    expect(oneStore(() => new ExpAvgStore(half), [[10, 0], [40, 10_000]]).result(0)).toBeCloseTo((10 * 0.5 + 40) / 1.5, 12);
    const rows: [number, number][] = Array.from({ length: 40 }, (_, i) => [(i * 37) % 11, 1_700_000_000_000 + ((i * 7919) % 40) * 1500]);
    const want = direct(rows);
    expect(oneStore(() => new ExpAvgStore(half), rows).result(0) as number).toBeCloseTo(want, 10);
    for (const cuts of [[5], [10, 11, 30], [39]]) expect(mergedResult(() => new ExpAvgStore(half), rows, cuts) as number).toBeCloseTo(want, 10);
    const s = oneStore(() => new ExpAvgStore(half), [...rows, [1000, rows[0]![1]]]);
    s.retract!(0, [1000, rows[0]![1]]);
    expect(s.result(0) as number).toBeCloseTo(want, 8);
    expect(oneStore(() => new ExpAvgStore(half), [null]).result(0)).toBeNull();
  });
});

describe('FIRST_VALUE and LAST_VALUE', () => {
  const rows: [unknown, number][] = [['b', 2], ['a', 1], ['c', 3], [null, 3], ['d', 1]];

  it('take the earliest and the latest ROWTIME; ties go to the row that came first or last', () => {
    expect(oneStore(() => new FirstLastStore(false, 'VARCHAR'), rows).result(0)).toBe('a');
    expect(oneStore(() => new FirstLastStore(true, 'VARCHAR'), rows).result(0)).toBeNull();
    expect(oneStore(() => new FirstLastStore(true, 'VARCHAR'), rows.slice(0, 3)).result(0)).toBe('c');
  });

  it('merge partial states in arrival order to the same result as one pass', () => {
    for (const last of [false, true]) {
      const make = () => new FirstLastStore(last, 'VARCHAR');
      const want = oneStore(make, rows).result(0);
      for (const cuts of [[1], [2, 3], [1, 2, 3, 4]]) expect(mergedResult(make, rows, cuts)).toBe(want);
    }
  });

  it('give booleans back as booleans after crossing threads', () => {
    expect(mergedResult(() => new FirstLastStore(false, 'BOOLEAN'), [[true, 5], [false, 6]], [1])).toBe(true);
    expect(mergedResult(() => new FirstLastStore(true, 'BOOLEAN'), [[true, 5], [false, 6]], [1])).toBe(false);
  });
});
