import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeClickstreamFile } from './clickstream.js';
import { Engine } from '../src/runtime/engine.js';

/**
 * `npm run bench`: 1M generated clickstream events through a 10 s tumbling count-by-page, end to
 * end with `sluice run`, beside DuckDB's read_json + GROUP BY time_bucket over the same file, in
 * one run. Then the memory cost of open window state with 1M distinct keys.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const dir = join(tmpdir(), 'sluice-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `clicks-${EVENTS}.ndjson`);
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

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

async function sluiceRun(workers: number): Promise<{ seconds: number; engineSeconds: number; rssMb: number; rows: number }> {
  const app = join(dir, 'app.sql');
  writeFileSync(app, APP);
  const out = join(dir, 'page_views.ndjson');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', app, '--input', `clicks=${input}`, '--output', `page_views=${out}`, '--workers', String(workers)], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sluice run failed: ${r.stderr}`);
  const m = /records in ([\d.]+) s .*page_views: (\d+) rows; peak RSS (\d+) MB/.exec(r.stderr);
  if (!m) throw new Error(`unexpected summary: ${r.stderr}`);
  return { seconds, engineSeconds: Number(m[1]), rows: Number(m[2]), rssMb: Number(m[3]) };
}

async function duckdbRun(threads: number): Promise<{ seconds: number; rows: number }> {
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await inst.connect();
  const t0 = performance.now();
  const r = await conn.runAndReadAll(`SELECT time_bucket(INTERVAL '10 seconds', ts) AS window_start, page, count(*) AS views
    FROM read_json('${input}', format = 'newline_delimited', columns = {ts: 'TIMESTAMP', user_id: 'VARCHAR', page: 'VARCHAR', country: 'VARCHAR', duration_ms: 'BIGINT'})
    GROUP BY ALL`);
  const seconds = (performance.now() - t0) / 1000;
  const rows = r.currentRowCount;
  conn.closeSync();
  inst.closeSync();
  return { seconds, rows };
}

/** Bytes of heap and array buffers per open group, with 1M distinct keys in one open window. */
async function stateBytesPerGroup(keys: number): Promise<{ perGroup: number; groups: number }> {
  const engine = new Engine({ workers: 0 });
  engine.execute(`CREATE STREAM k (ts TIMESTAMP, id VARCHAR, WATERMARK FOR ts AS ts);
    CREATE STREAM per_key AS SELECT id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE k, DESCRIPTOR(ts), INTERVAL '1' DAY)) GROUP BY window_start, window_end, id;`);
  const rt = engine.runtime('k');
  const ids: string[] = [];
  for (let i = 0; i < keys; i++) ids.push(`key-${i.toString(36)}`);
  const batch = 50_000;
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
  const best = async <T extends { seconds: number }>(f: () => Promise<T>): Promise<T> => {
    await f();
    const a = await f();
    const b = await f();
    return a.seconds <= b.seconds ? a : b;
  };
  const duck1 = await best(() => duckdbRun(1));
  const duckN = await best(() => duckdbRun(cores));
  const s0 = await best(() => sluiceRun(0));
  const sN = await best(() => sluiceRun(cores));
  const rate = (seconds: number) => EVENTS / seconds;
  const line = (label: string, seconds: number, extra = '') => process.stdout.write(`${label.padEnd(52)} ${seconds.toFixed(3)} s  ${fmt(rate(seconds)).padStart(6)} events/s${extra}\n`);
  line('DuckDB read_json + GROUP BY time_bucket, 1 thread', duck1.seconds);
  line(`DuckDB read_json + GROUP BY time_bucket, ${cores} threads`, duckN.seconds, `  (threads scale ${(duck1.seconds / duckN.seconds).toFixed(2)}x here)`);
  line('sluice run --workers 0, replay (after start-up)', s0.engineSeconds, `  ${(duck1.seconds / s0.engineSeconds).toFixed(2)}x DuckDB 1 thread, ${(duckN.seconds / s0.engineSeconds).toFixed(2)}x DuckDB ${cores} threads`);
  line('sluice run --workers 0, whole process', s0.seconds, `  ${(duck1.seconds / s0.seconds).toFixed(2)}x DuckDB 1 thread`);
  line(`sluice run --workers ${cores}, replay (after start-up)`, sN.engineSeconds, `  ${(duckN.seconds / sN.engineSeconds).toFixed(2)}x DuckDB ${cores} threads  [target >= 0.5x]`);
  line(`sluice run --workers ${cores}, whole process`, sN.seconds, `  ${(duckN.seconds / sN.seconds).toFixed(2)}x DuckDB ${cores} threads`);
  process.stdout.write(`rows out: DuckDB ${duckN.rows}, sluice ${sN.rows}; peak RSS sluice --workers 0: ${s0.rssMb} MB, --workers ${cores}: ${sN.rssMb} MB  [target < 300 MB]\n\n`);
  const state = await stateBytesPerGroup(Number(process.env['BENCH_KEYS'] ?? 1_000_000));
  process.stdout.write(`open window state: ${state.groups} groups, ${state.perGroup.toFixed(0)} bytes per open group  [target < 250]\n`);
}

await main();
