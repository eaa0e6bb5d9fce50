import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ColumnType } from '../decode/types.js';
import { heldDuckDb } from '../sinks/duckdb-databases.js';
import { quoteIdent, quoteString } from '../sinks/json-duckdb.js';
import { ReferenceLoadError, type ReferenceColumn } from './reference-spec.js';

/** The SQL that reads one declared column as Sluice's value for its type (TIMESTAMP: epoch ms). */
function selectAs(c: ReferenceColumn): string {
  const field = quoteIdent(c.field ?? c.name);
  const as: Record<ColumnType, string> = {
    VARCHAR: `CAST(${field} AS VARCHAR)`,
    BOOLEAN: `CAST(${field} AS BOOLEAN)`,
    TIMESTAMP: `CAST(epoch_ms(CAST(${field} AS TIMESTAMP)) AS DOUBLE)`,
    INTEGER: `CAST(${field} AS DOUBLE)`,
    BIGINT: `CAST(${field} AS DOUBLE)`,
    DOUBLE: `CAST(${field} AS DOUBLE)`,
    DECIMAL: `CAST(${field} AS DOUBLE)`,
  };
  return as[c.type];
}

async function readRows(conn: DuckDBConnection, from: string, columns: readonly ReferenceColumn[], what: string): Promise<unknown[][]> {
  let cols: unknown[][];
  try {
    cols = (await conn.runAndReadAll(`SELECT ${columns.map(selectAs).join(', ')} FROM ${from}`)).getColumnsJS() as unknown[][];
  } catch (err) {
    throw new ReferenceLoadError(`${what}: ${(err as Error).message.split('\n')[0]}`);
  }
  const n = cols[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i] ?? null));
}

/** A Parquet file through DuckDB's read_parquet, on an instance of its own. */
export async function rowsFromParquet(file: string, columns: readonly ReferenceColumn[], what: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    return await readRows(conn, `read_parquet(${quoteString(file)})`, columns, what);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * A table of a DuckDB file. When a sink of this process holds the file, its instance is read (a
 * second instance would not see commits made after it opened); otherwise the file is opened
 * read-only for the load and closed again.
 */
export async function rowsFromDuckDb(file: string, table: string, schema: string | undefined, columns: readonly ReferenceColumn[], what: string): Promise<unknown[][]> {
  const held = heldDuckDb(file);
  let instance: DuckDBInstance;
  try {
    instance = held ?? (await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', threads: '1' }));
  } catch (err) {
    throw new ReferenceLoadError(`${what}: ${(err as Error).message.split('\n')[0]}`);
  }
  const conn = await instance.connect();
  try {
    return await readRows(conn, `${schema ? `${quoteIdent(schema)}.` : ''}${quoteIdent(table)}`, columns, what);
  } finally {
    conn.closeSync();
    if (!held) instance.closeSync();
  }
}
