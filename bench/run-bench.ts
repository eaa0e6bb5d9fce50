import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbReadClickstream, writeClickstreamFile } from './clickstream.js';
import { Engine } from '../src/runtime/engine.js';
import { defaultWorkers as defaultWorkersFor } from '../src/cli/run.js';

/**
 * `npm run bench`: 1M generated clickstream events through a 10 s tumbling count-by-page, end to
 * end with `sluice run`, beside DuckDB's read_json + GROUP BY time_bucket over the same file, in
 * one run. Then the memory cost of open window state with 1M distinct keys. BENCH_EVENTS sets the
 * input size, BENCH_ROUNDS the number of interleaved rounds (default 5), BENCH_KEYS the distinct keys
 * of the state measurement, BENCH_DIR the folder for the data (default: sluice-bench in the temp folder).
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
// BENCH_DIR: where the input and outputs go (the smoke test gives its own folder).
const dir = process.env['BENCH_DIR'] ?? join(tmpdir(), 'sluice-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `clicks-${EVENTS}.ndjson`);
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const duckdbCli = fileURLToPath(new URL('./duckdb-run.js', import.meta.url));

const APP = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM page_views AS
SELECT window_start, window_end, page, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, page;`;

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

/** `workers` null: sluice's own default (no --workers flag). */
async function sluiceRun(workers: number | null): Promise<{ seconds: number; engineSeconds: number; rssMb: number; rows: number }> {
  const app = join(dir, 'app.sql');
  writeFileSync(app, APP);
  const out = join(dir, 'page_views.ndjson');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', app, '--input', `clicks=${input}`, '--output', `page_views=${out}`, ...(workers === null ? [] : ['--workers', String(workers)])], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sluice run failed: ${r.stderr}`);
  const m = /records in ([\d.]+) s .*page_views: (\d+) rows; peak RSS (\d+) MB/.exec(r.stderr);
  if (!m) throw new Error(`unexpected summary: ${r.stderr}`);
  return { seconds, engineSeconds: Number(m[1]), rows: Number(m[2]), rssMb: Number(m[3]) };
}

/** DuckDB in this process: `seconds` times the query alone, `withOpen` also creating the instance. */
async function duckdbRun(threads: number): Promise<{ seconds: number; withOpen: number; rows: number }> {
  const opened = performance.now();
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await inst.connect();
  const t0 = performance.now();
  const r = await conn.runAndReadAll(`SELECT time_bucket(INTERVAL '10 seconds', ts) AS window_start, page, count(*) AS views
    FROM ${duckdbReadClickstream(input)}
    GROUP BY ALL`);
  const end = performance.now();
  const rows = r.currentRowCount;
  conn.closeSync();
  inst.closeSync();
  return { seconds: (end - t0) / 1000, withOpen: (end - opened) / 1000, rows };
}

/** DuckDB as a process of its own (bench/duckdb-run.ts), timed like `sluice run`: start to exit. */
function duckdbProcess(threads: number): { seconds: number; rows: number } {
  const out = join(dir, 'duckdb-page-views.ndjson');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [duckdbCli, input, out, String(threads)], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`duckdb-run failed: ${r.stderr}`);
  return { seconds, rows: Number(/(\d+) rows/.exec(r.stdout)?.[1] ?? NaN) };
}

/** Bytes of heap and array buffers per open group, with 1M distinct keys in one open window. */
async function stateBytesPerGroup(keys: number): Promise<{ perGroup: number; groups: number }> {
  const engine = new Engine({ workers: 0 });
  engine.execute(`CREATE STREAM k (ts TIMESTAMP, id VARCHAR, WATERMARK FOR ts AS ts);
    CREATE STREAM per_key AS SELECT id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE k, DESCRIPTOR(ts), INTERVAL '1' DAY)) GROUP BY window_start, window_end, id;`);
  const rt = engine.runtime('k');
  const ids: string[] = [];
  for (let i = 0; i < keys; i++) ids.push(`key-${i.toString(36)}`);
  // The first batch is measured from, so it must leave most keys to come (BENCH_KEYS may be small).
  const batch = Math.max(1, Math.min(50_000, Math.floor(keys / 4)));
  const lines = (from: number) => Buffer.from(ids.slice(from, from + batch).map((id) => `{"ts":"2026-11-25T01:00:00.000Z","id":"${id}"}`).join('\n') + '\n');
  await rt.ingest(lines(0));
  globalThis.gc?.();
  const before = process.memoryUsage();
  for (let from = batch; from < keys; from += batch) await rt.ingest(lines(from));
  globalThis.gc?.();
  const after = process.memoryUsage();
  const runner = engine.runnersOf('k')[0]!;
  const groups = runner.window!.openGroups;
  const used = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  await engine.close();
  // The key strings themselves are input data held once; count them, as they are part of the state.
  return { perGroup: used / (groups - batch), groups };
}

async function main(): Promise<void> {
  if (!existsSync(input)) {
    process.stdout.write(`generating ${EVENTS} events into ${input} ...\n`);
    await writeClickstreamFile(input, { events: EVENTS, pages: 50, seed: 1 });
  }
  const mb = statSync(input).size / 1e6;
  const cores = availableParallelism();
  process.stdout.write(`input: ${EVENTS} events, ${mb.toFixed(0)} MB NDJSON; ${cores} cores\n\n`);
  // Rounds interleave every configuration, so load from other processes falls on all of them alike;
  // each line gives the best round and the range, ratios compare best with best.
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5);
  const defaultWorkers = defaultWorkersFor(statSync(input).size, cores);
  type Sluice = Awaited<ReturnType<typeof sluiceRun>>;
  const runs = { duck1: [] as { seconds: number; withOpen: number; rows: number }[], duckN: [] as { seconds: number; withOpen: number; rows: number }[], duckProc: [] as { seconds: number; rows: number }[], s0: [] as Sluice[], sN: [] as Sluice[], sDefault: [] as Sluice[] };
  await duckdbRun(cores);
  duckdbProcess(cores);
  await sluiceRun(0);
  for (let r = 0; r < rounds; r++) {
    runs.duck1.push(await duckdbRun(1));
    runs.duckN.push(await duckdbRun(cores));
    runs.duckProc.push(duckdbProcess(cores));
    runs.s0.push(await sluiceRun(0));
    runs.sN.push(await sluiceRun(cores));
    if (defaultWorkers !== 0 && defaultWorkers !== cores) runs.sDefault.push(await sluiceRun(null));
  }
  const range = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { best: sorted[0]!, worst: sorted[sorted.length - 1]! };
  };
  const rate = (seconds: number) => EVENTS / seconds;
  const line = (label: string, xs: number[], extra = '') => {
    const { best, worst } = range(xs);
    process.stdout.write(`${label.padEnd(52)} ${best.toFixed(3)} s  ${fmt(rate(best)).padStart(6)} events/s  (${best.toFixed(2)}–${worst.toFixed(2)} s)${extra}\n`);
    return best;
  };
  process.stdout.write(`best of ${rounds} interleaved rounds (range in brackets); sluice run without --workers uses ${defaultWorkers} workers here\n`);
  const d1 = line('DuckDB read_json + GROUP BY time_bucket, 1 thread', runs.duck1.map((r) => r.seconds));
  const dN = line(`DuckDB read_json + GROUP BY time_bucket, ${cores} threads`, runs.duckN.map((r) => r.seconds), `  (threads scale ${(range(runs.duck1.map((r) => r.seconds)).best / range(runs.duckN.map((r) => r.seconds)).best).toFixed(2)}x here)`);
  const dNOpen = line(`  the same, counting DuckDB's instance start-up`, runs.duckN.map((r) => r.withOpen));
  const dProc = line(`DuckDB as a process, start to exit, ${cores} threads`, runs.duckProc.map((r) => r.seconds), `  (bench/duckdb-run.ts: writes NDJSON too)`);
  const vs = (s: number) => `  ${(d1 / s).toFixed(2)}x DuckDB 1 thread, ${(dN / s).toFixed(2)}x DuckDB ${cores} threads`;
  const sluiceLines = (label: string, xs: Sluice[], target: string) => {
    line(`${label}, replay (after start-up)`, xs.map((r) => r.engineSeconds), vs(range(xs.map((r) => r.engineSeconds)).best) + target);
    const whole = range(xs.map((r) => r.seconds)).best;
    line(`${label}, whole process`, xs.map((r) => r.seconds), `  ${(dProc / whole).toFixed(2)}x DuckDB as a process${target}; ${(dNOpen / whole).toFixed(2)}x DuckDB in-process with its start-up`);
  };
  sluiceLines('sluice run --workers 0', runs.s0, defaultWorkers === 0 ? '  [default here; target >= 0.5x]' : '');
  sluiceLines(`sluice run --workers ${cores}`, runs.sN, defaultWorkers === cores ? '  [default here; target >= 0.5x]' : '');
  if (runs.sDefault.length) sluiceLines('sluice run (default workers)', runs.sDefault, '  [target >= 0.5x]');
  process.stdout.write('Engine against engine: sluice\'s replay beside DuckDB\'s query, both timed inside their process. End to end: both as a process\n');
  process.stdout.write('started from here, reading the file and writing NDJSON. The in-process figure times DuckDB without starting node or loading its library.\n');
  const rss = (xs: Sluice[]) => Math.max(...xs.map((r) => r.rssMb));
  process.stdout.write(`rows out: DuckDB ${runs.duckN[0]!.rows} (as a process ${runs.duckProc[0]!.rows}), sluice ${runs.sN[0]!.rows}; peak RSS sluice --workers 0: ${rss(runs.s0)} MB, --workers ${cores}: ${rss(runs.sN)} MB  [target < 300 MB]\n\n`);
  const state = await stateBytesPerGroup(Number(process.env['BENCH_KEYS'] ?? 1_000_000));
  process.stdout.write(`open window state: ${state.groups} groups, ${state.perGroup.toFixed(0)} bytes per open group  [target < 250]\n`);
}

await main();
