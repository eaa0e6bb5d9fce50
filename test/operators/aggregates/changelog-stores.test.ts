import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RetractableMinMaxStore } from '../../../src/operators/aggregates/retractable-min-max.js';
import { RetractableCountDistinctStore } from '../../../src/operators/aggregates/retractable-count-distinct.js';
import { ExtremeStore } from '../../../src/operators/aggregates/extreme.js';
import { MonotonicDeque } from '../../../src/operators/aggregates/monotonic-deque.js';
import { compareValues } from '../../../src/operators/kernels/sort-order.js';
import { TimeHeap } from '../../../src/operators/kernels/time-heap.js';
import { decodeState, encodeState } from '../../../src/operators/state-codec.js';

const extreme = (vals: unknown[], max: boolean): unknown =>
  vals.length === 0 ? null : vals.reduce((a, v) => ((max ? compareValues(v, a) > 0 : compareValues(v, a) < 0) ? v : a));

describe('stores for changelog input', () => {
  const ops = fc.array(fc.record({ retract: fc.boolean(), v: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null, freq: 6 }), slot: fc.integer({ min: 0, max: 2 }) }), { maxLength: 60 });

  it('retractable MIN/MAX and COUNT(DISTINCT) equal a recount of the live values, and their states merge back', () => {
    fc.assert(fc.property(ops, fc.boolean(), (steps, max) => {
      const mm = new RetractableMinMaxStore(max);
      const cd = new RetractableCountDistinctStore();
      const live: unknown[][] = [[], [], []];
      for (const s of [mm, cd]) [0, 1, 2].forEach((slot) => s.clear(slot));
      for (const { retract, v, slot } of steps) {
        const vals = live[slot]!;
        if (retract) {
          const at = vals.indexOf(v);
          if (at < 0 || v === null) continue;
          vals.splice(at, 1);
          mm.retract(slot, v);
          cd.retract(slot, v);
        } else {
          if (v !== null) vals.push(v);
          mm.add(slot, v);
          cd.add(slot, v);
        }
        expect(mm.result(slot)).toBe(extreme(vals, max));
        expect(cd.result(slot)).toBe(new Set(vals).size);
      }
      const mm2 = new RetractableMinMaxStore(max);
      const cd2 = new RetractableCountDistinctStore();
      for (const slot of [0, 1, 2]) {
        mm2.mergeState(slot, mm.state(slot));
        cd2.mergeState(slot, cd.state(slot));
        mm2.retract(slot, live[slot]![0]);
        mm.retract(slot, live[slot]![0]);
        expect(mm2.result(slot)).toBe(mm.result(slot));
        expect(cd2.result(slot)).toBe(cd.result(slot));
      }
    }), { seed: 1, numRuns: 300 });
  });

  it('ExtremeStore keeps MIN/MAX over strings and numbers without a type', () => {
    const s = new ExtremeStore(false);
    s.clear(0);
    for (const v of ['m', null, 'b', 'x']) s.add(0, v);
    expect(s.result(0)).toBe('b');
    const t = new ExtremeStore(true);
    t.clear(0);
    t.mergeState(0, s.state(0));
    t.add(0, 'a');
    expect(t.result(0)).toBe('b');
  });

  it('a monotonic deque answers MIN/MAX of a sliding window', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 9 }), { nil: null, freq: 5 }), { maxLength: 100 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (vals, size, max) => {
      const d = new MonotonicDeque(max);
      vals.forEach((v, seq) => {
        d.push(seq, v);
        if (seq >= size) d.evict(seq - size);
        const window = vals.slice(Math.max(0, seq - size + 1), seq + 1).filter((x) => x !== null);
        expect(d.front()).toBe(extreme(window, max));
      });
    }), { seed: 2, numRuns: 300 });
  });
});

describe('kernels', () => {
  it('the time heap pops in (time, seq) order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), fc.integer({ min: 0, max: 20 }), (times, upTo) => {
      const h = new TimeHeap<number>();
      times.forEach((t, seq) => h.push(t, seq, seq));
      const popped: number[] = [];
      h.popUpTo(upTo, (_t, _s, v) => popped.push(v));
      const want = times.map((t, seq) => [t, seq] as const).filter(([t]) => t <= upTo).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, s]) => s);
      expect(popped).toEqual(want);
      expect(h.size).toBe(times.length - want.length);
    }), { seed: 3, numRuns: 200 });
  });

  it('snapshots carry non-finite numbers', () => {
    const state = { watermark: -Infinity, v: [Infinity, NaN, 1.5, null, 'x', { $num: 'not a tag', other: 1 }] };
    expect(decodeState(encodeState(state))).toEqual(state);
  });
});
