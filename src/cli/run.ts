import { availableParallelism } from 'node:os';
import type { Engine } from '../runtime/engine.js';
import type { ReplayProgress } from '../runtime/file-replay.js';
import { toNdjsonBytes } from '../runtime/rows.js';
import { FinalTable } from '../runtime/final-table.js';
import { WorkerPool } from '../runtime/worker-pool.js';
import { ERROR_STREAM } from '../runtime/statements.js';
import { CliError, intOption, type ParsedArgs } from './args.js';
import { checkInputsRead, checkRowtimeFrom, discoveryInputs, openInputs, planInputs, readApp, streamFiles, type InputPlan, type StreamFile } from './inputs.js';
import { Output } from './outputs.js';
import { ProgressLine } from './progress.js';

export interface RunSummary {
  readonly records: number;
  readonly errors: number;
  readonly seconds: number;
  readonly outputs: Record<string, number>;
  /** The reader of an output went away (EPIPE) and the run stopped early. */
  readonly stopped: boolean;
}

type RunIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } };

/**
 * `sluice run app.sql --input s=file ... [--output s=file ...]`: replays inputs into streams, runs
 * the application, closes every window at end of input and writes the output streams as NDJSON.
 */
export async function runCommand(args: ParsedArgs, io: RunIo): Promise<RunSummary> {
  const appPath = args.positional[0]!;
  const source = readApp(appPath, 'run');
  const inputFiles = streamFiles(args.multi('input'), '--input', 'run');
  const final = args.flag('final');
  const outputFiles = streamFiles(args.multi('output'), '--output', 'run');
  const rowtimeCol = args.single('rowtime-from');
  const workersFlag = args.single('workers') !== undefined ? intOption(args, 'workers', 0) : undefined;
  if (inputFiles.some((f) => f.path === '-') && process.stdin.isTTY) io.stderr.write('sluice run: reading records from the terminal; Ctrl-D ends them\n');
  const opened = await openInputs(inputFiles);
  const inputBytes = opened.reduce((n, i) => n + (i.source.size ?? 0), 0);
  const workers = workersFlag ?? defaultWorkers(inputBytes, availableParallelism());

  // The threads start loading now, while this thread loads the SQL front end and plans.
  const pool = workers > 0 ? new WorkerPool(workers) : null;
  const [{ Engine }, { declareUndeclaredInputs }] = await Promise.all([import('../runtime/engine.js'), import('../runtime/discover.js')]);
  const rowtimeFrom: Record<string, string> = {};
  if (rowtimeCol) for (const i of inputFiles) rowtimeFrom[i.name] = rowtimeCol;
  // A local run writes where the shell would and reaches what the shell could: no --allow-path or --allow-private-endpoints here.
  const engine = new Engine({ workers, rowtimeFrom, allowPrivateEndpoints: true, ...(pool ? { pool } : {}) });
  const started = performance.now();
  const outputs: Output[] = [];
  try {
    const discovered = await declareUndeclaredInputs(engine, source, discoveryInputs(opened), appPath, rowtimeCol);
    for (const r of await engine.executeScript(source, appPath)) if (r.kind === 'explain') io.stderr.write(r.text + '\n');
    checkInputsRead(engine, inputFiles);
    for (const d of discovered) io.stderr.write(`discovered ${d.name} (${d.columns.map((c) => `${c.name} ${c.type}`).join(', ')})\n`);
    checkRowtimeFrom(engine, inputFiles, rowtimeCol, 'run');
    const inputs = planInputs(engine, opened, discovered);
    const stop = new AbortController();
    for (const o of targets(engine, outputFiles)) outputs.push(await Output.open(o.name, o.path, io.stdout, () => stop.abort()));
    // With --final an updating output is kept as its table and written once, at the end, without row kinds.
    const finals = new Map<Output, FinalTable>();
    for (const o of outputs) {
      engine.on(o.stream, (rows, def) => {
        if (final && def.updating) {
          let table = finals.get(o);
          if (!table) finals.set(o, (table = new FinalTable()));
          table.apply(rows);
          return;
        }
        o.rows += rows.count;
        o.write(toNdjsonBytes(rows, def.fields.slice(0, -1)));
      });
    }
    await replayAll(engine, inputs, outputs, { workers, started, signal: stop.signal }, io);
    for (const [o, table] of finals) {
      const rows = table.contents();
      o.rows += rows.count;
      o.write(toNdjsonBytes(rows, engine.catalog.get(o.stream)!.fields.slice(0, -1)));
    }
    for (const o of outputs) await o.end();
    const failed = outputs.find((o) => o.failed);
    if (failed) throw new CliError(`${failed.label}: ${failed.failed!.message}`);
    const seconds = (performance.now() - started) / 1000;
    const counts = Object.fromEntries(outputs.map((o) => [o.stream, o.rows]));
    const records = [...new Set(inputs.map((i) => engine.runtime(i.name)))].reduce((n, rt) => n + rt.records, 0);
    const stopped = stop.signal.aborted;
    if (!stopped) {
      checkSomeRecordsRead(engine, inputs);
      io.stderr.write(summary(engine, outputs, records, seconds));
    }
    return { records, errors: engine.errorCount, seconds, outputs: counts, stopped };
  } finally {
    for (const o of outputs) if (!o.gone) await o.end().catch(() => undefined);
    await engine.close();
    await Promise.all(opened.map((i) => i.source.close()));
  }
}

/** Replays every input in turn, then ends them (closing every window), with progress on a terminal. */
async function replayAll(engine: Engine, inputs: readonly InputPlan[], outputs: readonly Output[], run: { workers: number; started: number; signal: AbortSignal }, io: RunIo): Promise<void> {
  const { workers, signal } = run;
  const sizes = inputs.map((i) => i.source.size);
  const totalBytes = sizes.includes(null) ? null : sizes.reduce<number>((n, s) => n + (s ?? 0), 0);
  let current = 0;
  const progress: ReplayProgress = { bytes: 0, chunks: 0 };
  const line = new ProgressLine(io.stderr, run.started, () => ({
    bytesRead: inputs.reduce((n, input, k) => n + (k < current ? (input.source.size ?? input.source.bytesRead()) : k === current ? readOf(input, progress) : 0), 0),
    totalBytes,
    records: [...new Set(inputs.map((i) => engine.runtime(i.name)))].reduce((n, rt) => n + rt.records, 0),
    rowsOut: outputs.reduce((n, o) => n + o.rows, 0),
    errors: engine.errorCount,
  }));
  try {
    for (; current < inputs.length && !signal.aborted; current++) {
      const input = inputs[current]!;
      engine.readInputAs(input.name, input.format, input.csvPositions);
      progress.bytes = input.start;
      // 4 MiB chunks: with worker threads, a quarter of the tasks, results and window tasks of 1 MiB
      // ones; on this thread alone, fewer reads and hand-overs (measured ~3% faster than 1 MiB).
      await input.source.replay(engine.runtime(input.name), {
        progress,
        chunkBytes: 4 << 20,
        maxInflight: Math.max(2, workers * 2 + 4),
        start: input.start,
        signal,
        onChunk: () => {
          line.update();
          // A slow reader of the output holds the input back, so memory stays bounded.
          return Promise.all(outputs.map((o) => o.drained())).then(() => undefined);
        },
      });
    }
    if (signal.aborted) return;
    line.update(true);
    for (const name of new Set(inputs.map((i) => engine.runtime(i.name).def.name))) await engine.endOfInput(name);
  } finally {
    line.finish();
  }
}

/** Bytes of an input read so far: of the file on disk where it is compressed, else as replayed. */
function readOf(input: InputPlan, progress: ReplayProgress): number {
  const onDisk = input.source.bytesRead();
  return onDisk > 0 ? onDisk : progress.bytes;
}

function summary(engine: Engine, outputs: readonly Output[], records: number, seconds: number): string {
  const outs = outputs.map((o) => `${o.stream}: ${o.rows} rows`).join(', ');
  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const errors = engine.errorCount;
  const kept = outputs.some((o) => o.stream.toLowerCase() === ERROR_STREAM);
  const errorText = errors === 0 ? '0 errors' : `${errors} ${errors === 1 ? 'row' : 'rows'} to error_stream${kept ? '' : ' (--output error_stream=FILE keeps them)'}`;
  return `sluice run: ${records} ${records === 1 ? 'record' : 'records'} in ${seconds.toFixed(3)} s (${Math.round(records / seconds)} records/s), ${errorText}; ${outs}; peak RSS ${rssMb} MB\n`;
}

/** A run in which every record of an input was unreadable did not do its job. */
function checkSomeRecordsRead(engine: Engine, inputs: readonly InputPlan[]): void {
  for (const i of inputs) {
    const rt = engine.runtime(i.name);
    if (rt.records === 0 || rt.decodeErrors < rt.records) continue;
    const declaredAs = rt.def.options['format'] ? ` (${rt.def.name} is declared WITH (format = '${rt.def.format}'))` : ` (read as ${i.format === 'csv' ? 'CSV' : 'JSON'})`;
    throw new CliError(`--input ${i.name}=${i.path}: every record (${rt.records}) was an error${declaredAs}; the first: ${rt.firstDecodeError}`);
  }
}

/** The outputs to write: those named, or else the last-created output stream to stdout. */
function targets(engine: Engine, outputs: readonly StreamFile[]): StreamFile[] {
  for (const o of outputs) {
    if (engine.catalog.get(o.name, false)) continue;
    throw new CliError(`${o.label}: the application has no stream ${o.name}; its output streams are ${[...engine.outputStreams(), ERROR_STREAM].join(', ')}`);
  }
  // error_stream is not an output of the application: naming only it still prints the last output stream.
  if (outputs.some((o) => o.name.toLowerCase() !== ERROR_STREAM)) return [...outputs];
  const last = engine.outputStreams().at(-1);
  return last ? [...outputs, { name: last, path: '-', label: `${last} to stdout` }] : [...outputs];
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
