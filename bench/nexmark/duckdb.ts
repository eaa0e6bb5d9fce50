import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DUCKDB_DIR } from './paths.js';
import type { NexmarkFiles } from './write.js';

const PERSON = `id: 'BIGINT', name: 'VARCHAR', emailAddress: 'VARCHAR', creditCard: 'VARCHAR', city: 'VARCHAR', state: 'VARCHAR', "dateTime": 'TIMESTAMP', extra: 'VARCHAR'`;
const AUCTION = `id: 'BIGINT', itemName: 'VARCHAR', description: 'VARCHAR', initialBid: 'BIGINT', reserve: 'BIGINT', "dateTime": 'TIMESTAMP', expires: 'TIMESTAMP', seller: 'BIGINT', category: 'BIGINT', extra: 'VARCHAR'`;
const BID = `auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR', url: 'VARCHAR', "dateTime": 'TIMESTAMP', extra: 'VARCHAR'`;

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const struct = (fields: string): string => `STRUCT(${fields.replace(/: '([A-Z]+)'/g, ' $1')})`;

/**
 * The relations the batch queries read: person, auction and bid (each with `seq`, its position in
 * the input, for the tie-breaks that follow arrival order) and side_input. From 'datagen' they are
 * Nexmark's views over datagen.ndjson; from 'views' they read the three view files, so that DuckDB
 * reads what Sluice read.
 */
export function duckdbSources(files: NexmarkFiles, from: 'datagen' | 'views'): string[] {
  const json = (path: string, columns: string) =>
    `read_json(${quote(path)}, format = 'newline_delimited', columns = {${columns}}) WITH ORDINALITY`;
  const sideInput = `CREATE VIEW side_input AS SELECT * FROM read_csv(${quote(files.sideInput)}, header = false, columns = {'key': 'BIGINT', 'value': 'VARCHAR'})`;
  if (from === 'views') {
    return [
      `CREATE VIEW person AS SELECT * EXCLUDE (ordinality), ordinality AS seq FROM ${json(files.person, PERSON)}`,
      `CREATE VIEW auction AS SELECT * EXCLUDE (ordinality), ordinality AS seq FROM ${json(files.auction, AUCTION)}`,
      `CREATE VIEW bid AS SELECT * EXCLUDE (ordinality), ordinality AS seq FROM ${json(files.bid, BID)}`,
      sideInput,
    ];
  }
  const columns = `event_type: 'INTEGER', person: '${struct(PERSON)}', auction: '${struct(AUCTION)}', bid: '${struct(BID)}'`;
  return [
    `CREATE VIEW datagen AS SELECT *, ordinality AS seq FROM ${json(files.datagen, columns)}`,
    `CREATE VIEW person AS SELECT person.*, seq FROM datagen WHERE event_type = 0`,
    `CREATE VIEW auction AS SELECT auction.*, seq FROM datagen WHERE event_type = 1`,
    `CREATE VIEW bid AS SELECT bid.*, seq FROM datagen WHERE event_type = 2`,
    sideInput,
  ];
}

/** The batch equivalent of a query, or null where none exists (q12 runs on processing time). */
export function duckdbQuery(query: string): string | null {
  const path = join(DUCKDB_DIR, `${query}.sql`);
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8').replace(/;\s*$/, '');
}

export interface DuckdbRun {
  /** The COPY alone: reading the input files, the query, and writing its rows as NDJSON. */
  readonly seconds: number;
  readonly rows: number;
}

/** Runs `sql` over the sources in a fresh in-memory DuckDB and writes its rows to `output` as NDJSON. */
export async function runDuckdb(sql: string, sources: readonly string[], output: string, threads?: number): Promise<DuckdbRun> {
  const inst = await DuckDBInstance.create(':memory:', threads === undefined ? {} : { threads: String(threads) });
  const conn = await inst.connect();
  try {
    for (const s of sources) await conn.run(s);
    const t0 = performance.now();
    const r = await conn.runAndReadAll(`COPY (${sql}\n) TO ${quote(output)} (FORMAT json)`);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, rows: Number(r.getRows()[0]?.[0] ?? 0) };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
