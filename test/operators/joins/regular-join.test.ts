import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RegularJoin } from '../../../src/operators/joins/regular-join.js';
import type { RegularJoinSpec } from '../../../src/operators/joins/join-specs.js';
import type { JoinSide, JoinType } from '../../../src/operators/joins/join-contract.js';
import { RowKind } from '../../../src/operators/changelog.js';
import { call, col } from '../../../src/planner/bound-expr.js';
import { mulberry32 } from '../../../bench/clickstream.js';
import { applyChangelog, batchOf, Collector, multiset, run, sortedEntries, type Step } from './join-test-helpers.js';

// Left rows [k, v], right rows [k, w].
const spec = (joinType: JoinType, extra: Partial<RegularJoinSpec> = {}): RegularJoinSpec => ({
  kind: 'regular', joinType, leftTypes: ['VARCHAR', 'BIGINT'], rightTypes: ['VARCHAR', 'BIGINT'], leftKeys: [0], rightKeys: [0], ...extra,
});

const I = RowKind.Insert;
const UB = RowKind.UpdateBefore;
const UA = RowKind.UpdateAfter;
const D = RowKind.Delete;

function step(side: JoinSide, kind: RowKind, row: unknown[], rowtime = 0): Step {
  return { side, batch: batchOf([row], [rowtime], [kind]) };
}

type Row = [string | null, number];

/** The join of two multisets as SQL defines it. */
function bruteForce(joinType: JoinType, left: Row[], right: Row[], residual?: (l: Row, r: Row) => boolean): Map<string, number> {
  const out: unknown[][] = [];
  const ok = (l: Row, r: Row) => l[0] !== null && l[0] === r[0] && (!residual || residual(l, r));
  for (const l of left) for (const r of right) if (ok(l, r)) out.push([...l, ...r]);
  if (joinType === 'left' || joinType === 'full') for (const l of left) if (!right.some((r) => ok(l, r))) out.push([...l, null, null]);
  if (joinType === 'right' || joinType === 'full') for (const r of right) if (!left.some((l) => ok(l, r))) out.push([null, null, ...r]);
  return multiset(out);
}

/** A valid random changelog for one side: inserts, deletes and -U/+U updates of rows it holds. */
function randomChangelog(random: () => number, n: number): { kind: RowKind; row: Row }[] {
  const live: Row[] = [];
  const ops: { kind: RowKind; row: Row }[] = [];
  const fresh = (): Row => [random() < 0.06 ? null : `k${Math.floor(random() * 4)}`, Math.floor(random() * 3)];
  while (ops.length < n) {
    const p = random();
    if (live.length === 0 || p < 0.55) {
      const row = fresh();
      live.push(row);
      ops.push({ kind: I, row });
    } else if (p < 0.8) {
      const [row] = live.splice(Math.floor(random() * live.length), 1);
      ops.push({ kind: D, row: row! });
    } else {
      const [old] = live.splice(Math.floor(random() * live.length), 1);
      const row: Row = random() < 0.5 ? [old![0], (old![1] + 1) % 3] : fresh();
      live.push(row);
      ops.push({ kind: UB, row: old! }, { kind: UA, row });
    }
  }
  return ops;
}

describe('RegularJoin', () => {
  it('inner: pairs rows of a key and forwards the input kind to retractions and updates', () => {
    const out = new Collector();
    run(new RegularJoin(spec('inner')), [
      step('left', I, ['a', 1], 5), step('right', I, ['a', 10], 7), step('left', UB, ['a', 1], 8), step('left', UA, ['a', 2], 8), step('right', D, ['a', 10], 9),
    ], out);
    expect(out.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}@${r.rowtime}`)).toEqual([
      '+I ["a",1,"a",10]@7', '-U ["a",1,"a",10]@8', '+U ["a",2,"a",10]@8', '-D ["a",2,"a",10]@9',
    ]);
  });

  it('left outer: a null-padded row is retracted when a match arrives and comes back when it goes', () => {
    const out = new Collector();
    run(new RegularJoin(spec('left')), [
      step('left', I, ['a', 1]), step('right', I, ['a', 10]), step('right', I, ['a', 11]), step('right', D, ['a', 10]), step('right', D, ['a', 11]), step('left', D, ['a', 1]),
    ], out);
    expect(out.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}`)).toEqual([
      '+I ["a",1,null,null]', '-D ["a",1,null,null]', '+I ["a",1,"a",10]', '+I ["a",1,"a",11]',
      '-D ["a",1,"a",10]', '-D ["a",1,"a",11]', '+I ["a",1,null,null]', '-D ["a",1,null,null]',
    ]);
  });

  it('right and full outer: each outer side keeps its unmatched rows', () => {
    const right = new Collector();
    run(new RegularJoin(spec('right')), [step('right', I, ['b', 2]), step('left', I, ['b', 1]), step('left', I, ['c', 3])], right);
    expect(right.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}`)).toEqual(['+I [null,null,"b",2]', '-D [null,null,"b",2]', '+I ["b",1,"b",2]']);
    const full = new Collector();
    run(new RegularJoin(spec('full')), [step('right', I, ['b', 2]), step('left', I, ['c', 3]), step('left', I, ['b', 1]), step('left', D, ['b', 1])], full);
    expect(sortedEntries(applyChangelog(full.rows))).toEqual([['["c",3,null,null]', 1], ['[null,null,"b",2]', 1]]);
  });

  it('duplicates multiply: two copies of a row times three of the other', () => {
    const out = new Collector();
    const op = new RegularJoin(spec('full'));
    run(op, [step('left', I, ['a', 1]), step('left', I, ['a', 1]), step('right', I, ['a', 5]), step('right', I, ['a', 5]), step('right', I, ['a', 6])], out);
    expect(sortedEntries(applyChangelog(out.rows))).toEqual([['["a",1,"a",5]', 4], ['["a",1,"a",6]', 2]]);
    run(op, [step('left', D, ['a', 1])], out);
    expect(sortedEntries(applyChangelog(out.rows))).toEqual([['["a",1,"a",5]', 2], ['["a",1,"a",6]', 1]]);
    expect(op.stateRows).toBe(3);
  });

  it('a key with many distinct rows finds each one to retract', () => {
    const out = new Collector();
    const op = new RegularJoin(spec('left'));
    const steps: Step[] = [];
    for (let v = 0; v < 30; v++) steps.push(step('left', I, ['a', v]), step('left', I, ['a', v % 3 === 0 ? v : 100 + v]));
    steps.push(step('right', I, ['a', -1]));
    for (let v = 0; v < 30; v += 2) steps.push(step('left', D, ['a', v]));
    run(op, steps, out);
    const expected: [string, number][] = [];
    for (let v = 0; v < 30; v++) {
      const copies = (v % 3 === 0 ? 2 : 1) - (v % 2 === 0 ? 1 : 0);
      if (copies > 0) expected.push([JSON.stringify(['a', v, 'a', -1]), copies]);
      if (v % 3 !== 0) expected.push([JSON.stringify(['a', 100 + v, 'a', -1]), 1]);
    }
    expect(sortedEntries(applyChangelog(out.rows))).toEqual(expected.sort((x, y) => (x[0] < y[0] ? -1 : 1)));
    // 20 distinct ['a', v] left, 20 ['a', 100 + v], and the right row.
    expect(op.stateRows).toBe(41);
  });

  it('NULL keys never match; outer sides keep them padded', () => {
    const out = new Collector();
    run(new RegularJoin(spec('full')), [step('left', I, [null, 1]), step('right', I, [null, 2]), step('left', D, [null, 1])], out);
    expect(out.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}`)).toEqual(['+I [null,1,null,null]', '+I [null,null,null,2]', '-D [null,1,null,null]']);
  });

  it('applies the residual condition after the key match', () => {
    const out = new Collector();
    const residual = call('<', [col(1, 'BIGINT'), col(3, 'BIGINT')], 'BOOLEAN');
    run(new RegularJoin(spec('left', { residual })), [step('left', I, ['a', 5]), step('right', I, ['a', 3]), step('right', I, ['a', 9])], out);
    expect(sortedEntries(applyChangelog(out.rows))).toEqual([['["a",5,"a",9]', 1]]);
  });

  it('reports a retraction of a row it does not hold instead of emitting it', () => {
    const out = new Collector();
    const op = new RegularJoin(spec('inner'), { onLate: out.onLate });
    run(op, [step('right', I, ['a', 1]), step('left', D, ['a', 9])], out);
    expect(out.rows).toEqual([]);
    expect(out.late.map((l) => [l.side, l.reason, l.row, l.time])).toEqual([['left', 'unknown-retraction', ['a', 9], null]]);
  });

  it('drops rows idle for the state TTL on expire(now), emitting nothing', () => {
    const out = new Collector();
    const op = new RegularJoin(spec('inner', { stateTtlMs: 1000 }), { onLate: out.onLate });
    op.expire(10_000);
    run(op, [step('left', I, ['a', 1]), step('left', I, ['b', 2])], out);
    op.expire(10_500);
    run(op, [step('left', I, ['b', 2])], out);
    expect(op.expire(11_000)).toBe(1);
    expect(op.stateRows).toBe(1);
    run(op, [step('right', I, ['a', 7]), step('right', I, ['b', 7])], out);
    expect(out.rows.map((r) => JSON.stringify(r.values))).toEqual(['["b",2,"b",7]', '["b",2,"b",7]']);
    expect(op.expire(20_000)).toBe(3);
    expect(op.stateRows).toBe(0);
  });

  it('its changelog, applied to a table, equals the join of everything seen, however input is cut and interleaved', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<JoinType>('inner', 'left', 'right', 'full'), fc.boolean(), (seed, joinType, withResidual) => {
      const random = mulberry32(seed);
      const left = randomChangelog(random, 60);
      const right = randomChangelog(random, 60);
      const residual = withResidual ? (l: Row, r: Row) => l[1] <= r[1] : undefined;
      const op = new RegularJoin(spec(joinType), residual ? { residual: (l, r) => residual(l as Row, r as Row) } : {});
      const out = new Collector();
      const held = { left: [] as Row[], right: [] as Row[] };
      let li = 0;
      let ri = 0;
      while (li < left.length || ri < right.length) {
        const side: JoinSide = ri >= right.length || (li < left.length && random() < 0.5) ? 'left' : 'right';
        const ops = side === 'left' ? left : right;
        const start = side === 'left' ? li : ri;
        const n = 1 + Math.floor(random() * 6);
        const part = ops.slice(start, start + n);
        if (side === 'left') li += part.length;
        else ri += part.length;
        run(op, [{ side, batch: batchOf(part.map((o) => o.row), part.map(() => 0), part.map((o) => o.kind)) }], out);
        for (const o of part) {
          const rows = held[side];
          if (o.kind === I || o.kind === UA) rows.push(o.row);
          else rows.splice(rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(o.row)), 1);
        }
        expect(sortedEntries(applyChangelog(out.rows))).toEqual(sortedEntries(bruteForce(joinType, held.left, held.right, residual)));
      }
    }), { numRuns: 80, seed: 5 });
  });

  it('resumes from a snapshot taken mid-stream exactly as an uninterrupted run', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<JoinType>('inner', 'left', 'right', 'full'), fc.double({ min: 0, max: 1, noNaN: true }), (seed, joinType, at) => {
      const random = mulberry32(seed);
      const steps: Step[] = [];
      const left = randomChangelog(random, 40);
      const right = randomChangelog(random, 40);
      for (let i = 0; i < 40; i++) steps.push(step('left', left[i]!.kind, left[i]!.row, i), step('right', right[i]!.kind, right[i]!.row, i));
      const s = spec(joinType, { stateTtlMs: 5 });
      const clock = (op: RegularJoin, i: number) => op.expire(i);
      const whole = new Collector();
      const a = new RegularJoin(s);
      steps.forEach((st, i) => { clock(a, i); run(a, [st], whole); });
      const split = Math.floor(at * steps.length);
      const resumed = new Collector();
      const b = new RegularJoin(s);
      steps.slice(0, split).forEach((st, i) => { clock(b, i); run(b, [st], resumed); });
      const c = new RegularJoin(s);
      c.restore(b.snapshot());
      steps.slice(split).forEach((st, i) => { clock(c, split + i); run(c, [st], resumed); });
      expect(resumed.rows).toEqual(whole.rows);
    }), { numRuns: 40, seed: 13 });
  });
});
