import { describe, it, expect } from 'vitest';
import { RandomCutForestOperator } from '../../../src/operators/kda/rcf-operator.js';
import { RandomCutForestWithExplanationOperator } from '../../../src/operators/kda/rcf-explanation-operator.js';
import type { Field } from '../../../src/planner/types.js';
import { normal, ranks, rowsOf, runInBatches, seeded, topThreshold } from './helpers.js';

/**
 * Detection quality of RANDOM_CUT_FOREST on seeded synthetic series with injected anomalies, KDA's
 * defaults (100 trees, samples of 256, timeDecay 100000) unless a series says otherwise. The forest
 * scores from record 257 on; it counts as warm for these checks from record 1,000 on, once it has
 * seen the series' normal pattern at least twice over (a record of a cycle's first turn is new to
 * a forest that has only seen half a turn). Every injected record must score in the top 1% of the
 * records from 1,000 on, and the explanation must name the column that moved. 10,000 records a
 * series; anomalies are injected from record 1,000 on, at least 150 records apart.
 */
const N = 10_000;
const WARM = 1000;
const TOP = 0.01;

type Explained = { [column: string]: { DIRECTION: string; STRENGTH: string; ATTRIBUTION_SCORE: string } };

function injectionPoints(rand: () => number, count: number, allowed: (i: number) => boolean = () => true): number[] {
  const at: number[] = [];
  while (at.length < count) {
    const i = 1000 + Math.floor(rand() * (N - 1100));
    if (allowed(i) && at.every((j) => Math.abs(i - j) >= 150)) at.push(i);
  }
  return at.sort((a, b) => a - b);
}

function scoresOf(columns: number[][], names: string[], shingleSize = 1): number[] {
  const input: Field[] = names.map((name) => ({ name, type: 'DOUBLE' }));
  const op = new RandomCutForestOperator({ function: 'RANDOM_CUT_FOREST', input, shingleSize, seed: 11 });
  const out = runInBatches(op, rowsOf(columns), [500], names.length + 1);
  return out.columns[names.length] as number[];
}

function explained(columns: number[][], names: string[], shingleSize = 1): { scores: number[]; explanations: Explained[] } {
  const input: Field[] = names.map((name) => ({ name, type: 'DOUBLE' }));
  const op = new RandomCutForestWithExplanationOperator({ function: 'RANDOM_CUT_FOREST_WITH_EXPLANATION', input, withDirectionality: true, shingleSize, seed: 11 });
  const out = runInBatches(op, rowsOf(columns), [500], names.length + 2);
  return { scores: out.columns[names.length] as number[], explanations: (out.columns[names.length + 1] as string[]).map((s) => JSON.parse(s) as Explained) };
}

function topColumn(e: Explained): string {
  return Object.entries(e).sort((a, b) => Number(b[1].ATTRIBUTION_SCORE) - Number(a[1].ATTRIBUTION_SCORE))[0]![0];
}

function expectTopPercent(scores: number[], injected: number[]): void {
  const threshold = topThreshold(scores, WARM, TOP);
  const missed = injected.filter((i) => scores[i]! < threshold);
  expect({ missed, ranks: ranks(scores, WARM, missed) }).toEqual({ missed: [], ranks: [] });
}

describe('RANDOM_CUT_FOREST quality on synthetic series', () => {
  it('ranks spikes in the top 1%', () => {
    // A daily-like cycle: 10 + 3 sin(2πt/200) + N(0, 0.3); 20 records jump 8 to 10 above or below
    // the baseline of 10, outside the cycle's range.
    const rand = seeded(1);
    const noise = normal(rand);
    const x = Array.from({ length: N }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 200) + 0.3 * noise());
    const spikes = injectionPoints(rand, 20);
    for (const i of spikes) x[i] = 10 + (rand() < 0.5 ? -1 : 1) * (8 + 2 * rand());
    expectTopPercent(scoresOf([x], ['x']), spikes);
  });

  it('ranks the first record of each level shift in the top 1%', () => {
    // Level 10 with N(0, 0.5) noise, shifting at three seeded records to 13, then 7, then 16 (each
    // a level the series has not been at); the injected records are the first of each new level.
    const rand = seeded(2);
    const noise = normal(rand);
    const shifts = injectionPoints(rand, 3);
    const levels = [13, 7, 16];
    const x = Array.from({ length: N }, (_, t) => {
      const k = shifts.filter((s) => s <= t).length;
      return (k === 0 ? 10 : levels[k - 1]!) + 0.5 * noise();
    });
    expectTopPercent(scoresOf([x], ['x']), shifts);
  });

  it('ranks a broken correlation in the top 1% and names the field that moved', () => {
    // The SQL Reference's network and CPU example: two fields driven by one cycle in opposite
    // phase, network = 50 + 20 sin(2πt/200) + N(0, 1) and idle = 50 - 20 sin(2πt/200) + N(0, 1).
    // At 16 records where network is within 5 of 50, one field (network, then idle, in turn)
    // moves up or down by 12 while its partner keeps to the cycle; both stay inside their usual
    // ranges (30..70). A point off a line can be explained by either coordinate alone, so the
    // forest gets each record's recent past too: shingles of 2 records.
    const rand = seeded(3);
    const noise = normal(rand);
    const network = Array.from({ length: N }, (_, t) => 50 + 20 * Math.sin((2 * Math.PI * t) / 200) + noise());
    const idle = Array.from({ length: N }, (_, t) => 50 - 20 * Math.sin((2 * Math.PI * t) / 200) + noise());
    const moved = injectionPoints(rand, 16, (i) => Math.abs(network[i]! - 50) < 5).map((i, k) => {
      const up = rand() < 0.5;
      const field = k % 2 === 0 ? 'network' : 'idle';
      (field === 'network' ? network : idle)[i]! += up ? 12 : -12;
      return { i, field, up };
    });
    const { scores, explanations } = explained([network, idle], ['network', 'idle'], 2);
    expectTopPercent(scores, moved.map((m) => m.i));
    const named = moved.map((m) => ({ ...m, named: topColumn(explanations[m.i]!), direction: explanations[m.i]![m.field]!.DIRECTION }));
    expect(named.filter((n) => n.named !== n.field)).toEqual([]);
    expect(named.filter((n) => n.direction !== (n.up ? 'HIGH' : 'LOW'))).toEqual([]);
  });

  it('names the spiked field and its direction among independent fields', () => {
    // Three independent fields N(50, 2), N(0, 1), N(-20, 5); 15 records where one field (in turn)
    // jumps 6 to 8 of its standard deviations up or down.
    const rand = seeded(4);
    const noise = normal(rand);
    const spec = [[50, 2], [0, 1], [-20, 5]] as const;
    const cols = spec.map(([mean, sd]) => Array.from({ length: N }, () => mean + sd * noise()));
    const at = injectionPoints(rand, 15);
    const truth = at.map((i, k) => {
      const c = k % 3;
      const up = rand() < 0.5;
      cols[c]![i] = spec[c]![0] + (up ? 1 : -1) * (6 + 2 * rand()) * spec[c]![1];
      return { i, field: ['a', 'b', 'c'][c]!, up };
    });
    const { scores, explanations } = explained(cols, ['a', 'b', 'c']);
    expectTopPercent(scores, at);
    for (const t of truth) {
      expect(topColumn(explanations[t.i]!)).toBe(t.field);
      expect(explanations[t.i]![t.field]!.DIRECTION).toBe(t.up ? 'HIGH' : 'LOW');
    }
  });

  it('with shingles of 4, scores highest where a dip in a cycle begins and where it ends (the SQL Reference example)', () => {
    // The SQL Reference's shingleSize example: a cycle (10 sin(2πt/100) + N(0, 0.2)) in which 20
    // consecutive records, from record 5000, dip to -10, its trough. With shingleSize 4 the
    // shingles that take the drop and the climb back score above every other record, the flat
    // stretch between them does not.
    const rand = seeded(5);
    const noise = normal(rand);
    const x = Array.from({ length: N }, (_, t) => (t >= 5000 && t < 5020 ? -10 : 10 * Math.sin((2 * Math.PI * t) / 100)) + 0.2 * noise());
    const scores = scoresOf([x], ['x'], 4);
    const peak = (from: number, to: number) => Math.max(...scores.slice(from, to));
    const elsewhere = Math.max(...scores.slice(WARM, 5000), ...scores.slice(5004, 5020), ...scores.slice(5024));
    expect(peak(5000, 5004)).toBeGreaterThan(elsewhere);
    expect(peak(5020, 5024)).toBeGreaterThan(elsewhere);
    expect(peak(5004, 5020)).toBeLessThan(Math.min(peak(5000, 5004), peak(5020, 5024)) / 1.5);
  });
});
