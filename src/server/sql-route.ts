import { bodyLimitFor } from './body-limits.js';
import { endRefusedBody, readBody, refusalStatus } from './body-reader.js';
import { sendBody, type RouteHandler } from './http-types.js';
import { duckDbPaths, heldDuckDb } from '../sinks/duckdb-databases.js';

/** Statements a pull query may start with: reads only. */
const READ_ONLY = /^\s*(SELECT|WITH|FROM|SHOW|DESCRIBE|SUMMARIZE|EXPLAIN|VALUES|TABLE)\b/i;

/**
 * `POST /sql`: ad-hoc, read-only SQL over the DuckDB tables that query outputs are written to
 * (WITH (sink = 'duckdb')). Body: `{"sql": "...", "database": "<path>"}` (database may be left out
 * when there is one), or the SQL itself as text/plain. Answers `{"columns": [...], "rows": [...]}`.
 */
export const sqlRoute: RouteHandler = async (req, res) => {
  const fail = (status: number, message: string) => sendBody(res, status, 'application/json', JSON.stringify({ error: message }));
  let bytes: Buffer;
  try {
    bytes = await readBody(req, bodyLimitFor('POST /sql'));
  } catch (e) {
    const status = refusalStatus(e);
    if (status === undefined) return void req.destroy();
    fail(status, (e as Error).message);
    return endRefusedBody(req, res, e as Error);
  }
  let sql: string;
  let database: string | undefined;
  try {
    const body = bytes.toString('utf8');
    if ((req.headers['content-type'] ?? '').includes('json')) {
      const parsed = JSON.parse(body) as { sql?: unknown; database?: unknown };
      if (typeof parsed.sql !== 'string') return fail(400, 'the body needs "sql": "..."');
      sql = parsed.sql;
      database = typeof parsed.database === 'string' ? parsed.database : undefined;
    } else sql = body;
  } catch (e) {
    return fail(400, `bad request: ${(e as Error).message}`);
  }
  const known = duckDbPaths();
  if (database === undefined) {
    if (known.length !== 1) return fail(400, known.length ? `name the database: one of ${known.join(', ')}` : 'no query writes to DuckDB yet (WITH (sink = \'duckdb\', path = ..., table = ...))');
    database = known[0]!;
  }
  const instance = heldDuckDb(database);
  if (!instance) return fail(404, `unknown database ${database}; known: ${known.join(', ') || 'none'}`);
  if (!READ_ONLY.test(sql)) return fail(400, 'pull queries are read-only: SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN');
  const conn = await instance.connect();
  try {
    const statements = await conn.extractStatements(sql);
    if (statements.count !== 1) return fail(400, 'send one statement at a time');
    // Inside a transaction that is always rolled back, so nothing a query does can stick.
    await conn.run('BEGIN TRANSACTION');
    try {
      const reader = await conn.runAndReadAll(sql);
      sendBody(res, 200, 'application/json', JSON.stringify({ columns: reader.columnNames(), rows: reader.getRowObjectsJson() }));
    } finally {
      await conn.run('ROLLBACK').catch(() => {});
    }
  } catch (e) {
    fail(400, (e as Error).message);
  } finally {
    conn.closeSync();
  }
};
