import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { GroupAggregate, type AggregateCallSpec, type GroupAggregateSpec } from '../../src/operators/group-aggregate.js';
import { RowKind, type ChangelogRows } from '../../src/operators/changelog.js';
import { compareValues } from '../../src/operators/kernels/sort-order.js';
import { batchOf, changes, drive, materialize, multiset, sortedLines, type Step } from './changelog-helpers.js';
import { liveRows } from './rank-reference.js';

// Input rows: [k, v, s, f]: a key, a number (or NULL), a string (or NULL) and a BOOLEAN filter column.
const feed = (op: GroupAggregate, rows: unknown[][], kinds?: RowKind[]) => {
  const out: ChangelogRows[] = [];
  op.processBatch(batchOf(rows, rows.map(() => 7), kinds), (r) => out.push(r));
  return changes(out).map((c) => `${c.kind} ${JSON.stringify(c.row)}`);
};
const I = RowKind.Insert;
const D = RowKind.Delete;

/** GROUP BY by definition over the live rows. */
function reference(spec: GroupAggregateSpec, rows: readonly unknown[][], having?: (r: readonly unknown[]) => boolean): unknown[][] {
  const groups = new Map<string, unknown[][]>();
  for (const r of rows) {
    const key = JSON.stringify(spec.keys.map((k) => r[k] ?? null));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: unknown[][] = [];
  for (const [key, members] of groups) {
    const row = [...(JSON.parse(key) as unknown[]), ...spec.calls.map((c) => aggregate(c, members))];
    if (!having || having(row)) out.push(row);
  }
  return out;
}

function aggregate(c: AggregateCallSpec, members: readonly unknown[][]): unknown {
  const rows = members.filter((r) => c.filter === undefined || r[c.filter] === true);
  const vals = rows.map((r) => (c.arg === null ? null : r[c.arg] ?? null)).filter((v) => v !== null);
  switch (c.fn) {
    case 'COUNT_STAR': return rows.length;
    case 'COUNT': return vals.length;
    case 'SUM': return vals.length ? vals.reduce((a: number, v) => a + (v as number), 0) : null;
    case 'AVG': return vals.length ? vals.reduce((a: number, v) => a + (v as number), 0) / vals.length : null;
    case 'MIN': return vals.length ? vals.reduce((a, v) => (compareValues(v, a) < 0 ? v : a)) : null;
    case 'MAX': return vals.length ? vals.reduce((a, v) => (compareValues(v, a) > 0 ? v : a)) : null;
    case 'COUNT_DISTINCT': return new Set(vals).size;
  }
}

describe('GroupAggregate', () => {
  const spec: GroupAggregateSpec = { keys: [0], inputRetracts: true, calls: [
    { fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: 1 }, { fn: 'MAX', arg: 1 }, { fn: 'MIN', arg: 2 }, { fn: 'COUNT_DISTINCT', arg: 1, filter: 3 },
  ] };

  it('+I for a new group, -U/+U once per changed group per batch, -D when its rows are all retracted', () => {
    const op = new GroupAggregate(spec);
    expect(feed(op, [['a', 5, 'x', true], ['a', 7, 'y', false], ['b', 1, null, true]])).toEqual([
      '+I ["a",2,12,7,"x",1]', '+I ["b",1,1,1,null,1]',
    ]);
    expect(feed(op, [['a', 7, 'y', false], ['a', 9, 'w', true], ['b', 1, null, true]], [D, I, D])).toEqual([
      '-U ["a",2,12,7,"x",1]', '+U ["a",2,14,9,"w",2]', '-D ["b",1,1,1,null,1]',
    ]);
    expect(op.groupCount).toBe(1);
  });

  it('emits nothing when a batch leaves a group as it was', () => {
    const op = new GroupAggregate(spec);
    feed(op, [['a', 5, 'x', true]]);
    expect(feed(op, [['a', 3, 'q', true], ['a', 3, 'q', true]], [I, D])).toEqual([]);
  });

  it('MAX and MIN find the next extreme when the current one is retracted', () => {
    const op = new GroupAggregate({ keys: [0], inputRetracts: true, calls: [{ fn: 'MAX', arg: 1 }, { fn: 'MIN', arg: 1 }] });
    feed(op, [['a', 5], ['a', 9], ['a', 9], ['a', 1]]);
    expect(feed(op, [['a', 9]], [D])).toEqual([]);
    expect(feed(op, [['a', 9], ['a', 1]], [D, D])).toEqual(['-U ["a",9,1]', '+U ["a",5,5]']);
  });

  it('HAVING: a group enters with +I and leaves with -D as the predicate turns', () => {
    const op = new GroupAggregate({ keys: [0], inputRetracts: true, calls: [{ fn: 'COUNT_STAR', arg: null }] }, { having: (r) => (r[1] as number) >= 2 });
    expect(feed(op, [['a'], ['b'], ['b']])).toEqual(['+I ["b",2]']);
    expect(feed(op, [['a'], ['b']], [I, D])).toEqual(['+I ["a",2]', '-D ["b",2]']);
    expect(op.groupCount).toBe(2);
  });

  it('insert-only input refuses retractions; TTL drops untouched groups and a later retraction for one is skipped', () => {
    expect(() => new GroupAggregate({ ...spec, inputRetracts: false }).processBatch(batchOf([['a', 1, 'x', true]], [0], [D]), () => {})).toThrow(/inputRetracts/);
    let now = 0;
    const op = new GroupAggregate({ ...spec, ttlMs: 50 }, { now: () => now });
    feed(op, [['a', 1, 'x', true], ['b', 2, 'y', true]]);
    now = 40;
    feed(op, [['b', 3, 'y', true]]);
    op.expire(60);
    expect(op.groupCount).toBe(1);
    expect(feed(op, [['a', 1, 'x', true]], [D])).toEqual([]);
    expect(feed(op, [['a', 1, 'x', true]])).toEqual(['+I ["a",1,1,1,"x",1]']);
  });

  describe('the applied changelog equals GROUP BY by definition after every batch', () => {
    const callArb = fc.constantFrom<AggregateCallSpec>(
      { fn: 'COUNT_STAR', arg: null }, { fn: 'COUNT_STAR', arg: null, filter: 3 }, { fn: 'COUNT', arg: 1 }, { fn: 'SUM', arg: 1 },
      { fn: 'AVG', arg: 1, filter: 3 }, { fn: 'MIN', arg: 1 }, { fn: 'MAX', arg: 2 }, { fn: 'MAX', arg: 1, filter: 3 }, { fn: 'MIN', arg: 2 },
      { fn: 'COUNT_DISTINCT', arg: 1 }, { fn: 'COUNT_DISTINCT', arg: 2, filter: 3 },
    );
    const scenario = fc.record({
      keys: fc.constantFrom([0], [], [0, 2]),
      calls: fc.array(callArb, { minLength: 1, maxLength: 4 }),
      inputRetracts: fc.boolean(),
      having: fc.boolean(),
      acts: fc.array(fc.record({
        retract: fc.integer({ min: 0, max: 9 }), pick: fc.nat(), update: fc.boolean(),
        k: fc.constantFrom('a', 'b', 'c'), v: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 5 }),
        s: fc.option(fc.constantFrom('p', 'q'), { nil: null, freq: 5 }), f: fc.boolean(),
      }), { maxLength: 80 }),
      seed: fc.integer(),
      restoreAt: fc.nat(),
    });
    const stepsOf = (retracts: boolean, acts: { retract: number; pick: number; update: boolean; k: string; v: number | null; s: string | null; f: boolean }[]): Step[] => {
      const live: unknown[][] = [];
      const steps: Step[] = [];
      for (const a of acts) {
        const row = [a.k, a.v, a.s, a.f];
        if (retracts && a.retract < 4 && live.length > 0) {
          const [old] = live.splice(a.pick % live.length, 1);
          steps.push({ row: old!, rowtime: 0, kind: a.update ? RowKind.UpdateBefore : RowKind.Delete });
          if (a.update) {
            live.push(row);
            steps.push({ row, rowtime: 0, kind: RowKind.UpdateAfter });
          }
        } else {
          live.push(row);
          steps.push({ row, rowtime: 0 });
        }
      }
      return steps;
    };

    it('for any batching, with one change per group per batch, and after a restore', () => {
      fc.assert(fc.property(scenario, ({ keys, calls, inputRetracts, having, acts, seed, restoreAt }) => {
        const spec: GroupAggregateSpec = { keys, calls, inputRetracts };
        const pred = having ? (r: readonly unknown[]) => ((r[keys.length] as number) ?? 0) % 2 === 0 : undefined;
        const steps = stepsOf(inputRetracts, acts);
        const table = new Map<string, number>();
        let applied = 0;
        drive(() => new GroupAggregate(spec, { having: pred }), steps, {
          seed, maxBatch: 1 + (seed & 7),
          check: (emitted, done) => {
            for (const b of emitted.slice(applied)) {
              const keysSeen = changes([b]).filter((c) => c.kind !== '-U').map((c) => JSON.stringify(c.row.slice(0, keys.length)));
              expect(new Set(keysSeen).size).toBe(keysSeen.length);
            }
            materialize(emitted.slice(applied), table);
            applied = emitted.length;
            expect(sortedLines(table)).toEqual(sortedLines(multiset(reference(spec, liveRows(steps.slice(0, done)), pred))));
          },
        });
        const restored = drive(() => new GroupAggregate(spec, { having: pred }), steps, { seed, maxBatch: 3, restoreAt: restoreAt % (steps.length + 1) });
        expect(sortedLines(materialize(restored))).toEqual(sortedLines(multiset(reference(spec, liveRows(steps), pred))));
      }), { seed: 3, numRuns: 400 });
    });
  });
});
