import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Rank, type RankSpec } from '../../src/operators/rank.js';
import { RowKind, type ChangelogRows } from '../../src/operators/changelog.js';
import { batchOf, changes, drive, materialize, multiset, sortedLines, type Step } from './changelog-helpers.js';
import { liveRows, topN } from './rank-reference.js';

// Input rows: [k, v, s]: a partition key, a score (or NULL) and a tie-breaking string.
const spec = (s: Partial<RankSpec>): RankSpec => ({
  inputWidth: 3, partitionBy: [0], orderBy: [{ column: 1, descending: true }], fn: 'ROW_NUMBER', limit: 2, outputRank: true, inputRetracts: false, ...s,
});
const feed = (op: Rank, rows: unknown[][], kinds?: RowKind[]) => {
  const out: ChangelogRows[] = [];
  op.processBatch(batchOf(rows, rows.map(() => 0), kinds), (r) => out.push(r));
  return changes(out).map((c) => `${c.kind} ${JSON.stringify(c.row)}`);
};

describe('Rank (Top-N)', () => {
  it('insert-only, ROW_NUMBER with rank numbers: positions change as -U/+U, a row pushed out as -D', () => {
    const op = new Rank(spec({}));
    expect(feed(op, [['a', 5, 'x']])).toEqual(['+I ["a",5,"x",1]']);
    expect(feed(op, [['a', 7, 'y']])).toEqual(['-U ["a",5,"x",1]', '+U ["a",7,"y",1]', '+I ["a",5,"x",2]']);
    expect(feed(op, [['a', 6, 'z']])).toEqual(['-U ["a",5,"x",2]', '+U ["a",6,"z",2]']);
    expect(feed(op, [['a', 6, 'w'], ['a', 1, 'v']])).toEqual([]);
    expect(op.rowsHeld).toBe(2);
  });

  it('insert-only without rank numbers: +I when a row enters, -D when it leaves; one change per row per batch', () => {
    const op = new Rank(spec({ outputRank: false }));
    expect(feed(op, [['a', 5, 'x'], ['a', 7, 'y'], ['a', 6, 'z'], ['b', 1, 'q']])).toEqual(['+I ["a",7,"y"]', '+I ["a",6,"z"]', '+I ["b",1,"q"]']);
    expect(feed(op, [['a', 9, 'n']])).toEqual(['-D ["a",6,"z"]', '+I ["a",9,"n"]']);
  });

  it('RANK and DENSE_RANK keep every tie inside the limit', () => {
    const rank = new Rank(spec({ fn: 'RANK', limit: 2 }));
    expect(feed(rank, [['a', 5, 'x'], ['a', 5, 'y'], ['a', 5, 'z'], ['a', 4, 'w']])).toEqual(['+I ["a",5,"x",1]', '+I ["a",5,"y",1]', '+I ["a",5,"z",1]']);
    expect(feed(rank, [['a', 6, 'v']])).toEqual(['-U ["a",5,"x",1]', '+U ["a",6,"v",1]', '-U ["a",5,"y",1]', '+U ["a",5,"x",2]', '-U ["a",5,"z",1]', '+U ["a",5,"y",2]', '+I ["a",5,"z",2]']);
    const dense = new Rank(spec({ fn: 'DENSE_RANK', limit: 2, outputRank: false }));
    expect(feed(dense, [['a', 5, 'x'], ['a', 5, 'y'], ['a', 4, 'z'], ['a', 4, 'w'], ['a', 3, 'v']])).toEqual(['+I ["a",5,"x"]', '+I ["a",5,"y"]', '+I ["a",4,"z"]', '+I ["a",4,"w"]']);
    expect(dense.rowsHeld).toBe(4);
  });

  it('orders NULL as Flink does by default: lowest, so last when descending and first when ascending', () => {
    const desc = new Rank(spec({ limit: 1, outputRank: false }));
    expect(feed(desc, [['a', null, 'x'], ['a', 1, 'y']])).toEqual(['+I ["a",1,"y"]']);
    const asc = new Rank(spec({ limit: 1, outputRank: false, orderBy: [{ column: 1 }] }));
    expect(feed(asc, [['a', 1, 'y'], ['a', null, 'x']])).toEqual(['+I ["a",null,"x"]']);
    const ascLast = new Rank(spec({ limit: 1, outputRank: false, orderBy: [{ column: 1, nullsFirst: false }] }));
    expect(feed(ascLast, [['a', null, 'x'], ['a', 1, 'y']])).toEqual(['+I ["a",1,"y"]']);
  });

  it('retracting input: a deleted top row lets the next live row in', () => {
    const op = new Rank(spec({ inputRetracts: true, limit: 1 }));
    expect(feed(op, [['a', 5, 'x'], ['a', 7, 'y'], ['a', 6, 'z']])).toEqual(['+I ["a",7,"y",1]']);
    expect(feed(op, [['a', 7, 'y'], ['a', 4, 'n']], [RowKind.UpdateBefore, RowKind.UpdateAfter])).toEqual(['-U ["a",7,"y",1]', '+U ["a",6,"z",1]']);
    expect(feed(op, [['a', 6, 'z'], ['a', 5, 'x'], ['a', 4, 'n']], [RowKind.Delete, RowKind.Delete, RowKind.Delete])).toEqual(['-D ["a",6,"z",1]']);
    expect(op.partitions).toBe(0);
    expect(() => new Rank(spec({})).processBatch(batchOf([['a', 1, 'x']], [0], [RowKind.Delete]), () => {})).toThrow(/inputRetracts/);
  });

  it('expires partitions untouched for ttlMs', () => {
    let now = 0;
    const op = new Rank(spec({ ttlMs: 100 }), { now: () => now });
    feed(op, [['a', 1, 'x'], ['b', 1, 'x']]);
    now = 60;
    feed(op, [['b', 0, 'y']]);
    op.expire(100);
    expect(op.partitions).toBe(1);
    op.expire(160);
    expect(op.partitions).toBe(0);
  });

  describe('the applied changelog equals Top-N by definition after every batch', () => {
    const specArb = fc.record({
      fn: fc.constantFrom('ROW_NUMBER' as const, 'RANK' as const, 'DENSE_RANK' as const),
      limit: fc.integer({ min: 1, max: 4 }),
      outputRank: fc.boolean(),
      inputRetracts: fc.boolean(),
      partitionBy: fc.constantFrom([0], []),
      orderBy: fc.constantFrom(
        [{ column: 1 }], [{ column: 1, descending: true }], [{ column: 1, nullsFirst: false }],
        [{ column: 1, descending: true }, { column: 2 }], [{ column: 2, descending: true }, { column: 1 }],
      ),
    }).map((s): RankSpec => ({ inputWidth: 3, ...s }));
    const actions = fc.array(fc.record({
      retract: fc.integer({ min: 0, max: 9 }),
      pick: fc.nat(),
      k: fc.constantFrom('a', 'b'),
      v: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null, freq: 6 }),
      s: fc.constantFrom('p', 'q', 'r'),
      update: fc.boolean(),
    }), { maxLength: 80 });
    const toSteps = (spec: RankSpec, acts: typeof actions extends fc.Arbitrary<infer T> ? T : never): Step[] => {
      const live: unknown[][] = [];
      const steps: Step[] = [];
      acts.forEach((a, n) => {
        const row = [a.k, a.v, a.s];
        if (spec.inputRetracts && a.retract < 3 && live.length > 0) {
          const [old] = live.splice(a.pick % live.length, 1);
          steps.push({ row: old!, rowtime: n, kind: a.update ? RowKind.UpdateBefore : RowKind.Delete });
          if (a.update) {
            live.push(row);
            steps.push({ row, rowtime: n, kind: RowKind.UpdateAfter });
          }
        } else {
          live.push(row);
          steps.push({ row, rowtime: n });
        }
      });
      return steps;
    };
    const scenario = specArb.chain((spec) => fc.record({ spec: fc.constant(spec), acts: actions, seed: fc.integer(), restoreAt: fc.nat() }));

    it('for any batching', () => {
      fc.assert(fc.property(scenario, ({ spec, acts, seed }) => {
        const steps = toSteps(spec, acts);
        const op = new Rank(spec);
        const table = new Map<string, number>();
        let applied = 0;
        drive(() => op, steps, {
          seed, maxBatch: 1 + (seed & 7),
          check: (emitted, done) => {
            materialize(emitted.slice(applied), table);
            applied = emitted.length;
            expect(sortedLines(table)).toEqual(sortedLines(multiset(topN(spec, liveRows(steps.slice(0, done))))));
          },
        });
        if (!spec.inputRetracts && spec.fn === 'ROW_NUMBER') expect(op.rowsHeld).toBeLessThanOrEqual(spec.limit * 2);
      }), { seed: 99, numRuns: 400 });
    });

    it('after a snapshot and restore mid-stream', () => {
      fc.assert(fc.property(scenario, ({ spec, acts, seed, restoreAt }) => {
        const steps = toSteps(spec, acts);
        const emitted = drive(() => new Rank(spec), steps, { seed, maxBatch: 4, restoreAt: restoreAt % (steps.length + 1) });
        expect(sortedLines(materialize(emitted))).toEqual(sortedLines(multiset(topN(spec, liveRows(steps)))));
      }), { seed: 5, numRuns: 200 });
    });
  });
});
