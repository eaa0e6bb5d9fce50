import { describe, it, expect, beforeAll } from 'vitest';
import { generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { canonical } from '../helpers/duckdb.js';

/**
 * Computed columns evaluated in the row stage: a query over them gives the rows of the same query
 * with their expressions written out, with and without workers, and a row whose computed column
 * cannot be evaluated goes to error_stream instead of on.
 */
const columns = `ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT`;
const PLAIN = `CREATE STREAM clicks (${columns}, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (format = 'json');`;
const COMPUTED = `CREATE STREAM clicks (${columns},
  shifted AS ts + INTERVAL '1' SECOND,
  who AS UPPER(country) || '/' || page,
  slow AS duration_ms > 2000,
  per_second AS 1000 / (duration_ms - 50),
  WATERMARK FOR shifted AS shifted - INTERVAL '2' SECOND) WITH (format = 'json');`;

let input = '';
let fifties = 0;

beforeAll(() => {
  // Durations of exactly 50 ms make per_second divide by zero.
  const lines = [...generateClickstream({ events: 3_000, seed: 4, pages: 5, users: 30, eventsPerSecond: 100 })].map((l, i) => (i % 97 === 0 ? l.replace(/"duration_ms":\d+/, '"duration_ms":50') : l));
  fifties = lines.filter((l) => l.includes('"duration_ms":50}')).length;
  input = writeLines(tempDir(), 'clicks.ndjson', lines);
});

async function rowsOf(sql: string, cols: string[], workers: number): Promise<{ rows: string[]; errors: string[] }> {
  const { rows } = await runApp(`${sql}\nCREATE STREAM errs AS SELECT ERROR_NAME, MESSAGE FROM error_stream;`, { clicks: input }, { workers, chunkBytes: 8 * 1024 });
  return { rows: canonical(rows['out'] ?? [], cols), errors: canonical(rows['errs'] ?? [], ['ERROR_NAME', 'MESSAGE']) };
}

describe('computed columns', () => {
  it('feed WHERE, the window time column with its watermark, group keys and aggregates', async () => {
    const cols = ['window_start', 'who', 'n', 'fastest'];
    const plain = await rowsOf(`${PLAIN}
      CREATE STREAM out AS SELECT window_start, UPPER(country) || '/' || page AS who, COUNT(*) AS n, MAX(1000 / (duration_ms - 50)) AS fastest
      FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '9' SECOND))
      WHERE duration_ms > 2000 AND duration_ms <> 50 GROUP BY window_start, window_end, UPPER(country) || '/' || page;`, cols, 0);
    expect(plain.rows.length).toBeGreaterThan(50);
    for (const workers of [0, 2]) {
      const computed = await rowsOf(`${COMPUTED}
        CREATE STREAM out AS SELECT window_start - INTERVAL '1' SECOND AS window_start, who, COUNT(*) AS n, MAX(per_second) AS fastest
        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(shifted), INTERVAL '10' SECOND)) WHERE slow GROUP BY window_start, window_end, who;`, cols, workers);
      expect(computed.rows, `workers=${workers}`).toEqual(plain.rows);
      // Every row with a 50 ms duration, slow or not, failed its computed column and went to error_stream.
      expect(fifties).toBeGreaterThan(30);
      expect(computed.errors, `workers=${workers}`).toEqual(canonical(Array.from({ length: fifties }, () => ({ ERROR_NAME: 'EXPRESSION_ERROR', MESSAGE: 'division by zero' })), ['ERROR_NAME', 'MESSAGE']));
    }
  });

  it('feed a windowed projection through a view', async () => {
    const cols = ['window_end', 'user_id', 'shifted'];
    const plain = await rowsOf(`${PLAIN}
      CREATE STREAM out AS SELECT window_end, user_id, ts + INTERVAL '1' SECOND AS shifted
      FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE duration_ms > 2000 AND duration_ms <> 50;`, cols, 0);
    const computed = await rowsOf(`${COMPUTED}
      CREATE VIEW v AS SELECT user_id, shifted, ts FROM clicks WHERE slow;
      CREATE STREAM out AS SELECT window_end, user_id, shifted FROM TABLE(HOP(TABLE v, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND));`, cols, 2);
    expect(plain.rows.length).toBeGreaterThan(100);
    expect(computed.rows).toEqual(plain.rows);
  });

  it('sit between the fields of a CSV record without taking a position', async () => {
    const dir = tempDir();
    const csv = writeLines(dir, 'orders.csv', ['1,widget,2.5', '2,gadget,4', '3,widget,0']);
    const { rows } = await runApp(`CREATE STREAM orders (id INT, label AS UPPER(item), item VARCHAR, price DOUBLE, with_tax AS price * 1.2) WITH (format = 'csv');
      CREATE STREAM out AS SELECT * FROM orders WHERE with_tax > 1;`, { orders: csv }, { workers: 0 });
    expect(rows['out']).toEqual([
      { id: 1, label: 'WIDGET', item: 'widget', price: 2.5, with_tax: 3 },
      { id: 2, label: 'GADGET', item: 'gadget', price: 4, with_tax: 4.8 },
    ]);
  });
});
