import { createWriteStream, existsSync, readFileSync, statSync, type WriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Engine } from '../runtime/engine.js';
import { replayFile, type ReplayProgress } from '../runtime/file-replay.js';
import { toNdjsonBytes } from '../runtime/rows.js';
import { WorkerPool } from '../runtime/worker-pool.js';
import { CliError, type ParsedArgs } from './args.js';

export interface RunSummary {
  readonly records: number;
  readonly errors: number;
  readonly seconds: number;
  readonly outputs: Record<string, number>;
}

/**
 * `sluice run app.sql --input s=file ... [--output s=file ...]`: replays files into streams, runs
 * the application, closes every window at end of input and writes the output streams as NDJSON.
 */
export async function runCommand(args: ParsedArgs, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<RunSummary> {
  const appPath = args.positional[0];
  if (!appPath) throw new CliError('usage: sluice run app.sql --input STREAM=FILE [--output STREAM=FILE] [--rowtime-from COLUMN] [--workers N]');
  if (!existsSync(appPath)) throw new CliError(`no such application file: ${appPath}`);
  const source = readFileSync(appPath, 'utf8');
  const inputs = pairs(args.multi('input'), '--input');
  const outputs = pairs(args.multi('output'), '--output');
  if (inputs.length === 0) throw new CliError('give at least one --input STREAM=FILE');
  for (const i of inputs) if (!existsSync(i.value)) throw new CliError(`no such input file: ${i.value}`);
  const rowtimeCol = args.single('rowtime-from');
  const inputBytes = inputs.reduce((n, i) => n + statSync(i.value).size, 0);
  const workers = args.single('workers') !== undefined ? Number(args.single('workers')) : defaultWorkers(inputBytes, availableParallelism());
  if (!Number.isInteger(workers) || workers < 0) throw new CliError('--workers takes a whole number');

  // The threads start loading now, while this thread loads the SQL front end and plans.
  const pool = workers > 0 ? new WorkerPool(workers) : null;
  const [{ Engine }, { declareUndeclaredInputs }] = await Promise.all([import('../runtime/engine.js'), import('../runtime/discover.js')]);
  const rowtimeFrom: Record<string, string> = {};
  if (rowtimeCol) for (const i of inputs) rowtimeFrom[i.name] = rowtimeCol;
  // A local run writes where the shell would and reaches what the shell could: no --allow-path or --allow-private-endpoints here.
  const engine = new Engine({ workers, rowtimeFrom, allowPrivateEndpoints: true, ...(pool ? { pool } : {}) });
  const started = performance.now();
  try {
    const discovered = await declareUndeclaredInputs(engine, source, inputs.map((i) => ({ name: i.name, path: i.value })), appPath, rowtimeCol);
    for (const d of discovered) io.stderr.write(`discovered ${d.name} (${d.columns.map((c) => `${c.name} ${c.type}`).join(', ')})\n`);
    for (const r of await engine.executeScript(source, appPath)) if (r.kind === 'explain') io.stderr.write(r.text + '\n');
    for (const i of inputs) {
      if (!engine.catalog.get(i.name, false)) throw new CliError(`--input ${i.name}: the application has no stream ${i.name}`);
    }
    // error_stream is not an output of the application: naming only it still prints the last output stream.
    const targets = outputs.some((o) => o.name.toLowerCase() !== 'error_stream') ? outputs : [...outputs, ...defaultOutput(engine)];
    const counts: Record<string, number> = {};
    const files: WriteStream[] = [];
    for (const o of targets) {
      if (!engine.catalog.get(o.name, false)) throw new CliError(`--output ${o.name}: the application has no stream ${o.name}`);
      const sink = o.value === '-' ? io.stdout : createWriteStream(o.value);
      if (sink !== io.stdout) files.push(sink as WriteStream);
      counts[o.name] = 0;
      engine.on(o.name, (rows, def) => {
        counts[o.name]! += rows.count;
        sink.write(toNdjsonBytes(rows, def.fields.slice(0, -1)));
      });
    }
    const progress: ReplayProgress = { bytes: 0, chunks: 0 };
    const timer = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      io.stderr.write(`... ${(progress.bytes / 1e6).toFixed(0)} MB read in ${s.toFixed(1)} s\n`);
    }, 2000);
    timer.unref();
    try {
      // 4 MiB chunks: with worker threads, a quarter of the tasks, results and window tasks of 1 MiB
      // ones; on this thread alone, fewer reads and hand-overs (measured ~3% faster than 1 MiB).
      const chunkBytes = 4 << 20;
      for (const i of inputs) await replayFile(i.value, engine.runtime(i.name), { progress, chunkBytes, maxInflight: Math.max(2, workers * 2 + 4) });
      for (const i of inputs) await engine.endOfInput(engine.runtime(i.name).def.name);
    } finally {
      clearInterval(timer);
    }
    await Promise.all(files.map((f) => new Promise<void>((resolve, reject) => f.end((err?: Error | null) => (err ? reject(err) : resolve())))));
    const seconds = (performance.now() - started) / 1000;
    const records = inputs.reduce((n, i) => n + engine.runtime(i.name).records, 0);
    const outs = Object.entries(counts).map(([k, v]) => `${k}: ${v} rows`).join(', ');
    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    io.stderr.write(`sluice run: ${records} records in ${seconds.toFixed(3)} s (${Math.round(records / seconds)} records/s), ${engine.errorCount} errors; ${outs}; peak RSS ${rssMb} MB\n`);
    return { records, errors: engine.errorCount, seconds, outputs: counts };
  } finally {
    await engine.close();
  }
}

/**
 * Input each extra thread must have to pay for itself. A worker thread costs ~0.1 s to start
 * and as much again before its JIT has warmed up, and the threads share the cores with this one:
 * on 2 cores, 1M events (107 MB) ran faster on this thread alone, 5M (535 MB) faster on 2 workers.
 */
export const BYTES_PER_WORKER = 256 * 1024 * 1024;

/** Worker threads for `sluice run` without --workers: none for small inputs, else one per core. */
export function defaultWorkers(inputBytes: number, cores: number): number {
  return cores > 1 && inputBytes >= BYTES_PER_WORKER ? Math.min(cores, Math.max(2, Math.floor(inputBytes / BYTES_PER_WORKER))) : 0;
}

function defaultOutput(engine: Engine): { name: string; value: string }[] {
  const outs = engine.outputStreams();
  const last = outs[outs.length - 1];
  return last ? [{ name: last, value: '-' }] : [];
}

function pairs(values: string[], flag: string): { name: string; value: string }[] {
  return values.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new CliError(`${flag} takes STREAM=FILE, got '${v}'`);
    return { name: v.slice(0, at), value: v.slice(at + 1) };
  });
}

export { renderError } from './render-error.js';
