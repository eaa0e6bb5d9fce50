import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { bodyLimitFor } from './body-limits.js';
import { endRefusedBody, readBody, refusalStatus } from './body-reader.js';
import { sendBody, type HttpResponse, type RouteHandler } from './http-types.js';
import { foreignRequest } from './local-origin.js';
import { answerEncoder, CONTENT_TYPES, type AnswerFormat } from './pull-answer.js';
import { PullQuery } from './pull-query.js';
import { duckDbPaths } from '../sinks/duckdb-databases.js';
import { acquireSnapshot, type HeldSnapshot } from '../sinks/duckdb-snapshots.js';

/** What a pull query may ask for, and what it gets unless it asks. */
export const PULL_LIMITS = {
  defaultRows: 100_000,
  maxRows: 1_000_000,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 60_000,
  /** Queries running at once; each holds a libuv thread, and the log's file I/O needs the rest of the pool. */
  concurrent: 2,
  bodyBytes: 1 << 20,
} as const;

interface PullRequest {
  readonly sql: string;
  readonly database: string;
  readonly limit: number;
  readonly timeoutMs: number;
}

/**
 * `POST /sql`: ad-hoc, read-only SQL over the DuckDB tables that query outputs are written to
 * (WITH (sink = 'duckdb')). Body (`Content-Type: application/json` only):
 * `{"sql": "...", "database": "<path>", "limit": rows, "timeout_ms": ms}`; database may be left
 * out when there is one, limit and timeout_ms default to 100,000 rows and 10 s (at most 1,000,000
 * and 60 s). The answer streams as NDJSON, JSON or Arrow (pull-answer.ts), chosen by Accept. The
 * query runs on a locked-down instance over a snapshot copy (pull-query.ts), never on the
 * instance the sinks write through; `address` is the server's, for the Host and Origin checks.
 * `database` names a file a sink writes, as the sink named it: relative to `dataDir` (where sinks
 * of `sluice start` resolve theirs) or absolute.
 */
export function createSqlRoute(address: () => AddressInfo | undefined, dataDir: string | null = null): RouteHandler {
  let running = 0;
  return async (req, res) => {
    const refused = foreignRequest(req, address());
    if (refused) return fail(res, 403, refused);
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return fail(res, 415, 'send the query as Content-Type: application/json: {"sql": "...", "database": "..."}');
    const format = answerFormat(req.headers.accept);
    if (!format) return fail(res, 406, `answers are ${Object.values(CONTENT_TYPES).join(', ')}`);
    let request: PullRequest;
    let bytes: Buffer;
    try {
      bytes = await readBody(req, bodyLimitFor('POST /sql'));
    } catch (e) {
      const status = refusalStatus(e);
      if (status === undefined) return void req.destroy();
      fail(res, status, (e as Error).message);
      return endRefusedBody(req, res, e as Error);
    }
    try {
      const parsed = parseRequest(bytes);
      if (typeof parsed === 'string') return fail(res, 400, parsed);
      request = parsed;
    } catch (e) {
      return fail(res, 400, `bad request: ${(e as Error).message}`);
    }
    if (request.database === '') {
      const known = duckDbPaths();
      return fail(res, known.length ? 400 : 404, known.length ? `name the database: one of ${known.join(', ')}` : 'no query writes to DuckDB yet (WITH (sink = \'duckdb\', path = ..., table = ...))');
    }
    const database = knownDatabase(request.database, dataDir);
    if (!database) return fail(res, 404, `unknown database ${request.database}; known: ${duckDbPaths().join(', ') || 'none'}`);
    request = { ...request, database };
    if (running >= PULL_LIMITS.concurrent) return fail(res, 429, `${PULL_LIMITS.concurrent} pull queries are running; try again shortly`, { 'retry-after': '1' });
    running++;
    try {
      await answer(res, request, format);
    } finally {
      running--;
    }
  };
}

/** The held database a request names: exactly, or resolved as the sinks resolve their paths. Never a path no sink holds. */
function knownDatabase(given: string, dataDir: string | null): string | undefined {
  const known = duckDbPaths();
  const candidates = [given, path.resolve(given), ...(dataDir !== null ? [path.resolve(dataDir, given)] : [])];
  return candidates.find((c) => known.includes(c));
}

async function answer(res: HttpResponse, request: PullRequest, format: AnswerFormat): Promise<void> {
  let snapshot: HeldSnapshot;
  try {
    snapshot = await acquireSnapshot(request.database);
  } catch (e) {
    return fail(res, 503, `the database could not be copied for reading: ${(e as Error).message}`);
  }
  // The time limit covers the query and its answer, not waiting for the copy (shared by every request).
  const signal = AbortSignal.timeout(request.timeoutMs);
  const overTime = `the query ran past its time limit of ${request.timeoutMs} ms`;
  let query: PullQuery;
  try {
    query = await PullQuery.open(snapshot.file, request.sql, signal);
  } catch (e) {
    snapshot.release();
    return fail(res, 400, signal.aborted ? overTime : (e as Error).message);
  }
  const interrupt = (): void => query.interrupt();
  signal.addEventListener('abort', interrupt, { once: true });
  // A client that goes away stops the query at once rather than at the time limit.
  const gone = (): void => query.interrupt();
  res.once('close', gone);
  try {
    const encoder = await answerEncoder(format, query.columns);
    res.writeHead(200, { 'content-type': encoder.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-sluice-row-limit': String(request.limit) });
    let rows = 0;
    let truncated = false;
    let error: string | undefined;
    try {
      if (!(await send(res, encoder.start(), signal))) return;
      for (;;) {
        if (signal.aborted) throw new Error(overTime);
        const next = await query.next();
        if (!next) break;
        if (next.rows === 0) continue;
        if (rows === request.limit) {
          truncated = true;
          break;
        }
        const count = Math.min(next.rows, request.limit - rows);
        if (!(await send(res, encoder.rows(next.chunk, count), signal))) return;
        rows += count;
        if (count < next.rows) {
          truncated = true;
          break;
        }
      }
    } catch (e) {
      error = signal.aborted ? overTime : (e as Error).message;
    }
    const last = encoder.end({ rows, truncated, limit: request.limit, error });
    if (last === undefined) res.destroy();
    else res.end(last);
  } finally {
    signal.removeEventListener('abort', interrupt);
    res.removeListener('close', gone);
    query.close();
    snapshot.release();
  }
}

/**
 * Writes, then yields to the event loop (or waits for the client to take what is buffered), so a
 * long answer never holds the loop or piles up in memory. False once the client has gone.
 */
async function send(res: HttpResponse, bytes: Uint8Array | string, signal: AbortSignal): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(bytes)) {
    await yieldToLoop();
  } else {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.removeListener('drain', done);
        res.removeListener('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
  return !res.destroyed;
}

/** The answer format the Accept header prefers; NDJSON when it takes anything. */
function answerFormat(accept: string | string[] | undefined): AnswerFormat | undefined {
  const text = Array.isArray(accept) ? accept.join(',') : accept;
  if (!text) return 'ndjson';
  const ranges = text.split(',').map((part, i) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    return { range: range!, q: Number.isFinite(q) ? q : 0, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { range } of ranges) {
    const named = (Object.keys(CONTENT_TYPES) as AnswerFormat[]).find((f) => CONTENT_TYPES[f] === range);
    if (named) return named;
    if (range === '*/*' || range === 'application/*') return 'ndjson';
  }
  return undefined;
}

function parseRequest(body: Buffer): PullRequest | string {
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown> | null;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the body is a JSON object: {"sql": "...", "database": "..."}';
  const { sql, database, limit = PULL_LIMITS.defaultRows, timeout_ms: timeoutMs = PULL_LIMITS.defaultTimeoutMs } = parsed;
  if (typeof sql !== 'string' || sql.trim() === '') return 'the body needs "sql": "..."';
  if (database !== undefined && typeof database !== 'string') return '"database" is the path of a DuckDB file a query writes to';
  if (!isWhole(limit, PULL_LIMITS.maxRows)) return `"limit" is a whole number of rows from 1 to ${PULL_LIMITS.maxRows}`;
  if (!isWhole(timeoutMs, PULL_LIMITS.maxTimeoutMs)) return `"timeout_ms" is a whole number of milliseconds from 1 to ${PULL_LIMITS.maxTimeoutMs}`;
  const known = duckDbPaths();
  return { sql, database: database ?? (known.length === 1 ? known[0]! : ''), limit, timeoutMs };
}

function isWhole(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

function fail(res: HttpResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'application/json', JSON.stringify({ error: message }), { 'cache-control': 'no-store', ...headers });
}
