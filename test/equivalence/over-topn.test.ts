import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadClickstream, generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';
import type { Row } from '../../src/runtime/rows.js';
import { CLICKS_DDL, finalTable } from '../helpers/changelog.js';

/** OVER aggregates, Top-N and dedup as queries, against DuckDB's window functions over the same events. */
const DDL = CLICKS_DDL;

let input = '';
beforeAll(() => {
  // Strictly increasing times, so ORDER BY ts has no ties for DuckDB to break another way.
  const lines = [...generateClickstream({ events: 3_000, seed: 61, pages: 5, users: 40, eventsPerSecond: 100 })];
  input = writeLines(tempDir(), 'clicks.ndjson', lines.map((l, i) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    o['ts'] = new Date(Date.UTC(2026, 10, 25) + i * 10).toISOString();
    return JSON.stringify(o);
  }));
});


async function run(sql: string, workers: number): Promise<{ rows: Row[]; errors: number }> {
  const { rows, engine } = await runApp(`${DDL}\nCREATE STREAM out AS ${sql};`, { clicks: input }, { workers, chunkBytes: 8 * 1024 });
  return { rows: rows['out']!, errors: engine.errorCount };
}

describe('OVER aggregates', () => {
  for (const workers of [0, 2]) {
    it(`ROWS and RANGE frames per user match DuckDB's window functions (${workers} workers)`, async () => {
      const { rows, errors } = await run(`SELECT user_id, ts, duration_ms,
          SUM(duration_ms) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS last4,
          COUNT(*) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW) AS in5s,
          MAX(duration_ms) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW) AS max5s
        FROM clicks`, workers);
      expect(errors).toBe(0);
      const expected = await duck(`SELECT user_id, epoch_ms(ts) AS ts, duration_ms,
          SUM(duration_ms) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS last4,
          COUNT(*) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL 5 SECOND PRECEDING AND CURRENT ROW) AS in5s,
          MAX(duration_ms) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL 5 SECOND PRECEDING AND CURRENT ROW) AS max5s
        FROM ${duckdbReadClickstream(input)}`);
      const columns = ['user_id', 'ts', 'duration_ms', 'last4', 'in5s', 'max5s'];
      const got = rows.map((r) => ({ ...r, ts: Date.parse(String(r['ts'])) }));
      expect(got).toHaveLength(3000);
      expect(canonical(got, columns)).toEqual(canonical(expected, columns));
    });
  }

  it("KDA's named sliding window over ROWTIME: one row out per row in", async () => {
    const { rows, errors } = await run(`SELECT STREAM page, COUNT(*) OVER W1 AS n, AVG(duration_ms) OVER W1 AS avg_ms
      FROM clicks WINDOW W1 AS (PARTITION BY page RANGE INTERVAL '1' MINUTE PRECEDING)`, 0);
    expect(errors).toBe(0);
    expect(rows).toHaveLength(3000);
    // Arrival order within one file replay: the counts per page run 1, 2, 3, ...
    // A KDA application's unquoted names are upper-cased, as KDA does.
    const seen = new Map<string, number>();
    for (const r of rows) {
      const n = (seen.get(String(r['PAGE'])) ?? 0) + 1;
      seen.set(String(r['PAGE']), n);
      expect(r['N']).toBe(n);
    }
  });
});

describe('Top-N and dedup', () => {
  for (const workers of [0, 2]) {
    it(`the final table of a Top-3 per page is DuckDB's (${workers} workers)`, async () => {
      const { rows, errors } = await run(`SELECT page, user_id, duration_ms, rn FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY page ORDER BY duration_ms DESC) AS rn FROM clicks) WHERE rn <= 3`, workers);
      expect(errors).toBe(0);
      expect(rows.some((r) => r['op'] === '-U' || r['op'] === '-D')).toBe(true);
      const expected = await duck(`SELECT page, user_id, duration_ms, rn FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY page ORDER BY duration_ms DESC, ts) AS rn FROM ${duckdbReadClickstream(input)}) WHERE rn <= 3`);
      const columns = ['page', 'duration_ms', 'rn'];
      expect(canonical(finalTable(rows), columns)).toEqual(canonical(expected, columns));
    });
  }

  it('ROW_NUMBER = 1 by the time column keeps the first row per key, append-only (a dedup)', async () => {
    const { rows, errors } = await run(`SELECT user_id, page, ts FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts ASC) AS rn FROM clicks) WHERE rn = 1`, 2);
    expect(errors).toBe(0);
    expect(rows.every((r) => r['op'] === undefined || r['op'] === '+I')).toBe(true);
    const expected = await duck(`SELECT user_id, page, epoch_ms(ts) AS ts FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM ${duckdbReadClickstream(input)}) WHERE rn = 1`);
    const columns = ['user_id', 'page', 'ts'];
    expect(canonical(rows.map((r) => ({ ...r, ts: Date.parse(String(r['ts'])) })), columns)).toEqual(canonical(expected, columns));
  });

  it('ORDER BY ts DESC = 1 keeps the last row per key, as an updating result', async () => {
    const { rows } = await run(`SELECT user_id, duration_ms FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM clicks) WHERE rn <= 1`, 0);
    const expected = await duck(`SELECT user_id, duration_ms FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM ${duckdbReadClickstream(input)}) WHERE rn = 1`);
    expect(canonical(finalTable(rows), ['user_id', 'duration_ms'])).toEqual(canonical(expected, ['user_id', 'duration_ms']));
  });
});

describe('EXPLAIN of post stages', () => {
  it('names the operators after the row stage and says the result updates', async () => {
    const { Engine } = await import('../../src/runtime/engine.js');
    const engine = new Engine();
    try {
      const [r] = engine.execute(`${DDL} EXPLAIN SELECT page, user_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY page ORDER BY duration_ms DESC) AS rn FROM clicks) WHERE rn <= 3;`).filter((x) => x.kind === 'explain');
      expect(r && r.kind === 'explain' ? r.text : '').toMatch(/PostStage on coordinator thread:\n\s+Rank: ROW_NUMBER <= 3, partitioned by 1 key\(s\) \(updating\)\n\s+Calc: project 2 column\(s\), an updating result/);
    } finally {
      await engine.close();
    }
  });
});
