import { describe, it, expect } from 'vitest';
import { RowKind } from '../../../src/operators/changelog.js';
import { RandomCutForestOperator } from '../../../src/operators/kda/rcf-operator.js';
import { KdaFunctionError, type RandomCutForestSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { normal, randomInt, rowsOf, runInBatches, seeded, slice } from './helpers.js';

const HEART: Field[] = [{ name: 'heartRate', type: 'INTEGER' }, { name: 'rateType', type: 'VARCHAR' }];

/**
 * The Developer Guide's RANDOM_CUT_FOREST example data: heartRate drawn from 60..100 ("NORMAL"),
 * and with probability 1% from 150..200 ("HIGH"), as its Python generator does.
 */
function heartRates(n: number, seed: number): unknown[][] {
  const rand = seeded(seed);
  const rate: number[] = [];
  const type: string[] = [];
  for (let i = 0; i < n; i++) {
    const high = rand() < 0.01;
    rate.push(high ? randomInt(rand, 150, 200) : randomInt(rand, 60, 100));
    type.push(high ? 'HIGH' : 'NORMAL');
  }
  return [rate, type];
}

function spec(extra: Partial<RandomCutForestSpec> = {}, input = HEART): RandomCutForestSpec {
  return { function: 'RANDOM_CUT_FOREST', input, ...extra };
}

function scores(op: RandomCutForestOperator, columns: unknown[][], sizes = [1000]): number[] {
  return runInBatches(op, rowsOf(columns), sizes, columns.length + 1).columns[columns.length] as number[];
}

describe('RANDOM_CUT_FOREST', () => {
  it('runs the Developer Guide example: heartRate and rateType out, ANOMALY_SCORE added, HIGH rates scoring highest', () => {
    // CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
    //   SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
    //   FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
    // The guide shows a console screenshot of random data, so the values themselves are not
    // comparable; the shape and the ordering of HIGH over NORMAL are.
    const op = new RandomCutForestOperator(spec());
    expect(op.outputFields).toEqual([...HEART, { name: 'ANOMALY_SCORE', type: 'DOUBLE' }]);
    const input = heartRates(5000, 1);
    const out = runInBatches(op, rowsOf(input), [700], 3);
    expect(out.columns[0]).toEqual(input[0]);
    expect(out.columns[1]).toEqual(input[1]);
    const s = out.columns[2] as number[];
    expect(s.slice(0, 256).every((v) => v === 0)).toBe(true);
    expect(s.slice(256).every((v) => v > 0)).toBe(true);
    const after = (type: string) => s.flatMap((v, i) => (i >= 1000 && input[1]![i] === type ? [v] : []));
    const high = after('HIGH').sort((a, b) => a - b);
    const normalScores = after('NORMAL').sort((a, b) => a - b);
    expect(high.length).toBeGreaterThan(20);
    // Every HIGH record scores above the median NORMAL one, and most above nearly all of them.
    expect(high[0]!).toBeGreaterThan(normalScores[Math.floor(normalScores.length / 2)]!);
    expect(high[Math.floor(high.length / 2)]!).toBeGreaterThan(normalScores[Math.floor(normalScores.length * 0.99)]!);
  });

  it('scores 0 for the first subSampleSize records, after the first shingle fills', () => {
    const x = Array.from({ length: 400 }, (_, i) => Math.sin(i / 10));
    const plain = scores(new RandomCutForestOperator(spec({ subSampleSize: 100 }, [{ name: 'x', type: 'DOUBLE' }])), [x]);
    expect(plain.findIndex((v) => v !== 0)).toBe(100);
    const shingled = scores(new RandomCutForestOperator(spec({ subSampleSize: 100, shingleSize: 5 }, [{ name: 'x', type: 'DOUBLE' }])), [x]);
    expect(shingled.findIndex((v) => v !== 0)).toBe(104);
  });

  it('gives the same scores for a seed, other scores for another seed', () => {
    const input = heartRates(2000, 2);
    const a = scores(new RandomCutForestOperator(spec({ seed: 7 })), input);
    const b = scores(new RandomCutForestOperator(spec({ seed: 7 })), input);
    const c = scores(new RandomCutForestOperator(spec({ seed: 8 })), input);
    expect(b).toEqual(a);
    expect(c.slice(300)).not.toEqual(a.slice(300));
  });

  it('does not depend on how the input is split into batches', () => {
    const input = heartRates(3000, 3);
    const whole = scores(new RandomCutForestOperator(spec({ shingleSize: 3 })), input, [3000]);
    expect(scores(new RandomCutForestOperator(spec({ shingleSize: 3 })), input, [1])).toEqual(whole);
    expect(scores(new RandomCutForestOperator(spec({ shingleSize: 3 })), input, [7, 301, 13, 1000])).toEqual(whole);
  });

  it('restored from a snapshot mid-stream, goes on exactly as an uninterrupted run', () => {
    const rand = seeded(4);
    const noise = normal(rand);
    const input: Field[] = [{ name: 'a', type: 'DOUBLE' }, { name: 'b', type: 'BIGINT' }, { name: 'label', type: 'VARCHAR' }];
    const rows = rowsOf([
      Array.from({ length: 6000 }, () => noise()),
      Array.from({ length: 6000 }, () => randomInt(rand, 0, 50)),
      Array.from({ length: 6000 }, (_, i) => `r${i}`),
    ]);
    const s = spec({ shingleSize: 2, numberOfTrees: 30, timeDecay: 1000 }, input);
    const uninterrupted = runInBatches(new RandomCutForestOperator(s), rows, [500], 4);
    for (const cut of [1, 150, 4321]) {
      const first = new RandomCutForestOperator(s);
      const before = runInBatches(first, slice(rows, 0, cut), [500], 4);
      const second = new RandomCutForestOperator(s);
      second.restore(first.snapshot());
      const after = runInBatches(second, slice(rows, cut, rows.count), [333], 4);
      expect([...(before.columns[3] as number[]), ...(after.columns[3] as number[])]).toEqual(uninterrupted.columns[3]);
    }
  });

  it('refuses a snapshot of a forest with other parameters', () => {
    const a = new RandomCutForestOperator(spec({ numberOfTrees: 10 }));
    const b = new RandomCutForestOperator(spec({ numberOfTrees: 11 }));
    expect(() => b.restore(a.snapshot())).toThrow(KdaFunctionError);
  });

  it('uses only the numeric columns: text and timestamps change nothing', () => {
    const [rate] = heartRates(1500, 5);
    const onlyNumbers = scores(new RandomCutForestOperator(spec({}, [{ name: 'heartRate', type: 'INTEGER' }])), [rate!]);
    const withOthers = scores(
      new RandomCutForestOperator(spec({}, [{ name: 'ts', type: 'TIMESTAMP' }, { name: 'heartRate', type: 'INTEGER' }, { name: 'note', type: 'VARCHAR' }, { name: 'ok', type: 'BOOLEAN' }])),
      [rate!.map((_, i) => 1_700_000_000_000 + i * 997), rate!, rate!.map((v) => `v${v}`), rate!.map((v) => (v as number) % 2 === 0)],
    );
    expect(withOthers).toEqual(onlyNumbers);
  });

  it('passes a row with a NULL number through with score 0 and does not learn from it', () => {
    const [rate] = heartRates(1200, 6);
    const withNull = [...rate!.slice(0, 600), null, ...rate!.slice(600)];
    const a = scores(new RandomCutForestOperator(spec({}, [{ name: 'heartRate', type: 'INTEGER' }])), [rate!]);
    const b = scores(new RandomCutForestOperator(spec({}, [{ name: 'heartRate', type: 'INTEGER' }])), [withNull]);
    expect(b[600]).toBe(0);
    expect([...b.slice(0, 600), ...b.slice(601)]).toEqual(a);
  });

  it('checks its parameters against the SQL Reference ranges', () => {
    const bad: [Partial<RandomCutForestSpec>, RegExp][] = [
      [{ numberOfTrees: 0 }, /numberOfTrees must be an integer between 1 and 1000/],
      [{ numberOfTrees: 1001 }, /numberOfTrees/],
      [{ subSampleSize: 9 }, /subSampleSize must be an integer between 10 and 1000/],
      [{ timeDecay: 0 }, /timeDecay/],
      [{ shingleSize: 31 }, /shingleSize must be an integer between 1 and 30/],
      [{ subSampleSize: 500, timeDecay: 400 }, /subSampleSize \(500\) must be less than timeDecay \(400\)/],
      [{ numberOfTrees: 2.5 }, /numberOfTrees/],
    ];
    for (const [extra, message] of bad) expect(() => new RandomCutForestOperator(spec(extra))).toThrow(message);
    expect(() => new RandomCutForestOperator(spec({}, [{ name: 'n', type: 'VARCHAR' }]))).toThrow(/no numeric column/);
    expect(() => new RandomCutForestOperator(spec({}, [{ name: 'price', type: 'DECIMAL' }]))).toThrow(/DECIMAL.*cast it to DOUBLE/);
    const wide: Field[] = Array.from({ length: 31 }, (_, i) => ({ name: `c${i}`, type: 'DOUBLE' }));
    expect(() => new RandomCutForestOperator(spec({}, wide))).toThrow(/31 numeric columns; at most 30/);
    expect(() => new RandomCutForestOperator(spec({}, wide.slice(0, 30)))).not.toThrow();
  });

  it('takes append-only input only', () => {
    const op = new RandomCutForestOperator(spec());
    const rows = { ...rowsOf([[70, 71], ['NORMAL', 'NORMAL']]), ops: Uint8Array.of(RowKind.Insert, RowKind.Delete) };
    expect(() => op.processBatch(rows, () => {})).toThrow(/append-only/);
  });
});
