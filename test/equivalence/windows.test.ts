import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';

/**
 * Every window type, run by Sluice over a generated clickstream and by DuckDB as the equivalent
 * batch query over the same file: the rows must be identical.
 */
const DDL = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');`;

let dense = '';
let sparse = '';
const src = (path: string) => `(SELECT *, epoch_ms(ts) AS ms FROM ${duckdbReadClickstream(path)})`;

beforeAll(() => {
  const dir = tempDir();
  dense = writeLines(dir, 'dense.ndjson', generateClickstream({ events: 30_000, seed: 11, pages: 8, users: 40, eventsPerSecond: 1000 }));
  sparse = writeLines(dir, 'sparse.ndjson', generateClickstream({ events: 6_000, seed: 12, pages: 5, users: 300, eventsPerSecond: 50 }));
});

async function compare(sluiceSql: string, duckSql: string, columns: string[], input = () => dense, opts: { workers?: number; rowtimeFrom?: string } = {}) {
  const { rows, engine } = await runApp(`${DDL}\nCREATE STREAM out AS ${sluiceSql};`, { clicks: input() }, opts);
  expect(engine.errorCount).toBe(0);
  const expected = await duck(duckSql);
  const got = canonical(rows['out']!, columns);
  expect(got.length).toBeGreaterThan(0);
  expect(got).toEqual(canonical(expected, columns));
  return got.length;
}

describe('window results match DuckDB', () => {
  it('TUMBLE with WHERE and HAVING, on 2 workers', async () => {
    await compare(
      `SELECT window_start, window_end, page, COUNT(*) AS views, AVG(duration_ms) AS avg_ms, MIN(user_id) AS first_user
       FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
       WHERE country <> 'XX' GROUP BY window_start, window_end, page HAVING COUNT(*) > 1`,
      `SELECT (ms // 10000) * 10000 AS window_start, (ms // 10000) * 10000 + 10000 AS window_end, page, count(*) AS views, avg(duration_ms) AS avg_ms, min(user_id) AS first_user
       FROM ${src(dense)} WHERE country <> 'XX' GROUP BY ALL HAVING count(*) > 1`,
      ['window_start', 'window_end', 'page', 'views', 'avg_ms', 'first_user'], () => dense, { workers: 2 });
  });

  it('HOP (slide 5 s, size 15 s)', async () => {
    await compare(
      `SELECT window_start, window_end, country, COUNT(*) AS n, SUM(duration_ms) AS total
       FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND))
       GROUP BY window_start, window_end, country`,
      `SELECT ws AS window_start, ws + 15000 AS window_end, country, count(*) AS n, sum(duration_ms) AS total
       FROM (SELECT *, unnest(generate_series((ms // 5000) * 5000 - 15000 + 5000, (ms // 5000) * 5000, 5000)) AS ws FROM ${src(dense)})
       GROUP BY ALL`,
      ['window_start', 'window_end', 'country', 'n', 'total']);
  });

  it('CUMULATE (step 5 s, max 20 s)', async () => {
    await compare(
      `SELECT window_start, window_end, page, COUNT(DISTINCT user_id) AS users, MAX(duration_ms) AS longest
       FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND))
       GROUP BY window_start, window_end, page`,
      `SELECT base AS window_start, we AS window_end, page, count(DISTINCT user_id) AS users, max(duration_ms) AS longest
       FROM (SELECT *, (ms // 20000) * 20000 AS base,
               unnest(generate_series((ms // 20000) * 20000 + ((ms - (ms // 20000) * 20000) // 5000 + 1) * 5000, (ms // 20000) * 20000 + 20000, 5000)) AS we
             FROM ${src(dense)})
       GROUP BY ALL`,
      ['window_start', 'window_end', 'page', 'users', 'longest']);
  });

  it('SESSION per user (gap 5 s), on 2 workers with small chunks', async () => {
    const n = await compare(
      `SELECT window_start, window_end, user_id, COUNT(*) AS clicks, SUM(duration_ms) AS dwell
       FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' SECOND))
       GROUP BY window_start, window_end, user_id`,
      `WITH t AS (SELECT * FROM ${src(sparse)}),
            marked AS (SELECT *, CASE WHEN ms - lag(ms) OVER (PARTITION BY user_id ORDER BY ms) <= 5000 THEN 0 ELSE 1 END AS brk FROM t),
            sess AS (SELECT *, sum(brk) OVER (PARTITION BY user_id ORDER BY ms ROWS UNBOUNDED PRECEDING) AS sid FROM marked)
       SELECT min(ms) AS window_start, max(ms) + 5000 AS window_end, user_id, count(*) AS clicks, sum(duration_ms) AS dwell
       FROM sess GROUP BY user_id, sid`,
      ['window_start', 'window_end', 'user_id', 'clicks', 'dwell'], () => sparse, { workers: 2 });
    expect(n).toBeGreaterThan(300);
  });

  // A KDA application names its columns in upper case (unquoted identifiers are upper-cased).
  it('KDA STEP over ROWTIME replayed from ts', async () => {
    await compare(
      `SELECT STREAM page, STEP(clicks.ROWTIME BY INTERVAL '10' SECOND) AS bucket, COUNT(*) AS views
       FROM clicks GROUP BY page, STEP(clicks.ROWTIME BY INTERVAL '10' SECOND)`,
      `WITH t AS (SELECT *, row_number() OVER () AS rn FROM ${src(dense)}),
            r AS (SELECT *, max(ms) OVER (ORDER BY rn ROWS UNBOUNDED PRECEDING) AS rowtime FROM t)
       SELECT page AS PAGE, (rowtime // 10000) * 10000 AS BUCKET, count(*) AS VIEWS FROM r GROUP BY ALL`,
      ['PAGE', 'BUCKET', 'VIEWS'], () => dense, { rowtimeFrom: 'ts', workers: 2 });
  });

  it('KDA FLOOR(col TO MINUTE) as the tumbling key', async () => {
    await compare(
      `SELECT STREAM country, FLOOR(ts TO MINUTE) AS minute, COUNT(*) AS n, AVG(duration_ms) AS avg_ms
       FROM clicks WHERE duration_ms BETWEEN 100 AND 4000 GROUP BY country, FLOOR(ts TO MINUTE)`,
      `SELECT country AS COUNTRY, epoch_ms(date_trunc('minute', ts)) AS MINUTE, count(*) AS N, avg(duration_ms) AS AVG_MS
       FROM ${src(dense)} WHERE duration_ms BETWEEN 100 AND 4000 GROUP BY ALL`,
      ['COUNTRY', 'MINUTE', 'N', 'AVG_MS']);
  });
});
