import { describe, it, expect } from 'vitest';
import { JoinWatermarks } from '../../../src/operators/joins/join-contract.js';
import { checkJoinSpec, type IntervalJoinSpec, type JoinSpec } from '../../../src/operators/joins/join-specs.js';
import { createLookupJoin, createStreamJoin } from '../../../src/operators/joins/join-registry.js';
import { IntervalJoin } from '../../../src/operators/joins/interval-join.js';
import { RegularJoin } from '../../../src/operators/joins/regular-join.js';
import { TemporalJoin } from '../../../src/operators/joins/temporal-join.js';
import { WindowJoin } from '../../../src/operators/joins/window-join.js';
import { residualOf } from '../../../src/operators/joins/join-rows.js';
import { decodeState, encodeState } from '../../../src/operators/joins/state-codec.js';
import { call, col, lit } from '../../../src/planner/bound-expr.js';

const base = { leftTypes: ['VARCHAR', 'TIMESTAMP'], rightTypes: ['VARCHAR', 'TIMESTAMP'], leftKeys: [0], rightKeys: [0] } as const;
const interval: IntervalJoinSpec = { kind: 'interval', joinType: 'inner', ...base, leftTime: 1, rightTime: 'rowtime', lowerMs: 5, upperMs: 5 };

describe('join contract', () => {
  it('JoinWatermarks moves the join\'s watermark to the minimum of its inputs, never back', () => {
    const w = new JoinWatermarks();
    expect(w.advance('left', 100)).toBeUndefined();
    expect(w.advance('right', 50)).toBe(50);
    expect(w.advance('right', 40)).toBeUndefined();
    expect(w.advance('right', 200)).toBe(100);
    expect(w.advance('left', 90)).toBeUndefined();
    expect(w.current).toBe(100);
  });

  it('specs are plain JSON: they survive a round trip and build the same operator', () => {
    const specs: JoinSpec[] = [
      { kind: 'regular', joinType: 'full', ...base, stateTtlMs: 1000, residual: call('<>', [col(1, 'TIMESTAMP'), col(3, 'TIMESTAMP')], 'BOOLEAN') },
      interval,
      { kind: 'window', joinType: 'left', ...base, leftKeys: [], rightKeys: [], leftWindow: { start: 1, end: 1 }, rightWindow: { start: 1, end: 1 } },
      { kind: 'temporal', joinType: 'left', ...base, leftTime: 1, rightTime: 1 },
    ];
    const classes = [RegularJoin, IntervalJoin, WindowJoin, TemporalJoin];
    specs.forEach((spec, i) => {
      const copy = JSON.parse(JSON.stringify(spec)) as typeof spec;
      expect(copy).toEqual(spec);
      expect(createStreamJoin(copy as Exclude<JoinSpec, { kind: 'lookup' }>, { onLate: () => undefined })).toBeInstanceOf(classes[i]!);
    });
    expect(() => createLookupJoin({ kind: 'lookup', joinType: 'inner', table: 'nope', ...base }, () => undefined)).toThrow(/no reference table named nope/);
  });

  it('refuses to build an event-time join without a place for its late rows', () => {
    expect(() => createStreamJoin(interval, {})).toThrow(/needs hooks.onLate/);
    expect(() => createStreamJoin({ kind: 'regular', joinType: 'inner', ...base }, {})).not.toThrow();
  });

  it('refuses specs that cannot work, saying why', () => {
    expect(() => checkJoinSpec({ ...interval, rightKeys: [0, 1] })).toThrow(/1 left keys but 2 right keys/);
    expect(() => checkJoinSpec({ ...interval, leftKeys: [2] })).toThrow(/left key 2 is not a column \(0\.\.1\)/);
    expect(() => checkJoinSpec({ ...interval, leftKeys: [], rightKeys: [] })).toThrow(/at least one equi-join key/);
    expect(() => checkJoinSpec({ ...interval, lowerMs: -10, upperMs: 5 })).toThrow(/is empty/);
    expect(() => checkJoinSpec({ ...interval, leftTime: 7 })).toThrow(/left time 7/);
    expect(() => checkJoinSpec({ kind: 'temporal', joinType: 'full' as 'left', ...base, leftTime: 1, rightTime: 1 })).toThrow(/join type full/);
    expect(() => checkJoinSpec({ kind: 'regular', joinType: 'inner', ...base, stateTtlMs: 0 })).toThrow(/stateTtlMs/);
  });

  it('compiles a residual over left columns then right columns; a row error does not match', () => {
    const r = residualOf(call('=', [call('/', [lit(1, 'BIGINT'), col(1, 'BIGINT')], 'BIGINT'), col(2, 'BIGINT')], 'BOOLEAN'), ['VARCHAR', 'BIGINT'], ['BIGINT'], {})!;
    expect(r(['a', 1], [1])).toBe(true);
    expect(r(['a', 1], [2])).toBe(false);
    expect(r(['a', 0], [0])).toBe(false);
    expect(r(['a', null], [1])).toBe(false);
  });

  it('state bytes keep numbers JSON cannot hold', () => {
    const state = { w: -Infinity, v: [Infinity, NaN, 1.5, null, 'x', { $num: 'not a tag', other: 1 }] };
    const back = decodeState<typeof state>(encodeState(state));
    expect(back.w).toBe(-Infinity);
    expect(back.v.slice(0, 5)).toEqual([Infinity, NaN, 1.5, null, 'x']);
    expect(back.v[5]).toEqual({ $num: 'not a tag', other: 1 });
  });
});
