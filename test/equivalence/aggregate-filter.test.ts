import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';
import { CLICKS_DDL } from '../helpers/changelog.js';

/** Aggregates with FILTER (WHERE ...), as Nexmark's q15-q17 write them, against DuckDB's FILTER. */
const DDL = CLICKS_DDL;

let input = '';
beforeAll(() => {
  input = writeLines(tempDir(), 'clicks.ndjson', generateClickstream({ events: 20_000, seed: 31, pages: 7, users: 300, eventsPerSecond: 500 }));
});

const COLUMNS = ['window_start', 'page', 'n', 'short', 'long_users', 'de_users', 'long_ms', 'max_short'];

describe('aggregate FILTER (WHERE ...) matches DuckDB', () => {
  for (const shape of [{ name: 'grouped by a string column (code-folding path)', key: 'page' }, { name: 'grouped by an expression (general path)', key: 'UPPER(page)' }]) {
    for (const workers of [0, 2]) {
      it(`${shape.name}, ${workers} workers`, async () => {
        const sql = `${DDL}
          CREATE STREAM out AS SELECT window_start, ${shape.key} AS page, COUNT(*) AS n,
            COUNT(*) FILTER (WHERE duration_ms < 1000) AS short,
            COUNT(DISTINCT user_id) FILTER (WHERE duration_ms >= 1000 AND duration_ms < 5000) AS long_users,
            COUNT(DISTINCT user_id) FILTER (WHERE country = 'DE') AS de_users,
            SUM(duration_ms) FILTER (WHERE duration_ms >= 5000) AS long_ms,
            MAX(duration_ms) FILTER (WHERE duration_ms < 1000) AS max_short
          FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
          GROUP BY window_start, window_end, ${shape.key};`;
        const { rows, engine } = await runApp(sql, { clicks: input }, { workers, chunkBytes: 32 * 1024 });
        expect(engine.errorCount).toBe(0);
        const expected = await duck(`SELECT epoch_ms(time_bucket(INTERVAL 10 SECOND, ts)) AS window_start, ${shape.key} AS page, COUNT(*) AS n,
            COUNT(*) FILTER (WHERE duration_ms < 1000) AS short,
            COUNT(DISTINCT user_id) FILTER (WHERE duration_ms >= 1000 AND duration_ms < 5000) AS long_users,
            COUNT(DISTINCT user_id) FILTER (WHERE country = 'DE') AS de_users,
            SUM(duration_ms) FILTER (WHERE duration_ms >= 5000) AS long_ms,
            MAX(duration_ms) FILTER (WHERE duration_ms < 1000) AS max_short
          FROM ${duckdbReadClickstream(input)} GROUP BY ALL`);
        const got = canonical(rows['out']!, COLUMNS);
        expect(got.length).toBeGreaterThan(20);
        expect(got).toEqual(canonical(expected, COLUMNS));
      });
    }
  }
});
