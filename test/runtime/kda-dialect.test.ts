import { describe, it, expect } from 'vitest';
import { Sluice, SqlDiagnosticsError } from '../../src/index.js';
import type { Row } from '../../src/runtime/rows.js';

const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, s)).toISOString();

/** Runs an application over records put into `input` (ROWTIME replayed from their ts), collecting `output`'s rows in order. */
async function run(sql: string, records: Record<string, unknown>[], output: string, workers = 0, input = 'src'): Promise<Row[]> {
  const sluice = await Sluice.open({ workers, rowtimeFrom: { [input]: 'ts' } });
  try {
    await sluice.execute(sql);
    const rows: Row[] = [];
    sluice.on(output, (batch) => rows.push(...batch));
    // One record per put: rows of one window come from several chunks.
    for (const r of records) await sluice.put(input, [r]);
    await sluice.end(input);
    return rows;
  } finally {
    await sluice.close();
  }
}

const TRADES = [
  { ts: at(1), ticker_symbol: 'AMZN', price: 100 },
  { ts: at(2), ticker_symbol: 'WMT', price: 50 },
  { ts: at(3), ticker_symbol: 'AMZN', price: 101 },
  { ts: at(4), ticker_symbol: 'IBM', price: 10 },
  { ts: at(5), ticker_symbol: 'AMZN', price: 99 },
  { ts: at(6), ticker_symbol: 'WMT', price: 51 },
  { ts: at(61), ticker_symbol: 'IBM', price: 11 },
  { ts: at(62), ticker_symbol: 'WMT', price: 52 },
  { ts: at(63), ticker_symbol: 'IBM', price: 12 },
];

describe('KDA and Flink naming', () => {
  it('a KDA application upper-cases unquoted names of its streams and of its pumps\' columns; quoted names stay; records are read by the name as written', async () => {
    const sql = `CREATE STREAM src (ts TIMESTAMP, ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "sum_price" DOUBLE, Trades BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, SUM(price) AS sum_price, COUNT(*) FROM src GROUP BY ticker_symbol, STEP(src.ROWTIME BY INTERVAL '1' MINUTE);
CREATE STREAM s2 AS SELECT STREAM ticker_symbol, price AS p, price * 2 AS "twice", price + 1 FROM src;`;
    const rows = await run(sql, TRADES.slice(0, 3), 'DESTINATION_SQL_STREAM');
    expect(rows).toEqual([{ TICKER_SYMBOL: 'AMZN', sum_price: 201, TRADES: 2 }, { TICKER_SYMBOL: 'WMT', sum_price: 50, TRADES: 1 }]);
    const s2 = await run(sql, TRADES.slice(0, 1), 'S2');
    expect(s2).toEqual([{ TICKER_SYMBOL: 'AMZN', P: 100, twice: 200, EXPR$3: 101 }]);
  });

  it('a Flink application keeps names as written, and so do the Flink-style queries of a KDA application', async () => {
    const flink = `CREATE STREAM src (ts TIMESTAMP, ticker_symbol VARCHAR(4), price DOUBLE);
CREATE STREAM out AS SELECT ticker_symbol, price AS Price FROM src;`;
    expect(await run(flink, TRADES.slice(0, 1), 'out')).toEqual([{ ticker_symbol: 'AMZN', Price: 100 }]);
    const mixed = `${flink}
CREATE OR REPLACE STREAM "DEST" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker_symbol, price FROM src;`;
    expect(await run(mixed, TRADES.slice(0, 1), 'out')).toEqual([{ ticker_symbol: 'AMZN', Price: 100 }]);
    expect(await run(mixed, TRADES.slice(0, 1), 'DEST')).toEqual([{ TICKER_SYMBOL: 'AMZN', PRICE: 100 }]);
  });

  it('a quoted lower-case name in a KDA application must be written as declared', async () => {
    const sluice = await Sluice.open();
    try {
      await expect(sluice.execute(`CREATE STREAM src (price DOUBLE);
CREATE STREAM out AS SELECT STREAM "price" FROM src;`)).rejects.toThrow(SqlDiagnosticsError);
    } finally {
      await sluice.close();
    }
  });
});

describe('ORDER BY and ROWTIME in KDA pumps', () => {
  const SQL = `CREATE STREAM src (ts TIMESTAMP, ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (window_end TIMESTAMP, ticker_symbol VARCHAR(4), ticker_count INTEGER, low DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME, ticker_symbol, COUNT(*) AS ticker_count, MIN(price) AS low
FROM src
GROUP BY ticker_symbol, FLOOR(src.ROWTIME TO MINUTE)
ORDER BY FLOOR(src.ROWTIME TO MINUTE), ticker_count, ticker_symbol DESC;`;

  for (const workers of [0, 2]) {
    it(`orders each window's rows by the keys after the time, and ROWTIME is the window's end (${workers} workers)`, async () => {
      const rows = await run(SQL, TRADES, 'DESTINATION_SQL_STREAM', workers);
      // Not the order the groups were first seen in (AMZN, WMT, IBM; IBM, WMT).
      expect(rows).toEqual([
        { WINDOW_END: at(60), TICKER_SYMBOL: 'IBM', TICKER_COUNT: 1, LOW: 10 },
        { WINDOW_END: at(60), TICKER_SYMBOL: 'WMT', TICKER_COUNT: 2, LOW: 50 },
        { WINDOW_END: at(60), TICKER_SYMBOL: 'AMZN', TICKER_COUNT: 3, LOW: 99 },
        { WINDOW_END: at(120), TICKER_SYMBOL: 'WMT', TICKER_COUNT: 1, LOW: 52 },
        { WINDOW_END: at(120), TICKER_SYMBOL: 'IBM', TICKER_COUNT: 2, LOW: 11 },
      ]);
    });
  }

  it('accepts ORDER BY ROWTIME alone in a projecting pump, and refuses keys it cannot order by', async () => {
    const pump = (order: string) => `CREATE STREAM src (ts TIMESTAMP, ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE STREAM "DEST" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker_symbol, price FROM src ${order};`;
    expect((await run(pump('ORDER BY src.ROWTIME'), TRADES.slice(0, 2), 'DEST')).map((r) => r['PRICE'])).toEqual([100, 50]);
    const sluice = await Sluice.open();
    try {
      await expect(sluice.execute(pump('ORDER BY FLOOR(src.ROWTIME TO SECOND), price DESC'))).rejects.toThrow(/ordering the rows of a non-aggregating query within a time bucket is not supported yet/);
      await expect(sluice.execute(pump('ORDER BY ROWTIME LIMIT 5'))).rejects.toThrow(/cannot LIMIT/);
      await expect(sluice.execute(pump('ORDER BY ROWTIME DESC'))).rejects.toThrow(/must start with ROWTIME/);
    } finally {
      await sluice.close();
    }
  });
});
