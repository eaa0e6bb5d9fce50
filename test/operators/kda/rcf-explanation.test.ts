import { describe, it, expect } from 'vitest';
import { directionStrength, RandomCutForestWithExplanationOperator } from '../../../src/operators/kda/rcf-explanation-operator.js';
import type { RandomCutForestWithExplanationSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { normal, randomInt, rowsOf, runInBatches, seeded, slice } from './helpers.js';

type Member = { DIRECTION?: string; STRENGTH?: string; ATTRIBUTION_SCORE: string };

const BLOOD: Field[] = [{ name: 'Systolic', type: 'INTEGER' }, { name: 'Diastolic', type: 'INTEGER' }, { name: 'BloodPressureLevel', type: 'VARCHAR' }];

/**
 * The Developer Guide's blood pressure data, as its Python generator makes it: with probability
 * 0.5% LOW (systolic 50..80, diastolic 30..50), 0.5% HIGH (130..200, 90..150), else NORMAL
 * (90..120, 60..80).
 */
function bloodPressure(n: number, seed: number): unknown[][] {
  const rand = seeded(seed);
  const cols: unknown[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const [level, sys, dia] = r < 0.005 ? ['LOW', [50, 80], [30, 50]] as const : r > 0.995 ? ['HIGH', [130, 200], [90, 150]] as const : ['NORMAL', [90, 120], [60, 80]] as const;
    cols[0]!.push(randomInt(rand, sys[0], sys[1]));
    cols[1]!.push(randomInt(rand, dia[0], dia[1]));
    cols[2]!.push(level);
  }
  return cols;
}

function spec(extra: Partial<RandomCutForestWithExplanationSpec> = {}, input = BLOOD): RandomCutForestWithExplanationSpec {
  return { function: 'RANDOM_CUT_FOREST_WITH_EXPLANATION', input, ...extra };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

describe('RANDOM_CUT_FOREST_WITH_EXPLANATION', () => {
  it('runs the Developer Guide blood pressure example: the guide\'s JSON, scores of its size, HIGH and LOW explained', () => {
    // SELECT STREAM "Systolic", "Diastolic", "BloodPressureLevel", ANOMALY_SCORE, ANOMALY_EXPLANATION
    // FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true));
    // The guide shows NORMAL rows scoring 0.71..0.74 and a HIGH row (144, 123) scoring 3.86 with
    // both columns HIGH; the forest is random, so those exact numbers are not comparable, but
    // their sizes and the JSON's shape are.
    const op = new RandomCutForestWithExplanationOperator(spec({ numberOfTrees: 100, subSampleSize: 256, timeDecay: 100000, shingleSize: 1, withDirectionality: true }));
    expect(op.outputFields.map((f) => f.name)).toEqual(['Systolic', 'Diastolic', 'BloodPressureLevel', 'ANOMALY_SCORE', 'ANOMALY_EXPLANATION']);
    const input = bloodPressure(12_000, 1);
    const out = runInBatches(op, rowsOf(input), [1000], 5);
    const scores = out.columns[3] as number[];
    const texts = out.columns[4] as string[];
    // The learning phase: 0, and LOW with strength 0.
    expect(scores.slice(0, 256).every((s) => s === 0)).toBe(true);
    expect(texts[0]).toBe('{"Systolic":{"DIRECTION":"LOW","STRENGTH":"0.0000","ATTRIBUTION_SCORE":"0.0000"},"Diastolic":{"DIRECTION":"LOW","STRENGTH":"0.0000","ATTRIBUTION_SCORE":"0.0000"}}');
    const member = '\\{"DIRECTION":"(HIGH|LOW)","STRENGTH":"\\d+\\.\\d{4}","ATTRIBUTION_SCORE":"\\d+\\.\\d{4}"\\}';
    const shape = new RegExp(`^\\{"Systolic":${member},"Diastolic":${member}\\}$`);
    expect(texts.every((t) => shape.test(t))).toBe(true);
    const explained = texts.map((t) => JSON.parse(t) as Record<string, Member>);
    for (let i = 256; i < scores.length; i += 97) {
      const sum = Number(explained[i]!.Systolic!.ATTRIBUTION_SCORE) + Number(explained[i]!.Diastolic!.ATTRIBUTION_SCORE);
      expect(Math.abs(sum - scores[i]!)).toBeLessThan(0.0002);
    }
    const of = (level: string) => scores.flatMap((s, i) => (i >= 1000 && input[2]![i] === level ? [i] : []));
    const normalScores = of('NORMAL').map((i) => scores[i]!);
    expect(median(normalScores)).toBeGreaterThan(0.6);
    expect(median(normalScores)).toBeLessThan(0.9);
    for (const level of ['HIGH', 'LOW']) {
      const rows = of(level);
      expect(median(rows.map((i) => scores[i]!))).toBeGreaterThan(3 * median(normalScores));
      const agreeing = rows.flatMap((i) => ['Systolic', 'Diastolic'].map((c) => explained[i]![c]!.DIRECTION === level)).filter(Boolean).length;
      expect(agreeing / (2 * rows.length)).toBeGreaterThan(0.8);
    }
  });

  it('explains the numeric columns of the SQL Reference stock ticker example only', () => {
    // SELECT "ANOMALY_SCORE", "ANOMALY_EXPLANATION" FROM TABLE (RANDOM_CUT_FOREST_WITH_EXPLANATION(
    //   CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true)) WHERE ANOMALY_SCORE > 0
    const input: Field[] = [{ name: 'TICKER_SYMBOL', type: 'VARCHAR' }, { name: 'SECTOR', type: 'VARCHAR' }, { name: 'CHANGE', type: 'DOUBLE' }, { name: 'PRICE', type: 'DOUBLE' }];
    const rand = seeded(2);
    const noise = normal(rand);
    const tickers = ['AMZN', 'NFLX', 'WAS', 'QXZ', 'TGH'];
    const rows = rowsOf([
      Array.from({ length: 600 }, (_, i) => tickers[i % 5]),
      Array.from({ length: 600 }, () => 'TECHNOLOGY'),
      Array.from({ length: 600 }, () => noise()),
      Array.from({ length: 600 }, (_, i) => 50 + 10 * (i % 5) + noise()),
    ]);
    const op = new RandomCutForestWithExplanationOperator(spec({ numberOfTrees: 100, subSampleSize: 256, timeDecay: 100000, shingleSize: 1, withDirectionality: true }, input));
    const out = runInBatches(op, rows, [600], 6);
    const positive = (out.columns[5] as string[]).filter((_, i) => (out.columns[4] as number[])[i]! > 0);
    expect(positive.length).toBe(600 - 256);
    for (const text of positive) expect(Object.keys(JSON.parse(text) as object)).toEqual(['CHANGE', 'PRICE']);
  });

  it('without withDirectionality (its default) gives ATTRIBUTION_SCORE alone', () => {
    const op = new RandomCutForestWithExplanationOperator(spec({ subSampleSize: 50 }));
    const out = runInBatches(op, rowsOf(bloodPressure(100, 3)), [100], 5);
    expect(out.columns[4]![99]).toMatch(/^\{"Systolic":\{"ATTRIBUTION_SCORE":"\d+\.\d{4}"\},"Diastolic":\{"ATTRIBUTION_SCORE":"\d+\.\d{4}"\}\}$/);
  });

  it('with shingles, explains each column once, its positions in the shingle summed', () => {
    const op = new RandomCutForestWithExplanationOperator(spec({ subSampleSize: 64, shingleSize: 4, withDirectionality: true }));
    const out = runInBatches(op, rowsOf(bloodPressure(400, 4)), [400], 5);
    const last = JSON.parse(out.columns[4]![399] as string) as Record<string, Member>;
    expect(Object.keys(last)).toEqual(['Systolic', 'Diastolic']);
    const sum = Number(last.Systolic!.ATTRIBUTION_SCORE) + Number(last.Diastolic!.ATTRIBUTION_SCORE);
    expect(Math.abs(sum - (out.columns[3]![399] as number))).toBeLessThan(0.0002);
  });

  it('restores mid-stream and splits batches without changing a character', () => {
    const input = rowsOf(bloodPressure(3000, 5));
    const s = spec({ numberOfTrees: 40, withDirectionality: true });
    const whole = runInBatches(new RandomCutForestWithExplanationOperator(s), input, [3000], 5);
    expect(runInBatches(new RandomCutForestWithExplanationOperator(s), input, [1, 17, 450], 5)).toEqual(whole);
    const first = new RandomCutForestWithExplanationOperator(s);
    const a = runInBatches(first, slice(input, 0, 1777), [500], 5);
    const second = new RandomCutForestWithExplanationOperator(s);
    second.restore(first.snapshot());
    const b = runInBatches(second, slice(input, 1777, 3000), [500], 5);
    expect([...a.columns[4]!, ...b.columns[4]!]).toEqual(whole.columns[4]);
  });

  it('measures STRENGTH as how far one direction outweighs the other', () => {
    expect(directionStrength(0, 0)).toBe(0);
    expect(directionStrength(1, 1)).toBe(0);
    expect(directionStrength(2, 1)).toBe(1);
    expect(directionStrength(1, 8)).toBe(7);
    expect(directionStrength(3, 0)).toBe(1000);
  });
});
