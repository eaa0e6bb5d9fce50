import { describe, it, expect, beforeAll } from 'vitest';
import { duckdbReadNexmark, generateNexmark, NEXMARK_DDL, NEXMARK_VIEWS } from '../../bench/nexmark.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { duck, canonical } from '../helpers/duckdb.js';

/**
 * Nexmark's DDL (ROW columns, a computed event time with its watermark) and views, run by Sluice
 * over generated Nexmark events and by DuckDB reading the same NDJSON with STRUCT columns: the
 * windowed results must be identical.
 */
let input = '';
const events = (path: string) => `(SELECT *, epoch_ms(CASE WHEN event_type = 0 THEN person.dateTime WHEN event_type = 1 THEN auction.dateTime ELSE bid.dateTime END) AS ms FROM ${duckdbReadNexmark(path)})`;

beforeAll(() => {
  input = writeLines(tempDir(), 'nexmark.ndjson', generateNexmark({ events: 40_000, seed: 5, eventsPerSecond: 500 }));
});

async function compare(sluiceSql: string, duckSql: string, columns: string[], workers: number) {
  const { rows, engine } = await runApp(`${NEXMARK_DDL}\n${NEXMARK_VIEWS}\nCREATE STREAM out AS ${sluiceSql};`, { datagen: input }, { workers });
  expect(engine.errorCount).toBe(0);
  const got = canonical(rows['out']!, columns);
  expect(got.length).toBeGreaterThan(20);
  expect(got).toEqual(canonical(await duck(duckSql), columns));
}

describe('Nexmark views match DuckDB over STRUCT columns', () => {
  it('a 10 s tumbling count per channel over the bid view, on 2 workers', async () => {
    await compare(
      `SELECT window_start, window_end, channel, COUNT(*) AS n, SUM(price) AS total, MAX(price) AS top
       FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
       GROUP BY window_start, window_end, channel`,
      `SELECT (ms // 10000) * 10000 AS window_start, (ms // 10000) * 10000 + 10000 AS window_end, bid.channel AS channel,
              count(*) AS n, sum(bid.price) AS total, max(bid.price) AS top
       FROM ${events(input)} WHERE event_type = 2 GROUP BY ALL`,
      ['window_start', 'window_end', 'channel', 'n', 'total', 'top'], 2);
  });

  it('a 5 s hopping count per state over the person view, with a WHERE on a nested field', async () => {
    await compare(
      `SELECT window_start, state, COUNT(*) AS people
       FROM TABLE(HOP(TABLE person, DESCRIPTOR(dateTime), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
       WHERE city <> 'Boise'
       GROUP BY window_start, window_end, state`,
      `SELECT ws AS window_start, person.state AS state, count(*) AS people
       FROM (SELECT *, unnest(generate_series((ms // 5000) * 5000 - 5000, (ms // 5000) * 5000, 5000)) AS ws FROM ${events(input)})
       WHERE event_type = 0 AND person.city <> 'Boise' GROUP BY ALL`,
      ['window_start', 'state', 'people'], 0);
  });
});
