import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SLUICE_CLI } from './paths.js';

/** What a query file says it reads and writes, from its `-- input: STREAM=FILE` and `-- output: STREAM` lines. */
export interface QueryFile {
  readonly path: string;
  readonly sql: string;
  /** Stream name to the generated file's name (datagen.ndjson, bid.ndjson, side_input.csv, ...). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly output: string;
}

export function readQueryFile(path: string): QueryFile {
  const sql = readFileSync(path, 'utf8');
  const inputs: Record<string, string> = {};
  let output = '';
  for (const m of sql.matchAll(/^-- input: (\w+)=(\S+)\s*$/gm)) inputs[m[1]!] = m[2]!;
  const out = /^-- output: (\w+)\s*$/m.exec(sql);
  if (out) output = out[1]!;
  if (Object.keys(inputs).length === 0 || output === '') throw new Error(`${path}: needs -- input: and -- output: lines`);
  return { path, sql, inputs, output };
}

export type SluiceRun =
  | {
      readonly kind: 'ran';
      /** Start to exit of the process. */
      readonly seconds: number;
      /** Replay alone, as `sluice run` reports it (after start-up: parsing, planning, reading, running, writing). */
      readonly replaySeconds: number;
      readonly records: number;
      readonly rows: number;
      readonly errors: number;
      readonly rssMb: number;
    }
  /** Exit 2: Sluice rejected the application; `diagnostic` is its first error and where it points. */
  | { readonly kind: 'unsupported'; readonly diagnostic: string }
  | { readonly kind: 'failed'; readonly message: string };

/** The first diagnostic of `sluice run`'s stderr, with the line:column its arrow points at. */
export function firstDiagnostic(stderr: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => /^error(\[\w+\])?:/.test(l));
  if (at < 0) return lines.find((l) => l.trim() !== '')?.trim() ?? 'no diagnostic';
  const where = lines.slice(at + 1, at + 3).map((l) => /-->\s*\S*?:(\d+:\d+)\s*$/.exec(l)?.[1]).find((w) => w !== undefined);
  return where ? `${lines[at]!.trim()} (at ${where})` : lines[at]!.trim();
}

/**
 * Runs `sluice run` on a query file as a child process, with the files for its inputs and one
 * output file for its output stream.
 */
export function runSluice(query: QueryFile, files: Readonly<Record<string, string>>, output: string, workers: number, timeoutMs: number): Promise<SluiceRun> {
  const args = [SLUICE_CLI, 'run', query.path];
  for (const [stream, name] of Object.entries(query.inputs)) {
    const file = files[name];
    if (!file) return Promise.resolve({ kind: 'failed', message: `no generated file ${name} for --input ${stream}` });
    args.push('--input', `${stream}=${file}`);
  }
  // Updating queries (GROUP BY without a window, Top-N) are compared by the table they leave.
  args.push('--output', `${query.output}=${output}`, '--workers', String(workers), '--final');
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (timedOut) return resolve({ kind: 'failed', message: `timed out after ${Math.round(timeoutMs / 1000)} s` });
      if (signal) return resolve({ kind: 'failed', message: `killed by ${signal}` });
      if (code === 2) return resolve({ kind: 'unsupported', diagnostic: firstDiagnostic(stderr) });
      if (code !== 0) return resolve({ kind: 'failed', message: `exit ${code}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}` });
      const m = /sluice run: (\d+) records in ([\d.]+) s .*?, (\d+) errors; (.*); peak RSS (\d+) MB/.exec(stderr);
      const rows = m ? new RegExp(`${query.output}: (\\d+) rows`).exec(m[4]!) : null;
      if (!m || !rows) return resolve({ kind: 'failed', message: `unexpected summary: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}` });
      resolve({ kind: 'ran', seconds, replaySeconds: Number(m[2]), records: Number(m[1]), errors: Number(m[3]), rows: Number(rows[1]), rssMb: Number(m[5]) });
    });
  });
}
