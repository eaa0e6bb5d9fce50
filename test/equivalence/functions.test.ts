import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';

/**
 * Scalar functions Sluice shares with DuckDB, over a generated clickstream that crosses midnight
 * into a new year: DATE_FORMAT against strftime, the time fields against DuckDB's, REGEXP_EXTRACT
 * and SPLIT_INDEX (zero-based) against regexp_extract and split_part (one-based; both DuckDB
 * functions give '' where Flink's give NULL).
 */
const DDL = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');`;

let path = '';

beforeAll(() => {
  // One event every 37 s for ~31 hours from 2026-12-31 08:00 UTC, through New Year's midnight.
  const events = generateClickstream({ events: 3000, seed: 7, pages: 40, users: 60, eventsPerSecond: 1 / 37, startMs: Date.UTC(2026, 11, 31, 8), maxLatenessMs: 0 });
  path = writeLines(tempDir(), 'clicks.ndjson', events);
});

async function compare(sluiceSql: string, duckSql: string, columns: string[], workers: number) {
  const { rows, engine } = await runApp(`${DDL}\nCREATE STREAM out AS ${sluiceSql};`, { clicks: path }, { workers, chunkBytes: 16 * 1024 });
  expect(engine.errorCount).toBe(0);
  const got = canonical(rows['out']!, columns);
  expect(got.length).toBeGreaterThan(0);
  expect(got).toEqual(canonical(await duck(duckSql), columns));
}

describe('functions match DuckDB', () => {
  for (const workers of [0, 2]) {
    it(`DATE_FORMAT and the time fields (${workers} workers)`, async () => {
      await compare(
        `SELECT user_id, duration_ms,
           DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS') AS full_ts, DATE_FORMAT(ts, 'EEE, dd MMM yy hh:mm a') AS human,
           DATE_FORMAT(ts, 'DDD') AS doy_text, DATE_FORMAT(ts, 'HH:mm') AS hm,
           HOUR(ts) AS h, MINUTE(ts) AS mi, SECOND(ts) AS sec, DAYOFWEEK(ts) AS dow, DAYOFYEAR(ts) AS doy,
           WEEK(ts) AS wk, QUARTER(ts) AS q, YEAR(ts) AS y, MONTH(ts) AS mo, DAYOFMONTH(ts) AS dom
         FROM clicks`,
        `SELECT user_id, duration_ms,
           strftime(ts, '%Y-%m-%d %H:%M:%S.%g') AS full_ts, strftime(ts, '%a, %d %b %y %I:%M %p') AS human,
           strftime(ts, '%j') AS doy_text, strftime(ts, '%H:%M') AS hm,
           hour(ts) AS h, minute(ts) AS mi, second(ts) AS sec, dayofweek(ts) + 1 AS dow, dayofyear(ts) AS doy,
           week(ts) AS wk, quarter(ts) AS q, year(ts) AS y, month(ts) AS mo, day(ts) AS dom
         FROM ${duckdbReadClickstream(path)}`,
        ['user_id', 'duration_ms', 'full_ts', 'human', 'doy_text', 'hm', 'h', 'mi', 'sec', 'dow', 'doy', 'wk', 'q', 'y', 'mo', 'dom'], workers);
    });

    it(`REGEXP_EXTRACT, SPLIT_INDEX and the string functions (${workers} workers)`, async () => {
      await compare(
        `SELECT user_id, page,
           REGEXP_EXTRACT(page, '/products/([1-9][0-9]*)', 1) AS num, REGEXP_EXTRACT(user_id, 'u\\d') AS u1,
           SPLIT_INDEX(page, '/', 2) AS part2, SPLIT_INDEX(page, '/', 3) AS part3,
           REGEXP_REPLACE(page, '[0-9]', '#') AS masked, REGEXP(page, '^/products/[0-9]$') AS one_digit,
           LEFT(user_id, 2) AS l2, RIGHT(page, 2) AS r2, LPAD(country, 4, '*') AS padded, REVERSE(user_id) AS rev, MD5(user_id) AS hash
         FROM clicks`,
        `SELECT user_id, page,
           NULLIF(regexp_extract(page, '/products/([1-9][0-9]*)', 1), '') AS num, NULLIF(regexp_extract(user_id, 'u\\d'), '') AS u1,
           split_part(page, '/', 3) AS part2, NULLIF(split_part(page, '/', 4), '') AS part3,
           regexp_replace(page, '[0-9]', '#', 'g') AS masked, regexp_matches(page, '^/products/[0-9]$') AS one_digit,
           left(user_id, 2) AS l2, right(page, 2) AS r2, lpad(country, 4, '*') AS padded, reverse(user_id) AS rev, md5(user_id) AS hash
         FROM ${duckdbReadClickstream(path)}`,
        ['user_id', 'page', 'num', 'u1', 'part2', 'part3', 'masked', 'one_digit', 'l2', 'r2', 'padded', 'rev', 'hash'], workers);
    });
  }

  it('functions of window columns in a grouped query, on 2 workers', async () => {
    await compare(
      `SELECT DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS w, HOUR(window_start) AS h, country, COUNT(*) AS n
       FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' HOUR))
       WHERE REGEXP(page, '[13579]$') GROUP BY window_start, window_end, country`,
      `SELECT strftime(date_trunc('hour', ts), '%Y-%m-%d %H:%M') AS w, hour(ts) AS h, country, count(*) AS n
       FROM ${duckdbReadClickstream(path)} WHERE regexp_matches(page, '[13579]$') GROUP BY ALL`,
      ['w', 'h', 'country', 'n'], 2);
  });
});
