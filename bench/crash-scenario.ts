/**
 * Exactly-once across crashes, end to end: a seeded clickstream is put into the ingest log, and
 * `sluice start --data DIR --app app.sql` counts it per page in 1 s tumbling windows into a DuckDB
 * table, a Parquet folder and an NDJSON file. One run goes undisturbed; another is SIGKILLed again and again (right
 * after a checkpoint is written, right after a sink commits, a few ms after either, or at a random
 * time) and restarted until every window is out. Both must hold exactly the rows the data implies.
 * Shared by test/runtime/exactly-once.test.ts and `npm run bench:crash`.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { LogStore } from '../src/ingest/index.js';
import { generateClickEvents, mulberry32 } from './clickstream.js';

// The built CLI, from dist/bench (npm run bench:crash) or from bench/ (vitest runs this file as TypeScript).
const CLI = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../src/cli/main.js' : '../dist/src/cli/main.js', import.meta.url));

export interface CrashScenarioOptions {
  readonly dir: string;
  readonly events: number;
  readonly seed: number;
  /** SIGKILLs before the last run is let finish. */
  readonly kills: number;
  readonly checkpointMs: number;
  readonly shards?: number;
  readonly workers?: number;
  /** Told each run and kill as it happens. */
  readonly progress?: (line: string) => void;
}

export interface CrashScenarioResult {
  /** Processes started for the crashed copy, the last (undisturbed) one included. */
  readonly runs: number;
  readonly kills: readonly string[];
  /** Rows the data implies: one per (window, page) of every window the final watermark closed. */
  readonly expected: number;
  readonly baseline: Outputs;
  readonly crashed: Outputs;
  /** Both copies' DuckDB and Parquet outputs hold exactly the expected rows, each once. */
  readonly matched: boolean;
  readonly problems: readonly string[];
}

export interface Outputs {
  readonly duckdb: string[];
  readonly parquet: string[];
  readonly ndjson: string[];
  /** Hidden pending part files left in the Parquet folder after a clean stop (should be none). */
  readonly leftovers: string[];
}

const WINDOW_MS = 1000;
const STALL_MS = 15_000;
const RUN_DEADLINE_MS = 120_000;
const DELAY_MS = 2000;

/** The application, writing into `out`. */
function app(out: string): string {
  const select = `SELECT window_start, page, COUNT(*) AS views, SUM(duration_ms) AS dwell
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, page`;
  return `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, duration_ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
  WITH (source = 'kinesis', stream = 'clicks', format = 'json');
CREATE STREAM views_db WITH (sink = 'duckdb', path = '${path.join(out, 'views.duckdb')}', table = 'views') AS ${select};
CREATE STREAM views_lake WITH (sink = 'file', path = '${path.join(out, 'lake')}', format = 'parquet') AS ${select};
CREATE STREAM views_file WITH (sink = 'file', path = '${path.join(out, 'views.ndjson')}') AS ${select};
`;
}

/** Puts the events into a fresh log and returns the rows they imply, as canonical text. */
async function prepare(dataDir: string, o: CrashScenarioOptions): Promise<string[]> {
  const log = await LogStore.open(dataDir);
  const groups = new Map<string, { views: number; dwell: number }>();
  let maxTs = -Infinity;
  try {
    const stream = await log.createStream('clicks', o.shards ?? 2);
    let batch: { partitionKey: string; data: Buffer }[] = [];
    for (const e of generateClickEvents({ events: o.events, seed: o.seed, pages: 20, eventsPerSecond: 1000 })) {
      const ts = Date.parse(e.ts);
      maxTs = Math.max(maxTs, ts);
      const key = `${Math.floor(ts / WINDOW_MS) * WINDOW_MS}|${e.page}`;
      const g = groups.get(key) ?? { views: 0, dwell: 0 };
      g.views++;
      g.dwell += e.duration_ms;
      groups.set(key, g);
      batch.push({ partitionKey: e.user_id, data: Buffer.from(JSON.stringify({ ts: e.ts, user_id: e.user_id, page: e.page, duration_ms: e.duration_ms })) });
      if (batch.length === 500) {
        await stream.append(batch);
        batch = [];
      }
    }
    if (batch.length) await stream.append(batch);
  } finally {
    await log.close();
  }
  // The source's shards go idle once read to the end: the watermark reaches the newest event less the delay.
  const watermark = maxTs - DELAY_MS;
  return [...groups].filter(([key]) => Number(key.split('|')[0]) + WINDOW_MS <= watermark).map(([key, g]) => `${key}|${g.views}|${g.dwell}`).sort();
}

interface Child {
  readonly exited: Promise<number | null>;
  /** The last lines the process wrote to stderr. */
  readonly tail: string[];
  readonly url: Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `sluice start`; `onLine` sees each stderr line as it comes (and may kill the child right there). */
function start(dataDir: string, appFile: string, o: CrashScenarioOptions, crashAt: string | undefined, onLine: (line: string, child: Child) => void): Child {
  // The outputs live beside the data directory, which sluice start only writes into when told.
  const args = [CLI, 'start', '--data', dataDir, '--allow-path', path.join(path.dirname(dataDir), 'out'), '--app', appFile, '--port', '0', '--no-throttle', '--checkpoint-interval', String(o.checkpointMs), '--workers', String(o.workers ?? 2)];
  const proc = spawn(process.execPath, args, { env: { ...process.env, SLUICE_TRACE_CHECKPOINTS: '1', ...(crashAt ? { SLUICE_CRASH_AT: crashAt } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    void exited.then(() => reject(new Error('sluice exited before listening')));
  });
  url.catch(() => undefined);
  const child: Child = { exited, url, tail: [], kill: (signal) => proc.kill(signal) };
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolveUrl(m[1]!);
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    let nl: number;
    while ((nl = err.indexOf('\n')) >= 0) {
      child.tail.push(err.slice(0, nl));
      if (child.tail.length > 20) child.tail.shift();
      onLine(err.slice(0, nl), child);
      err = err.slice(nl + 1);
    }
  });
  return child;
}

/** Rows committed so far: the DuckDB table through the server's POST /sql, the Parquet parts read here. */
async function committedCounts(url: string, out: string, duck: DuckDBInstance): Promise<[number, number]> {
  let db = -1;
  try {
    const r = await fetch(`${url}/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM views', database: path.join(out, 'views.duckdb') }) });
    if (r.ok) db = Number(((await r.json()) as { rows: { n: unknown }[] }).rows[0]!.n);
  } catch {
    // Not up yet, or killed meanwhile.
  }
  return [db, (await readParquet(out, duck)).length];
}

async function readParquet(out: string, duck: DuckDBInstance): Promise<string[]> {
  const folder = path.join(out, 'lake');
  const parts = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => /^part-\d+\.parquet$/.test(f)) : [];
  if (parts.length === 0) return [];
  const conn = await duck.connect();
  try {
    return canonical(await conn.runAndReadAll(`SELECT epoch_ms(window_start) AS w, page, views, dwell FROM read_parquet([${parts.map((f) => `'${path.join(folder, f)}'`).join(', ')}])`));
  } finally {
    conn.closeSync();
  }
}

function canonical(reader: { getRowObjectsJS(): Record<string, unknown>[] }): string[] {
  return reader.getRowObjectsJS().map((r) => `${Number(r['w'])}|${String(r['page'])}|${Number(r['views'])}|${Number(r['dwell'])}`).sort();
}

async function readOutputs(out: string): Promise<Outputs> {
  const duck = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const parquet = await readParquet(out, duck);
    const conn = await duck.connect();
    let duckdb: string[];
    try {
      await conn.run(`ATTACH '${path.join(out, 'views.duckdb')}' AS out (READ_ONLY)`);
      duckdb = canonical(await conn.runAndReadAll('SELECT epoch_ms(window_start) AS w, page, views, dwell FROM out.views'));
    } finally {
      conn.closeSync();
    }
    const leftovers = fs.readdirSync(path.join(out, 'lake')).filter((f) => f.startsWith('.'));
    const file = path.join(out, 'views.ndjson');
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];
    const ndjson = lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((r) => `${Date.parse(String(r['window_start']))}|${String(r['page'])}|${Number(r['views'])}|${Number(r['dwell'])}`).sort();
    return { duckdb, parquet, ndjson, leftovers };
  } finally {
    duck.closeSync();
  }
}

/** Runs one copy: `killAt` picks, per run, the line to SIGKILL on (or a time); null lets the run finish. */
async function runCopy(name: string, o: CrashScenarioOptions, expected: number, kills: string[]): Promise<{ outputs: Outputs; runs: number }> {
  const dataDir = path.join(o.dir, name, 'data');
  const out = path.join(o.dir, name, 'out');
  fs.mkdirSync(out, { recursive: true });
  const appFile = path.join(o.dir, name, 'app.sql');
  fs.writeFileSync(appFile, app(out));
  const random = mulberry32(o.seed * 7919 + name.length);
  const duck = await DuckDBInstance.create(':memory:', { threads: '1' });
  let runs = 0;
  try {
    for (;;) {
      runs++;
      const crash = kills.length < (name === 'crashed' ? o.kills : 0) ? plan(kills.length, random) : null;
      let seen = 0;
      const child = start(dataDir, appFile, o, crash?.crashAt, (line, c) => {
        if (line.includes('(SLUICE_CRASH_AT)')) kills.push(`${crash!.label}: ${line.replace(/^sluice: /, '')}`);
        if (crash?.kind !== 'observed' || !line.includes(' written') || ++seen !== crash.nth) return;
        setTimeout(() => {
          c.kill('SIGKILL');
          kills.push(`${crash.label} (${line.replace(/^sluice: /, '')})`);
        }, crash.delayMs);
      });
      const url = await child.url.catch(() => null);
      if (crash?.kind === 'time') {
        setTimeout(() => {
          child.kill('SIGKILL');
          kills.push(crash.label);
        }, crash.delayMs);
      }
      let done = false;
      let last = '';
      const ended = child.exited.then(() => {
        done = true;
        if (crash && kills.length) kills[kills.length - 1] += ` [committed so far: DuckDB ${last.split(' ')[0] || '?'}, Parquet ${last.split(' ')[1] || '?'} of ${expected} rows]`;
      });
      // A run to the end stops once every expected row is out, or once nothing has moved for STALL_MS (rows lost).
      let movedAt = Date.now();
      const deadline = Date.now() + RUN_DEADLINE_MS;
      while (!done && url) {
        const [db, lake] = await committedCounts(url, out, duck);
        if (!crash && db >= expected && lake >= expected) break;
        if (`${db} ${lake}` !== last) [last, movedAt] = [`${db} ${lake}`, Date.now()];
        if (!crash && Date.now() - movedAt > STALL_MS) break;
        if (Date.now() > deadline) throw new Error(`${name}: run ${runs} did not end within ${RUN_DEADLINE_MS} ms:\n${child.tail.join('\n')}`);
        await Promise.race([ended, new Promise((r) => setTimeout(r, 100))]);
      }
      if (!crash || !done) {
        child.kill('SIGTERM');
        const code = await child.exited;
        if (!crash && code !== 0) throw new Error(`sluice exited with ${code} on SIGTERM:\n${child.tail.join('\n')}`);
      }
      o.progress?.(`${name}: run ${runs} ended${crash ? `: ${kills.at(-1) ?? 'not killed'}` : ''}`);
      if (!crash) break;
    }
    return { outputs: await readOutputs(out), runs };
  } finally {
    duck.closeSync();
  }
}

interface KillPlan {
  /** exact: the process kills itself at a protocol step (SLUICE_CRASH_AT); observed: killed from here, delayMs after seeing a checkpoint written; time: delayMs after listening. */
  readonly kind: 'exact' | 'observed' | 'time';
  readonly crashAt?: string;
  readonly nth: number;
  readonly delayMs: number;
  readonly label: string;
}

/** The protocol steps an exact crash stops at: between pre-commit and checkpoint file, after the file, after one sink's commit. */
const STEPS = [
  ['pre-committed', "after the sinks' pre-commit, before the checkpoint file"],
  [' written', 'right after the checkpoint file'],
  [' committed', "right after a sink's commit"],
] as const;

/** The i-th kill: each kind in turn (the three steps, then from outside, then at a random time), at a random checkpoint of the run. */
function plan(i: number, random: () => number): KillPlan {
  const kind = i % (STEPS.length + 2);
  const nth = 1 + Math.floor(random() * 3);
  if (kind < STEPS.length) {
    const [text, label] = STEPS[kind]!;
    return { kind: 'exact', crashAt: `${text}#${nth}`, nth, delayMs: 0, label };
  }
  if (kind === STEPS.length) {
    const delayMs = Math.floor(random() * 150);
    return { kind: 'observed', nth, delayMs, label: `${delayMs} ms after checkpoint file #${nth} of the run` };
  }
  const delayMs = Math.floor(random() * 600);
  return { kind: 'time', nth: 0, delayMs, label: `${delayMs} ms after listening` };
}

export async function runCrashScenario(o: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const expectedRows = await prepare(path.join(o.dir, 'baseline', 'data'), o);
  await prepare(path.join(o.dir, 'crashed', 'data'), o);
  const kills: string[] = [];
  const baseline = (await runCopy('baseline', o, expectedRows.length, [])).outputs;
  const crashedRun = await runCopy('crashed', o, expectedRows.length, kills);
  const crashed = crashedRun.outputs;
  const problems: string[] = [];
  const compare = (label: string, rows: string[]): void => {
    const want = new Map<string, number>();
    for (const r of expectedRows) want.set(r, (want.get(r) ?? 0) + 1);
    for (const r of rows) want.set(r, (want.get(r) ?? 0) - 1);
    const missing = [...want].filter(([, n]) => n > 0).length;
    const extra = [...want].filter(([, n]) => n < 0).reduce((s, [, n]) => s - n, 0);
    if (missing || extra) problems.push(`${label}: ${rows.length} rows, ${missing} expected rows missing, ${extra} rows extra or duplicated`);
  };
  compare('baseline DuckDB', baseline.duckdb);
  compare('baseline Parquet', baseline.parquet);
  compare('crashed DuckDB', crashed.duckdb);
  compare('crashed Parquet', crashed.parquet);
  compare('baseline NDJSON', baseline.ndjson);
  compare('crashed NDJSON', crashed.ndjson);
  for (const [label, left] of [['baseline', baseline.leftovers], ['crashed', crashed.leftovers]] as const) {
    if (left.length) problems.push(`${label}: hidden files left in the Parquet folder: ${left.join(', ')}`);
  }
  return { runs: crashedRun.runs, kills, expected: expectedRows.length, baseline, crashed, matched: problems.length === 0, problems };
}
