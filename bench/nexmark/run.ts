import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbOnly, evaluateQuery, type QueryResult } from './evaluate.js';
import { writeNexmarkFiles, type NexmarkFiles } from './write.js';

/**
 * `npm run bench:nexmark [-- --strict] [-- q0 q5 ...]`: generates Nexmark's events, runs every query
 * through `sluice run` on one thread and with worker threads, runs DuckDB's batch equivalent over
 * the same input, compares the rows, and prints a table. NEXMARK_EVENTS (default 1M), NEXMARK_SEED
 * (42), NEXMARK_WORKERS (the cores, at least 2), NEXMARK_DIR (data and outputs; default
 * sluice-nexmark in the temp folder), NEXMARK_TIMEOUT_S (per run, default 600), NEXMARK_KEEP=1
 * keeps the outputs. Exits 0 unless --strict and some query is not ok.
 */
const EVENTS = Number(process.env['NEXMARK_EVENTS'] ?? 1_000_000);
const SEED = Number(process.env['NEXMARK_SEED'] ?? 42);
const WORKERS = Number(process.env['NEXMARK_WORKERS'] ?? Math.max(2, availableParallelism()));
const DIR = process.env['NEXMARK_DIR'] ?? join(tmpdir(), 'sluice-nexmark');
const TIMEOUT_MS = Number(process.env['NEXMARK_TIMEOUT_S'] ?? 600) * 1000;
/** Bump when the generator's output changes, so that files generated before are not reused. */
const GENERATOR_VERSION = 1;

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const selected = args.filter((a) => /^q\d+$/.test(a));
const queries = Array.from({ length: 24 }, (_, i) => `q${i}`).filter((q) => selected.length === 0 || selected.includes(q));
for (const a of args) if (a !== '--strict' && !/^q\d+$/.test(a)) throw new Error(`unknown argument ${a}: give --strict and query names (q0 ... q23)`);
if (!Number.isInteger(EVENTS) || EVENTS <= 0) throw new Error('NEXMARK_EVENTS must be a positive whole number');

/** The generated files for these settings, reused when a complete set is already there. */
function data(): NexmarkFiles {
  const dataDir = join(DIR, `events-${EVENTS}-seed-${SEED}`);
  const manifest = join(dataDir, 'manifest.json');
  const settings = { version: GENERATOR_VERSION, events: EVENTS, seed: SEED };
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { settings: typeof settings; files: NexmarkFiles };
    if (JSON.stringify(m.settings) === JSON.stringify(settings)) {
      process.stderr.write(`reusing ${EVENTS} events (seed ${SEED}) in ${dataDir}\n`);
      return m.files;
    }
  }
  const t0 = performance.now();
  const files = writeNexmarkFiles(dataDir, { events: EVENTS, seed: SEED });
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`generated ${EVENTS} events (seed ${SEED}; ${files.counts.persons} persons, ${files.counts.auctions} auctions, ${files.counts.bids} bids), ${(files.bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s, into ${dataDir}\n`);
  writeFileSync(manifest, JSON.stringify({ settings, files }, null, 2));
  return files;
}

const rate = (r: { records: number; replaySeconds: number } | null) => (r ? `${fmt(r.records / r.replaySeconds)}` : '-');
function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0);
}

function status(r: QueryResult): string {
  const form = r.form === 'flat' ? ' (flat form)' : '';
  if (r.status === 'ok') return `ok${form}`;
  if (r.status === 'unchecked') return `ran${form}, no batch equivalent`;
  return `${r.status}${form}: ${r.detail}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ').trimEnd()).join('\n');
}

const files = data();
const outDir = join(DIR, 'out');
mkdirSync(outDir, { recursive: true });
const opts = { outDir, workers: WORKERS, timeoutMs: TIMEOUT_MS, keepOutputs: process.env['NEXMARK_KEEP'] === '1' };
const results: QueryResult[] = [];
const duckOnly = new Map<string, { seconds: number; rows: number } | null>();
for (const q of queries) {
  const r = await evaluateQuery(q, files, opts);
  results.push(r);
  if (!r.oneThread) duckOnly.set(q, await duckdbOnly(q, files, opts));
  process.stderr.write(`${q}: ${status(r)}\n`);
}

const header = ['query', 'status', 'events/s 1 thread', `events/s ${WORKERS} workers`, 'DuckDB', 'rows sluice / DuckDB'];
const lines = results.map((r) => {
  const duck = r.duckdb ?? duckOnly.get(r.query) ?? null;
  const rows = `${r.oneThread ? r.oneThread.rows : '-'} / ${duck ? duck.rows : '-'}`;
  return [`${r.query} ${r.title}`, status(r), rate(r.oneThread), rate(r.withWorkers), duck ? `${duck.seconds.toFixed(2)} s` : '-', rows];
});
process.stdout.write(`Nexmark, ${EVENTS} events (seed ${SEED}; ${files.counts.persons} persons, ${files.counts.auctions} auctions, ${files.counts.bids} bids), ${availableParallelism()} cores\n`);
process.stdout.write('events/s: input records / sluice run\'s replay time (after start-up); DuckDB: read_json, the batch query and writing NDJSON, all threads\n\n');
process.stdout.write(table([header, ...lines]) + '\n');

// The Nexmark form's diagnostics, once per distinct message (its position aside), when the flat form was tried instead.
const byDiagnostic = new Map<string, string[]>();
for (const r of results) {
  if (!r.nexmarkDiagnostic) continue;
  const message = r.nexmarkDiagnostic.replace(/ \(at \d+:\d+\)$/, '');
  byDiagnostic.set(message, [...(byDiagnostic.get(message) ?? []), r.query]);
}
if (byDiagnostic.size > 0) process.stdout.write('\nThe Nexmark form (queries/qN.sql) was rejected, so queries/flat/qN.sql ran instead:\n');
for (const [d, qs] of byDiagnostic) process.stdout.write(`  ${qs.join(' ')}: ${d}\n`);

const notOk = results.filter((r) => r.status !== 'ok' && r.status !== 'unchecked');
process.stdout.write(`\n${results.length - notOk.length} of ${results.length} queries ok\n`);
if (strict && notOk.length > 0) process.exitCode = 1;
