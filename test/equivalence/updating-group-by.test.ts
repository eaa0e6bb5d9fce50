import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';
import { Engine } from '../../src/runtime/engine.js';
import type { Row } from '../../src/runtime/rows.js';
import { CLICKS_DDL, finalTable } from '../helpers/changelog.js';

/**
 * GROUP BY without a time window is an updating result (+I, -U, +U, -D, as Flink's). Applying its
 * changelog in order must leave DuckDB's batch answer over the same events.
 */
const DDL = CLICKS_DDL;

let input = '';
beforeAll(() => {
  input = writeLines(tempDir(), 'clicks.ndjson', generateClickstream({ events: 8_000, seed: 51, pages: 9, users: 120, eventsPerSecond: 400 }));
});


async function changelog(sql: string, workers: number, chunkBytes = 16 * 1024): Promise<Row[]> {
  const { rows, engine } = await runApp(`${DDL}\nCREATE STREAM out AS ${sql};`, { clicks: input }, { workers, chunkBytes });
  expect(engine.errorCount).toBe(0);
  return rows['out']!;
}

describe('GROUP BY without a time window (an updating result)', () => {
  for (const workers of [0, 2]) {
    it(`counts per page and country: the changelog's final table is DuckDB's, ${workers} workers`, async () => {
      const log = await changelog(`SELECT page, country, COUNT(*) AS n, SUM(duration_ms) AS total, MAX(user_id) AS last_user, COUNT(DISTINCT user_id) AS users FROM clicks GROUP BY page, country`, workers);
      expect(new Set(log.map((r) => r['op']))).toEqual(new Set(['+I', '-U', '+U']));
      const columns = ['page', 'country', 'n', 'total', 'last_user', 'users'];
      const expected = await duck(`SELECT page, country, COUNT(*) AS n, SUM(duration_ms) AS total, MAX(user_id) AS last_user, COUNT(DISTINCT user_id) AS users FROM ${duckdbReadClickstream(input)} GROUP BY ALL`);
      expect(canonical(finalTable(log), columns)).toEqual(canonical(expected, columns));
    });
  }

  it('grouped by an expression (the general aggregation path), the final table is DuckDB\'s', async () => {
    const log = await changelog(`SELECT UPPER(page) AS p, COUNT(*) AS n FROM clicks GROUP BY UPPER(page)`, 2);
    const expected = await duck(`SELECT UPPER(page) AS p, COUNT(*) AS n FROM ${duckdbReadClickstream(input)} GROUP BY ALL`);
    expect(canonical(finalTable(log), ['p', 'n'])).toEqual(canonical(expected, ['p', 'n']));
  });

  it('each -U is followed by the +U of the same key, and -U carries the row +I or +U gave before', async () => {
    const log = await changelog(`SELECT page, COUNT(*) AS n FROM clicks GROUP BY page`, 0, 4096);
    const current = new Map<string, number>();
    for (let i = 0; i < log.length; i++) {
      const r = log[i]!;
      const page = String(r['page']);
      if (r['op'] === '-U') {
        expect(current.get(page)).toBe(r['n']);
        expect(log[i + 1]).toMatchObject({ op: '+U', page });
      } else current.set(page, r['n'] as number);
    }
    expect(current.size).toBe(9);
  });

  it('HAVING adds and removes groups: +I when a group enters, -D when it leaves', async () => {
    // A user's group on a page enters at its 3rd click and leaves at its 6th: both transitions happen.
    const log = await changelog(`SELECT page, user_id, COUNT(*) AS n FROM clicks GROUP BY page, user_id HAVING COUNT(*) >= 3 AND COUNT(*) <= 5`, 2, 4096);
    expect(log.some((r) => r['op'] === '-D')).toBe(true);
    const expected = await duck(`SELECT page, user_id, COUNT(*) AS n FROM ${duckdbReadClickstream(input)} GROUP BY ALL HAVING COUNT(*) BETWEEN 3 AND 5`);
    expect(canonical(finalTable(log), ['page', 'user_id', 'n'])).toEqual(canonical(expected, ['page', 'user_id', 'n']));
  });

  it('an aggregate with no GROUP BY is one updating row; FILTER works there too', async () => {
    const log = await changelog(`SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE country = 'DE') AS de FROM clicks`, 2);
    const table = finalTable(log);
    const expected = await duck(`SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE country = 'DE') AS de FROM ${duckdbReadClickstream(input)}`);
    expect(canonical(table, ['n', 'de'])).toEqual(canonical(expected, ['n', 'de']));
  });

  it('SELECT DISTINCT emits each distinct row once, as inserts only', async () => {
    const log = await changelog(`SELECT DISTINCT page, country FROM clicks`, 2);
    expect(log.every((r) => r['op'] === '+I')).toBe(true);
    const expected = await duck(`SELECT DISTINCT page, country FROM ${duckdbReadClickstream(input)}`);
    expect(canonical(finalTable(log), ['page', 'country'])).toEqual(canonical(expected, ['page', 'country']));
  });

  it('KDA-style SELECT STREAM still needs a time bucket, and reading an updating result is refused', async () => {
    const engine = new Engine();
    try {
      expect(() => engine.execute(`${DDL} CREATE STREAM a AS SELECT STREAM page, COUNT(*) AS n FROM clicks GROUP BY page;`)).toThrow(/SQL_STREAM_GROUP_BY/);
      expect(() => engine.execute(`${DDL} CREATE STREAM b AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page; CREATE STREAM c AS SELECT page FROM b WHERE n > 3;`))
        .toThrow(/b is an updating result \(a GROUP BY without a time window\), and reading one is not supported yet/);
      expect(() => engine.execute(`${DDL} CREATE STREAM d AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page EMIT FINAL;`)).toThrow(/EMIT FINAL needs a time window/);
    } finally {
      await engine.close();
    }
  });
});

describe('sinks and updating results', () => {
  it('a sink that only appends refuses an updating query, saying why and what to do', async () => {
    const engine = new Engine();
    try {
      for (const sink of [`sink = 'duckdb', path = 'x.duckdb'`, `sink = 'firehose', delivery_stream = 'd'`, `sink = 'file', format = 'parquet', path = 'out'`]) {
        expect(() => engine.execute(`${DDL} CREATE OR REPLACE STREAM t WITH (${sink}) AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;`), sink)
          .toThrow(/only appends, and this query's result updates[\s\S]*aggregate over a time window/);
      }
    } finally {
      await engine.close();
    }
  });
});
