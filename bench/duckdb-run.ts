import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbReadClickstream } from './clickstream.js';

/**
 * The benchmark's DuckDB baseline as a process of its own, so it is timed the way `sluice run` is:
 * start, read the NDJSON file, count by page per 10 s window, write the result as NDJSON, exit.
 * Usage: node dist/bench/duckdb-run.js INPUT OUTPUT THREADS
 */
const [input, output, threads = '2'] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: duckdb-run INPUT OUTPUT [THREADS]');
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const inst = await DuckDBInstance.create(':memory:', { threads });
const conn = await inst.connect();
const r = await conn.runAndReadAll(`COPY (
    SELECT time_bucket(INTERVAL '10 seconds', ts) AS window_start, window_start + INTERVAL '10 seconds' AS window_end, page, count(*) AS views
    FROM ${duckdbReadClickstream(input)}
    GROUP BY ALL
  ) TO ${quote(output)} (FORMAT json)`);
process.stdout.write(`${String(r.getRows()[0]?.[0] ?? 0)} rows\n`);
conn.closeSync();
inst.closeSync();
