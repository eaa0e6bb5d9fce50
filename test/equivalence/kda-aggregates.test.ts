import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck } from '../helpers/duckdb.js';

/**
 * KDA's statistical and positional aggregates against DuckDB's over the benchmark's clickstream,
 * cut into small chunks so that every group's value is merged from several partial states, on the
 * coordinator and on 2 workers: VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP against DuckDB's;
 * FIRST_VALUE and LAST_VALUE against arg_min and arg_max by arrival; EXP_AVG against its formula.
 */
const DDL = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');`;

let path = '';

beforeAll(() => {
  path = writeLines(tempDir(), 'clicks.ndjson', generateClickstream({ events: 20_000, seed: 5, pages: 12, users: 500, eventsPerSecond: 400 }));
});

/** ROWTIME replayed from ts as Sluice keeps it (the largest ts so far), and each record's position. */
const withRowtime = () => `(SELECT *, max(epoch_ms(ts)) OVER (ORDER BY rn ROWS UNBOUNDED PRECEDING) AS rowtime
  FROM (SELECT *, row_number() OVER () AS rn FROM ${duckdbReadClickstream(path)}))`;

/** Rows keyed by `keys`, each compared to DuckDB's: numbers within 1e-9 relative, the rest exactly. */
function expectSame(got: Record<string, unknown>[], want: Record<string, unknown>[], keys: string[]): void {
  const iso = (v: unknown) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v);
  const key = (r: Record<string, unknown>) => keys.map((k) => String(iso(r[k]) ? Date.parse(r[k] as string) : r[k])).join('|');
  const byKey = new Map(want.map((r) => [key(r), r]));
  expect(got.length).toBeGreaterThan(10);
  expect(got.length).toBe(want.length);
  for (const row of got) {
    const other = byKey.get(key(row));
    expect(other, key(row)).toBeDefined();
    for (const [column, value] of Object.entries(row)) {
      const w = other![column];
      if (typeof value === 'number' && typeof w === 'number') expect(Math.abs(value - w), `${key(row)} ${column}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
      else expect(iso(value) ? Date.parse(value as string) : value, `${key(row)} ${column}`).toEqual(w ?? null);
    }
  }
}

describe('KDA aggregates match DuckDB', () => {
  for (const workers of [0, 2]) {
    it(`variance and standard deviation per page per 10 s of ROWTIME, FIRST_VALUE, LAST_VALUE and EXP_AVG (${workers} workers)`, async () => {
      const { rows, engine } = await runApp(`${DDL}
CREATE STREAM out AS SELECT STREAM page, STEP(clicks.ROWTIME BY INTERVAL '10' SECOND) AS bucket,
  VAR_POP(duration_ms) AS vp, VAR_SAMP(duration_ms) AS vs, STDDEV_POP(duration_ms) AS sp, STDDEV_SAMP(duration_ms) AS ss,
  FIRST_VALUE(user_id) AS first_user, LAST_VALUE(user_id) AS last_user, EXP_AVG(duration_ms, INTERVAL '2' SECOND) AS recent
FROM clicks GROUP BY page, STEP(clicks.ROWTIME BY INTERVAL '10' SECOND);`, { clicks: path }, { workers, chunkBytes: 8 * 1024, rowtimeFrom: 'ts' });
      expect(engine.errorCount).toBe(0);
      const want = await duck(`WITH r AS ${withRowtime()},
  g AS (SELECT *, (rowtime // 10000) * 10000 AS b, max(rowtime) OVER (PARTITION BY page, rowtime // 10000) AS latest FROM r)
SELECT page AS PAGE, b AS BUCKET, var_pop(duration_ms) AS VP, var_samp(duration_ms) AS VS, stddev_pop(duration_ms) AS SP, stddev_samp(duration_ms) AS SS,
  arg_min(user_id, rn) AS FIRST_USER, arg_max(user_id, rn) AS LAST_USER,
  sum(duration_ms * pow(2, (rowtime - latest) / 2000)) / sum(pow(2, (rowtime - latest) / 2000)) AS RECENT
FROM g GROUP BY page, b`);
      expectSame(rows['out']!, want, ['PAGE', 'BUCKET']);
    });

    it(`VAR_SAMP and STDDEV_POP in a Flink TUMBLE window with FILTER (${workers} workers)`, async () => {
      const { rows, engine } = await runApp(`${DDL}
CREATE STREAM out AS SELECT window_start, country, VAR_SAMP(duration_ms) AS vs, STDDEV_POP(duration_ms) FILTER (WHERE page <> '/products/0') AS sp
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end, country;`, { clicks: path }, { workers, chunkBytes: 8 * 1024 });
      expect(engine.errorCount).toBe(0);
      const want = await duck(`SELECT (epoch_ms(ts) // 5000) * 5000 AS window_start, country, var_samp(duration_ms) AS vs,
  stddev_pop(duration_ms) FILTER (WHERE page <> '/products/0') AS sp
FROM ${duckdbReadClickstream(path)} GROUP BY ALL`);
      expectSame(rows['out']!, want, ['window_start', 'country']);
    });
  }
});
