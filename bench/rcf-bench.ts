/**
 * Throughput of KDA's machine-learning table functions on one core, through their operators
 * (processBatch with batches of 1,000 rows, as a worker would run them):
 *   - RANDOM_CUT_FOREST with KDA's defaults (100 trees, samples of 256, timeDecay 100000) on one
 *     numeric column, and the distribution of the scores it gave;
 *   - RANDOM_CUT_FOREST_WITH_EXPLANATION on two columns, with directionality;
 *   - HOTSPOTS as the Developer Guide runs it (window 1000, radius 0.2, 17 points).
 * The data are the Developer Guide's examples: heart rates 60..100 with 1% at 150..200 (41 + 51
 * distinct values, so many records score at a leaf holding their value), and a noisy cycle whose
 * values are all distinct; blood pressure; points in a 10 x 10 field, 20% of them in a 1 x 1
 * hotspot that moves every 1,000. Each rate is also given per CPU-second of this process, which
 * is what one core does when other processes share the machine.
 *
 *   npm run bench:rcf [-- --records 200000 --rounds 3]
 */
import { parseArgs } from 'node:util';
import type { ChangelogRows } from '../src/operators/changelog.js';
import { HotspotsOperator } from '../src/operators/kda/hotspots.js';
import { RandomCutForestWithExplanationOperator } from '../src/operators/kda/rcf-explanation-operator.js';
import { RandomCutForestOperator } from '../src/operators/kda/rcf-operator.js';
import type { KdaTableFunction } from '../src/operators/kda/table-functions.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' } } });
const RECORDS = Number(values.records);
const ROUNDS = Number(values.rounds);
const BATCH = 1000;

function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batches(columns: unknown[][]): ChangelogRows[] {
  const out: ChangelogRows[] = [];
  for (let at = 0; at < columns[0]!.length; at += BATCH) {
    const cols = columns.map((c) => c.slice(at, at + BATCH));
    out.push({ count: cols[0]!.length, columns: cols, rowtimes: Array.from({ length: cols[0]!.length }, (_, i) => at + i) });
  }
  return out;
}

function heartRates(n: number): unknown[][] {
  const rand = uniform(1);
  const rate = Array.from({ length: n }, () => (rand() < 0.01 ? 150 + Math.floor(rand() * 51) : 60 + Math.floor(rand() * 41)));
  return [rate];
}

/** 10 + 3 sin(2πt/200) plus uniform noise: every value distinct, so no score ends at a duplicate leaf. */
function noisyCycle(n: number): unknown[][] {
  const rand = uniform(4);
  return [Array.from({ length: n }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 200) + rand() - 0.5)];
}

function bloodPressure(n: number): unknown[][] {
  const rand = uniform(2);
  const sys: number[] = [];
  const dia: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const [s, d] = r < 0.005 ? [[50, 80], [30, 50]] : r > 0.995 ? [[130, 200], [90, 150]] : [[90, 120], [60, 80]];
    sys.push(s![0]! + Math.floor(rand() * (s![1]! - s![0]! + 1)));
    dia.push(d![0]! + Math.floor(rand() * (d![1]! - d![0]! + 1)));
  }
  return [sys, dia];
}

function hotspotPoints(n: number): unknown[][] {
  const rand = uniform(3);
  const xs: number[] = [];
  const ys: number[] = [];
  let spot = { x: 0, y: 0 };
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) spot = { x: rand() * 9, y: rand() * 9 };
    const hot = rand() < 0.2;
    xs.push(hot ? spot.x + rand() : rand() * 10);
    ys.push(hot ? spot.y + rand() : rand() * 10);
  }
  return [xs, ys];
}

interface Rate {
  /** Records per second of wall-clock time, best and worst round. */
  readonly best: number;
  readonly worst: number;
  /** Records per second of this process's CPU time in the best round: what one core does when others share it. */
  readonly cpu: number;
  readonly last: ChangelogRows[];
}

/** Throughput over `RECORDS` records after a warm-up of 20,000, best of `ROUNDS`, and the last round's outputs. */
function measure(make: () => KdaTableFunction, columns: unknown[][]): Rate {
  const warm = batches(columns.map((c) => c.slice(0, 20_000)));
  const timed = batches(columns.map((c) => c.slice(20_000)));
  const rates: { wall: number; cpu: number }[] = [];
  let last: ChangelogRows[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const op = make();
    for (const b of warm) op.processBatch(b, () => {});
    const outputs: ChangelogRows[] = [];
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const b of timed) op.processBatch(b, (o) => outputs.push(o));
    const used = process.cpuUsage(cpu);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push({ wall: RECORDS / seconds, cpu: RECORDS / ((used.user + used.system) / 1e6) });
    last = outputs;
  }
  const best = rates.reduce((a, b) => (b.wall > a.wall ? b : a));
  return { best: best.wall, worst: Math.min(...rates.map((r) => r.wall)), cpu: best.cpu, last };
}

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(3);
  return `min ${sorted[0]!.toFixed(3)}  p10 ${at(0.1)}  p50 ${at(0.5)}  p90 ${at(0.9)}  p99 ${at(0.99)}  p99.9 ${at(0.999)}  max ${sorted[sorted.length - 1]!.toFixed(3)}`;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const total = RECORDS + 20_000;

const rateLine = (r: Rate) => `${fmt(r.best)} records/s (best of ${ROUNDS}; worst ${fmt(r.worst)}; ${fmt(r.cpu)} per CPU-second)`;

const rcf = measure(() => new RandomCutForestOperator({ function: 'RANDOM_CUT_FOREST', input: [{ name: 'heartRate', type: 'INTEGER' }] }), heartRates(total));
console.log(`RANDOM_CUT_FOREST, 100 trees, sample 256, 1 numeric column (heart rates): ${rateLine(rcf)}`);
const scores = rcf.last.flatMap((b) => b.columns[1] as number[]);
console.log(`  ANOMALY_SCORE over ${fmt(scores.length)} records: ${percentiles(scores)}`);
const rates = rcf.last.flatMap((b) => b.columns[0] as number[]);
console.log(`  heartRate 150..200 (1%): ${percentiles(scores.filter((_, i) => rates[i]! >= 150))}`);

const wave = measure(() => new RandomCutForestOperator({ function: 'RANDOM_CUT_FOREST', input: [{ name: 'x', type: 'DOUBLE' }] }), noisyCycle(total));
console.log(`RANDOM_CUT_FOREST, same, 1 continuous column (a noisy cycle, no two values equal): ${rateLine(wave)}`);
console.log(`  ANOMALY_SCORE: ${percentiles(wave.last.flatMap((b) => b.columns[1] as number[]))}`);

const explained = measure(
  () => new RandomCutForestWithExplanationOperator({ function: 'RANDOM_CUT_FOREST_WITH_EXPLANATION', input: [{ name: 'Systolic', type: 'INTEGER' }, { name: 'Diastolic', type: 'INTEGER' }], withDirectionality: true }),
  bloodPressure(total),
);
console.log(`RANDOM_CUT_FOREST_WITH_EXPLANATION, 100 trees, 2 columns, directionality: ${rateLine(explained)}`);
console.log(`  ANOMALY_SCORE: ${percentiles(explained.last.flatMap((b) => b.columns[2] as number[]))}`);

const hot = measure(
  () => new HotspotsOperator({ function: 'HOTSPOTS', input: [{ name: 'x', type: 'DOUBLE' }, { name: 'y', type: 'DOUBLE' }], windowSize: 1000, scanRadius: 0.2, minimumNumberOfPointsInAHotspot: 17 }),
  hotspotPoints(total),
);
console.log(`HOTSPOTS, window 1000, radius 0.2, 17 points, 2 columns: ${rateLine(hot)}`);
