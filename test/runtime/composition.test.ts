import { describe, it, expect, beforeAll } from 'vitest';
import { generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';
import { duckdbReadClickstream } from '../../bench/clickstream.js';
import { Engine } from '../../src/runtime/engine.js';
import { CLICKS_DDL } from '../helpers/changelog.js';

/**
 * Views, common table expressions, subqueries in FROM and UNION ALL: each way of writing a query
 * must give the rows of the plain way of writing it, with and without workers.
 */
const DDL = CLICKS_DDL;

let input = '';

beforeAll(() => {
  input = writeLines(tempDir(), 'clicks.ndjson', generateClickstream({ events: 4_000, seed: 21, pages: 6, users: 50, eventsPerSecond: 200 }));
});

async function rowsOf(sql: string, columns: string[], workers = 0): Promise<string[]> {
  const { rows, engine } = await runApp(`${DDL}\n${sql}`, { clicks: input }, { workers, chunkBytes: 16 * 1024 });
  expect(engine.errorCount).toBe(0);
  return canonical(rows['out'] ?? [], columns).map((r) => JSON.stringify(r));
}

async function sameRows(plain: string, composed: string, columns: string[]): Promise<number> {
  const expected = await rowsOf(plain, columns);
  expect(expected.length).toBeGreaterThan(0);
  for (const workers of [0, 2]) expect(await rowsOf(composed, columns, workers), `workers=${workers}`).toEqual(expected);
  return expected.length;
}

const WINDOWED = `SELECT window_start, window_end, page, COUNT(*) AS views, SUM(d) AS total
  FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end, page`;

const PLAIN_WINDOWED = `CREATE STREAM out AS SELECT window_start, window_end, page, COUNT(*) AS views, SUM(duration_ms * 2) AS total
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  WHERE country <> 'US' AND duration_ms > 100
  GROUP BY window_start, window_end, page;`;

const windowCols = ['window_start', 'window_end', 'page', 'views', 'total'];

describe('a query reads a view, a common table or a subquery as if it were written out', () => {
  it('a view that filters and computes, read by a windowed aggregate', async () => {
    await sameRows(PLAIN_WINDOWED, `CREATE VIEW src AS SELECT ts, page, duration_ms * 2 AS d FROM clicks WHERE country <> 'US' AND duration_ms > 100;
      CREATE STREAM out AS ${WINDOWED};`, windowCols);
  });

  it('a view over a view, with renamed columns and a filter at each level', async () => {
    await sameRows(PLAIN_WINDOWED, `CREATE VIEW a (t, p, c, ms) AS SELECT ts, page, country, duration_ms FROM clicks WHERE country <> 'US';
      CREATE VIEW src AS SELECT t AS ts, p AS page, ms * 2 AS d FROM a WHERE ms > 100;
      CREATE STREAM out AS ${WINDOWED};`, windowCols);
  });

  it('WITH, including one common table reading another', async () => {
    await sameRows(PLAIN_WINDOWED, `CREATE STREAM out AS WITH base AS (SELECT * FROM clicks WHERE country <> 'US'),
      src AS (SELECT ts, page, duration_ms * 2 AS d FROM base WHERE duration_ms > 100)
      ${WINDOWED};`, windowCols);
  });

  it('a projection of a projection in FROM, nested three deep', async () => {
    await sameRows(`CREATE STREAM out AS SELECT page, UPPER(country) AS c, duration_ms + 1 AS d FROM clicks WHERE duration_ms > 500 AND country <> 'DE';`,
      `CREATE STREAM out AS SELECT page, c, d + 1 AS d FROM (SELECT * FROM (SELECT page, UPPER(country) AS c, duration_ms AS d FROM clicks WHERE duration_ms > 500) WHERE c <> 'DE') AS x;`,
      ['page', 'c', 'd']);
  });

  it('a filter over a windowed aggregate in FROM (the aggregate runs into an internal stream)', async () => {
    const n = await sameRows(`CREATE STREAM out AS SELECT window_start, window_end, page, COUNT(*) AS views
        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page HAVING COUNT(*) > 300;`,
      `CREATE STREAM out AS SELECT * FROM (SELECT window_start, window_end, page, COUNT(*) AS views
        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page) WHERE views > 300;`,
      ['window_start', 'window_end', 'page', 'views']);
    expect(n).toBeGreaterThan(3);
  });

  it('internal streams are not outputs of the application, and EXPLAIN shows their plans', async () => {
    const engine = new Engine();
    try {
      const results = engine.execute(`${DDL}
        CREATE STREAM out AS SELECT * FROM (SELECT window_start, window_end, page, COUNT(*) AS views
          FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page) WHERE views > 3;
        EXPLAIN SELECT page FROM (SELECT page, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, page) s;`);
      expect(engine.outputStreams()).toEqual(['out']);
      const text = results.find((r) => r.kind === 'explain');
      expect(text && text.kind === 'explain' ? text.text : '').toMatch(/internal stream s\$\d+[\s\S]*WindowAggregate[\s\S]*Scan: s\$\d+/);
    } finally {
      await engine.close();
    }
  });
});

describe('UNION ALL', () => {
  it('two filters of one stream give the rows of one filter with OR', async () => {
    await sameRows(`CREATE STREAM out AS SELECT page, duration_ms FROM clicks WHERE country = 'DE' OR country = 'FR';`,
      `CREATE STREAM out AS SELECT page, duration_ms FROM clicks WHERE country = 'DE' UNION ALL SELECT page, duration_ms FROM clicks WHERE country = 'FR';`,
      ['page', 'duration_ms']);
  });

  it('a windowed count over a UNION ALL of two streams matches DuckDB', async () => {
    const other = writeLines(tempDir(), 'more.ndjson', generateClickstream({ events: 1_500, seed: 22, pages: 4, users: 20, eventsPerSecond: 75 }));
    const withView = `${DDL}
      CREATE STREAM more (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
      CREATE VIEW both_streams AS SELECT ts, page FROM clicks UNION ALL SELECT ts, page FROM more;
      CREATE STREAM out AS SELECT window_start, window_end, page, COUNT(*) AS views
        FROM TABLE(TUMBLE(TABLE both_streams, DESCRIPTOR(ts), INTERVAL '30' SECOND))
        GROUP BY window_start, window_end, page;`;
    const { rows, engine } = await runApp(withView, { clicks: input, more: other }, { chunkBytes: 16 * 1024 });
    expect(engine.errorCount).toBe(0);
    const columns = ['window_start', 'window_end', 'page', 'views'];
    const expected = await duck(`SELECT epoch_ms(time_bucket(INTERVAL 30 SECOND, ts)) AS window_start, epoch_ms(time_bucket(INTERVAL 30 SECOND, ts) + INTERVAL 30 SECOND) AS window_end, page, COUNT(*) AS views
      FROM (SELECT ts, page FROM ${duckdbReadClickstream(input)} UNION ALL SELECT ts, page FROM ${duckdbReadClickstream(other)}) GROUP BY ALL`);
    expect(canonical(rows['out']!, columns)).toEqual(canonical(expected, columns));
  });

  it('branches must agree on their columns', async () => {
    const engine = new Engine();
    try {
      expect(() => engine.execute(`${DDL} CREATE STREAM out AS SELECT page FROM clicks UNION ALL SELECT page, country FROM clicks;`)).toThrow(/UNION ALL branches return 1 and 2 columns/);
      expect(() => engine.execute(`${DDL} CREATE STREAM out2 AS SELECT page FROM clicks UNION ALL SELECT duration_ms FROM clicks;`)).toThrow(/UNION ALL column 1 is VARCHAR in the first branch and BIGINT here/);
    } finally {
      await engine.close();
    }
  });
});

describe('filters of a view and of the query reading it', () => {
  it('both apply (the view\'s WHERE and the outer WHERE)', async () => {
    await sameRows(`CREATE STREAM out AS SELECT page, duration_ms FROM clicks WHERE country <> 'US' AND duration_ms > 2000;`,
      `CREATE VIEW v AS SELECT page, duration_ms FROM clicks WHERE country <> 'US';
       CREATE STREAM out AS SELECT page, duration_ms FROM v WHERE duration_ms > 2000;`,
      ['page', 'duration_ms']);
  });
});

describe('an aggregation over a windowed aggregation', () => {
  for (const workers of [0, 2]) {
    it(`GROUP BY window_start, window_end of a windowed result keeps its windows, append-only (${workers} workers)`, async () => {
      const sql = `CREATE STREAM out AS SELECT window_start, window_end, MAX(views) AS most, COUNT(*) AS pages FROM (
          SELECT window_start, window_end, page, COUNT(*) AS views FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
          GROUP BY window_start, window_end, page)
        GROUP BY window_start, window_end;`;
      const { rows, engine } = await runApp(`${DDL}\n${sql}`, { clicks: input }, { workers, chunkBytes: 16 * 1024 });
      expect(engine.errorCount).toBe(0);
      const out = rows['out']!;
      expect(out.every((r) => r['op'] === undefined)).toBe(true);
      const expected = await duck(`WITH w AS (SELECT unnest([time_bucket(INTERVAL 5 SECOND, ts), time_bucket(INTERVAL 5 SECOND, ts) - INTERVAL 5 SECOND]) AS ws, page FROM ${duckdbReadClickstream(input)}),
          per AS (SELECT ws, page, COUNT(*) AS views FROM w GROUP BY ALL)
        SELECT epoch_ms(ws) AS window_start, epoch_ms(ws + INTERVAL 10 SECOND) AS window_end, MAX(views) AS most, COUNT(*) AS pages FROM per GROUP BY ALL`);
      const columns = ['window_start', 'window_end', 'most', 'pages'];
      expect(canonical(out.map((r) => ({ ...r, window_start: Date.parse(String(r['window_start'])), window_end: Date.parse(String(r['window_end'])) })), columns)).toEqual(canonical(expected, columns));
    });
  }
});
