import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compareResults, type Comparison } from './compare.js';
import { duckdbQuery, duckdbSources, runDuckdb, type DuckdbRun } from './duckdb.js';
import { QUERIES_DIR } from './paths.js';
import { readQueryFile, runSluice, type QueryFile, type SluiceRun } from './sluice.js';
import type { NexmarkFiles } from './write.js';

export type Ran = Extract<SluiceRun, { kind: 'ran' }>;

export interface QueryResult {
  readonly query: string;
  /** Nexmark's name for the query, from its header ("Pass through", "Hot Items", ...). */
  readonly title: string;
  /** Which file ran: queries/qN.sql, or queries/flat/qN.sql when Sluice rejected the first. */
  readonly form: 'nexmark' | 'flat' | null;
  /** unchecked: Sluice ran it, and there is no batch equivalent to compare with (q12). */
  readonly status: 'ok' | 'mismatch' | 'unsupported' | 'failed' | 'unchecked';
  /** The diagnostic, failure or mismatch behind a status other than ok. */
  readonly detail: string;
  /** Sluice's first diagnostic for the Nexmark form, when it was rejected. */
  readonly nexmarkDiagnostic: string | null;
  readonly oneThread: Ran | null;
  readonly withWorkers: Ran | null;
  readonly duckdb: DuckdbRun | null;
  readonly comparisons: readonly Comparison[];
}

export interface EvaluateOptions {
  /** Where the outputs of Sluice and DuckDB are written (and removed again unless keepOutputs). */
  readonly outDir: string;
  /** Worker threads of the second run; null: no second run. */
  readonly workers: number | null;
  readonly timeoutMs: number;
  readonly keepOutputs?: boolean;
  readonly duckdbThreads?: number;
}

function inputFiles(files: NexmarkFiles): Record<string, string> {
  return Object.fromEntries([files.datagen, files.person, files.auction, files.bid, files.sideInput].map((p) => [basename(p), p]));
}

function titleOf(q: QueryFile): string {
  return /^-- Query ?\d+: (.*?)(?: \(Not in original suite\))?\s*$/m.exec(q.sql)?.[1] ?? '';
}

function describe(c: Comparison): string {
  const parts = [`${c.actualRows} rows, expected ${c.expectedRows}`];
  if (c.missingCount > 0) parts.push(`${c.missingCount} missing, e.g. ${c.missing[0]}`);
  if (c.unexpectedCount > 0) parts.push(`${c.unexpectedCount} unexpected, e.g. ${c.unexpected[0]}`);
  return parts.join('; ');
}

/**
 * Runs one query: Sluice on one thread (the Nexmark form, else the flat form), again with worker
 * threads, DuckDB's batch equivalent over the same input, and the comparison of their rows.
 */
export async function evaluateQuery(query: string, files: NexmarkFiles, opts: EvaluateOptions): Promise<QueryResult> {
  const inputs = inputFiles(files);
  const out = (name: string) => join(opts.outDir, `${query}-${name}.ndjson`);
  const written: string[] = [];
  const nexmark = readQueryFile(join(QUERIES_DIR, `${query}.sql`));
  const base = { query, title: titleOf(nexmark), oneThread: null, withWorkers: null, duckdb: null, comparisons: [] };
  try {
    let form: 'nexmark' | 'flat' = 'nexmark';
    let file = nexmark;
    written.push(out('sluice'));
    let run = await runSluice(file, inputs, out('sluice'), 0, opts.timeoutMs);
    let nexmarkDiagnostic: string | null = null;
    const flatPath = join(QUERIES_DIR, 'flat', `${query}.sql`);
    if (run.kind === 'unsupported' && existsSync(flatPath)) {
      nexmarkDiagnostic = run.diagnostic;
      form = 'flat';
      file = readQueryFile(flatPath);
      run = await runSluice(file, inputs, out('sluice'), 0, opts.timeoutMs);
    }
    if (run.kind === 'unsupported') return { ...base, form, status: 'unsupported', detail: run.diagnostic, nexmarkDiagnostic };
    if (run.kind === 'failed') return { ...base, form, status: 'failed', detail: run.message, nexmarkDiagnostic };

    let withWorkers: Ran | null = null;
    const sluiceOutputs = [out('sluice')];
    if (opts.workers !== null) {
      written.push(out('sluice-workers'));
      const w = await runSluice(file, inputs, out('sluice-workers'), opts.workers, opts.timeoutMs);
      if (w.kind !== 'ran') {
        return { ...base, form, status: 'failed', detail: `with ${opts.workers} workers: ${w.kind === 'failed' ? w.message : w.diagnostic}`, nexmarkDiagnostic, oneThread: run };
      }
      withWorkers = w;
      sluiceOutputs.push(out('sluice-workers'));
    }
    const ran = { ...base, form, nexmarkDiagnostic, oneThread: run, withWorkers };

    const sql = duckdbQuery(query);
    if (sql === null) return { ...ran, status: 'unchecked', detail: 'no batch equivalent' };
    written.push(out('duckdb'));
    let duckdb: DuckdbRun;
    const comparisons: Comparison[] = [];
    try {
      duckdb = await runDuckdb(sql, duckdbSources(files, form === 'flat' ? 'views' : 'datagen'), out('duckdb'), opts.duckdbThreads);
      for (const o of sluiceOutputs) comparisons.push(await compareResults(out('duckdb'), o));
    } catch (err) {
      // A batch query DuckDB refuses, or an output that is not NDJSON, fails this query, not the run.
      return { ...ran, status: 'failed', detail: (err as Error).message.split('\n')[0]! };
    }
    const bad = comparisons.findIndex((c) => !c.ok);
    if (bad >= 0) {
      const which = bad === 0 ? 'one thread' : `${opts.workers} workers`;
      return { ...ran, duckdb, comparisons, status: 'mismatch', detail: `${which}: ${describe(comparisons[bad]!)}` };
    }
    return { ...ran, duckdb, comparisons, status: 'ok', detail: '' };
  } finally {
    if (!opts.keepOutputs) for (const f of written) rmSync(f, { force: true });
  }
}

/** Runs DuckDB's equivalent alone, for a query Sluice did not run: its time and rows still tell the size of the job. */
export async function duckdbOnly(query: string, files: NexmarkFiles, opts: EvaluateOptions): Promise<DuckdbRun | null> {
  const sql = duckdbQuery(query);
  if (sql === null) return null;
  const path = join(opts.outDir, `${query}-duckdb.ndjson`);
  try {
    return await runDuckdb(sql, duckdbSources(files, 'datagen'), path, opts.duckdbThreads);
  } catch {
    return null;
  } finally {
    if (!opts.keepOutputs) rmSync(path, { force: true });
  }
}
