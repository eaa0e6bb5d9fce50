import { Bench } from 'tinybench';
import { generateClickEvents } from './clickstream.js';
import type { ChangelogRows } from '../src/operators/changelog.js';
import type { Operator } from '../src/operators/operator.js';
import { OverAggregate } from '../src/operators/over-aggregate.js';
import { Rank } from '../src/operators/rank.js';
import { Deduplicate } from '../src/operators/deduplicate.js';
import { GroupAggregate } from '../src/operators/group-aggregate.js';
import { WindowRank } from '../src/operators/window-rank.js';

/**
 * `npm run bench:operators`: rows per second of each changelog operator on one thread, fed
 * generated clickstream events already decoded into columns (ts as epoch ms), in batches of 4096
 * rows with a watermark 2 s behind the latest ts after each batch. Rates are given per second of
 * this process's CPU time (what one core does, even on a busy machine) and per second of wall
 * time. BENCH_EVENTS sets the number of events (default 1M), BENCH_ITERATIONS the timed runs per
 * operator (default 3).
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 3);
const BATCH = 4096;
const [TS, USER, PAGE, COUNTRY, DURATION] = [0, 1, 2, 3, 4];

interface Input { readonly batches: ChangelogRows[]; readonly watermarks: number[]; readonly rows: number }

function clickBatches(): Input {
  const batches: ChangelogRows[] = [];
  const watermarks: number[] = [];
  let cols: unknown[][] = [[], [], [], [], []];
  let max = -Infinity;
  const flush = (): void => {
    batches.push({ count: cols[0]!.length, columns: cols, rowtimes: cols[TS] as number[] });
    watermarks.push(max - 2000);
    cols = [[], [], [], [], []];
  };
  for (const e of generateClickEvents({ events: EVENTS, seed: 42 })) {
    const ts = Date.parse(e.ts);
    max = Math.max(max, ts);
    cols[TS]!.push(ts);
    cols[USER]!.push(e.user_id);
    cols[PAGE]!.push(e.page);
    cols[COUNTRY]!.push(e.country);
    cols[DURATION]!.push(e.duration_ms);
    if (cols[0]!.length === BATCH) flush();
  }
  if (cols[0]!.length > 0) flush();
  return { batches, watermarks, rows: EVENTS };
}

/** Runs every batch through a fresh operator; returns the rows it emitted, so the work cannot be skipped. */
function drive(make: () => Operator<ChangelogRows, ChangelogRows>, input: Input, collect?: ChangelogRows[]): number {
  const op = make();
  let emitted = 0;
  const out = (r: ChangelogRows): void => {
    emitted += r.count;
    collect?.push(r);
  };
  input.batches.forEach((b, i) => {
    op.processBatch(b, out);
    op.onWatermark(input.watermarks[i]!, out);
  });
  op.onWatermark(Infinity, out);
  return emitted;
}

const clicks = clickBatches();
// Window Top-N reads rows that carry their 10 s tumbling window, as a window TVF gives them.
const windowed: Input = {
  ...clicks,
  batches: clicks.batches.map((b) => {
    const starts = (b.columns[TS] as number[]).map((t) => t - (t % 10_000));
    return { ...b, columns: [...b.columns, starts, starts.map((s) => s + 10_000)] };
  }),
};
// GROUP BY over retracting input: the changelog of the latest event per user.
const latestPerUser: ChangelogRows[] = [];
drive(() => new Deduplicate({ inputWidth: 5, keys: [USER], keep: 'last', order: 'arrival' }), clicks, latestPerUser);
const retracting: Input = { batches: latestPerUser, watermarks: latestPerUser.map(() => -Infinity), rows: latestPerUser.reduce((n, b) => n + b.count, 0) };

const late = (): void => { throw new Error('unexpected late row'); };
const cases: [string, Input, () => Operator<ChangelogRows, ChangelogRows>][] = [
  ['OVER ROWS 10 PRECEDING SUM, per user, event time', clicks, () => new OverAggregate({ inputWidth: 5, partitionBy: [USER], orderBy: TS, time: 'event', frame: { kind: 'rows', preceding: 10 }, calls: [{ fn: 'SUM', arg: DURATION }] }, { onLate: late })],
  ['OVER ROWS 10 PRECEDING SUM, per page, event time', clicks, () => new OverAggregate({ inputWidth: 5, partitionBy: [PAGE], orderBy: TS, time: 'event', frame: { kind: 'rows', preceding: 10 }, calls: [{ fn: 'SUM', arg: DURATION }] }, { onLate: late })],
  ['OVER ROWS 10 PRECEDING SUM, per user, arrival order', clicks, () => new OverAggregate({ inputWidth: 5, partitionBy: [USER], orderBy: 'rowtime', time: 'arrival', frame: { kind: 'rows', preceding: 10 }, calls: [{ fn: 'SUM', arg: DURATION }] })],
  ['OVER RANGE 1 MINUTE COUNT, SUM, MAX, per page, event time', clicks, () => new OverAggregate({ inputWidth: 5, partitionBy: [PAGE], orderBy: TS, time: 'event', frame: { kind: 'range', precedingMs: 60_000 }, calls: [{ fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'MAX', arg: DURATION }] }, { onLate: late })],
  ['Top-10 per page, insert-only, with rank number', clicks, () => new Rank({ inputWidth: 5, partitionBy: [PAGE], orderBy: [{ column: DURATION, descending: true }], fn: 'ROW_NUMBER', limit: 10, outputRank: true, inputRetracts: false })],
  ['Top-10 per page, insert-only, no rank number', clicks, () => new Rank({ inputWidth: 5, partitionBy: [PAGE], orderBy: [{ column: DURATION, descending: true }], fn: 'ROW_NUMBER', limit: 10, outputRank: false, inputRetracts: false })],
  ['Dedup keep first per user, arrival', clicks, () => new Deduplicate({ inputWidth: 5, keys: [USER], keep: 'first', order: 'arrival' })],
  ['Dedup keep last per user, arrival', clicks, () => new Deduplicate({ inputWidth: 5, keys: [USER], keep: 'last', order: 'arrival' })],
  ['Dedup keep first per user, event time', clicks, () => new Deduplicate({ inputWidth: 5, keys: [USER], keep: 'first', order: { time: TS } }, { onLate: late })],
  ['GROUP BY page COUNT, SUM, MAX, insert-only', clicks, () => new GroupAggregate({ keys: [PAGE], inputRetracts: false, calls: [{ fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'MAX', arg: DURATION }] })],
  ['GROUP BY country COUNT, SUM, MAX over latest-per-user changelog', retracting, () => new GroupAggregate({ keys: [COUNTRY], inputRetracts: true, calls: [{ fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'MAX', arg: DURATION }] })],
  ['Window Top-10 per 10 s window and country', windowed, () => new WindowRank({ inputWidth: 7, windowStart: 5, windowEnd: 6, partitionBy: [COUNTRY], orderBy: [{ column: DURATION, descending: true }], fn: 'ROW_NUMBER', limit: 10, outputRank: true }, { onLate: late })],
];

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const bench = new Bench({ iterations: ITERATIONS, time: 0, warmupIterations: 1, warmupTime: 0, now: cpuMs });
const emitted = new Map<string, number>();
const wall = new Map<string, number[]>();
for (const [name, input, make] of cases) {
  bench.add(name, () => {
    const t0 = performance.now();
    emitted.set(name, drive(make, input));
    wall.set(name, [...(wall.get(name) ?? []), performance.now() - t0]);
  });
}
await bench.run();

console.log(`${EVENTS.toLocaleString('en')} clickstream events, batches of ${BATCH}, ${ITERATIONS} timed runs each (mean); rows/s per CPU second and per wall second`);
for (const task of bench.tasks) {
  const [, input] = cases.find(([name]) => name === task.name)!;
  const cpu = task.result!.latency.mean;
  const walls = wall.get(task.name)!.slice(-ITERATIONS);
  const wallMs = walls.reduce((a, b) => a + b, 0) / walls.length;
  const rate = (ms: number): string => `${(input.rows / ms / 1000).toFixed(2)}M`.padStart(6);
  console.log(`${task.name.padEnd(64)} ${rate(cpu)} rows/s cpu  ${rate(wallMs)} wall  (${input.rows.toLocaleString('en')} rows in ${cpu.toFixed(0)} ms cpu, ${emitted.get(task.name)!.toLocaleString('en')} out)`);
}
