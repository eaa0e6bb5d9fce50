import { describe, it, expect, beforeAll } from 'vitest';
import { generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { canonical } from '../helpers/duckdb.js';
import { Engine } from '../../src/runtime/engine.js';
import { CLICKS_DDL } from '../helpers/changelog.js';

/** Flink's legacy group windows (GROUP BY TUMBLE(ts, ...) with TUMBLE_START ...) give the rows of the window TVFs. */
const DDL = CLICKS_DDL;

let input = '';
beforeAll(() => {
  input = writeLines(tempDir(), 'clicks.ndjson', generateClickstream({ events: 6_000, seed: 41, pages: 5, users: 80, eventsPerSecond: 100 }));
});

async function rows(sql: string, columns: string[], workers: number): Promise<unknown[]> {
  const { rows, engine } = await runApp(`${DDL}\nCREATE STREAM out AS ${sql};`, { clicks: input }, { workers, chunkBytes: 16 * 1024 });
  expect(engine.errorCount).toBe(0);
  return canonical(rows['out']!, columns);
}

const CASES = [
  {
    name: 'TUMBLE',
    legacy: `SELECT page, TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, TUMBLE_END(ts, INTERVAL '10' SECOND) AS we, COUNT(*) AS n FROM clicks GROUP BY page, TUMBLE(ts, INTERVAL '10' SECOND)`,
    tvf: `SELECT page, window_start AS ws, window_end AS we, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page`,
  },
  {
    name: 'HOP',
    legacy: `SELECT page, HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '20' SECOND) AS ws, HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '20' SECOND) AS we, COUNT(*) AS n FROM clicks GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '20' SECOND), page`,
    tvf: `SELECT page, window_start AS ws, window_end AS we, COUNT(*) AS n FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end, page`,
  },
  {
    name: 'SESSION per key',
    legacy: `SELECT C.user_id AS page, SESSION_START(C.ts, INTERVAL '4' SECOND) AS ws, SESSION_END(C.ts, INTERVAL '4' SECOND) AS we, COUNT(*) AS n FROM clicks C GROUP BY C.user_id, SESSION(C.ts, INTERVAL '4' SECOND)`,
    tvf: `SELECT user_id AS page, window_start AS ws, window_end AS we, COUNT(*) AS n FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '4' SECOND)) GROUP BY window_start, window_end, user_id`,
  },
];

describe('legacy group windows', () => {
  for (const c of CASES) {
    it(`GROUP BY ${c.name}(...) equals the ${c.name} TVF, with and without workers`, async () => {
      const columns = ['page', 'ws', 'we', 'n'];
      const expected = await rows(c.tvf, columns, 0);
      expect(expected.length).toBeGreaterThan(20);
      expect(await rows(c.legacy, columns, 0)).toEqual(expected);
      expect(await rows(c.legacy, columns, 2)).toEqual(expected);
    });
  }

  it('TUMBLE_START must name the GROUP BY window', async () => {
    const engine = new Engine();
    try {
      expect(() => engine.execute(`${DDL} CREATE STREAM a AS SELECT TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n FROM clicks GROUP BY TUMBLE(ts, INTERVAL '10' SECOND);`))
        .toThrow(/TUMBLE_START\(\.\.\.\) must name the GROUP BY window with the same arguments/);
      expect(() => engine.execute(`${DDL} CREATE STREAM b AS SELECT HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) AS we FROM clicks GROUP BY page, STEP(ts BY INTERVAL '1' SECOND);`))
        .toThrow(/HOP_END needs GROUP BY HOP\(\.\.\.\)/);
    } finally {
      await engine.close();
    }
  });
});
