/**
 * JSON records into DuckDB, for Parquet objects and DuckDB tables. Records are handed over as one
 * newline-delimited file that DuckDB's read_json scans, chosen for robustness rather than speed:
 * with sample_size = -1 every key of every record becomes a column and types are inferred over all
 * values (timestamps, nested objects as STRUCTs, mixed types widened), where JavaScript-side
 * inference plus an appender would have to reimplement that, and a record it cannot cast fails the
 * whole statement (the caller's transaction or retry handles it) instead of half a batch landing.
 * Measured on the 2-core machine, 200k records of 4 fields, one thread: read_json with full
 * inference ~0.7M records/s, JSON.parse plus an appender over a known schema ~0.95M/s, read_json
 * with the columns given (query outputs know theirs) ~1.3M/s (2.0M/s with 2 threads).
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { toLines } from '../runtime/sources/log-source.js';

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
export const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Records that are JSON objects (what a row can be made of), and the rest with the reason. */
export function splitJsonObjects(records: readonly Uint8Array[]): { good: Uint8Array[]; bad: { record: Uint8Array; message: string }[] } {
  const good: Uint8Array[] = [];
  const bad: { record: Uint8Array; message: string }[] = [];
  for (const record of records) {
    try {
      const value: unknown = JSON.parse(Buffer.from(record.buffer, record.byteOffset, record.byteLength).toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) good.push(record);
      else bad.push({ record, message: 'The record is valid JSON but not a JSON object.' });
    } catch (e) {
      bad.push({ record, message: `The record is not valid JSON: ${(e as Error).message}` });
    }
  }
  return { good, bad };
}

/** An in-memory DuckDB for conversions, one thread: the machine is shared with the log and the queries. */
export async function openScratchDuckDb(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  // The instance is referenced here for as long as the connection lives (see duckdb-databases.ts).
  return { conn, close: () => { conn.closeSync(); instance.closeSync(); } };
}

/**
 * The records (JSON objects) as one Parquet file's bytes. `columns` (name → DuckDB type) fixes the
 * schema when the writer knows it (a query's output); without it read_json infers it.
 */
export interface ParquetOptions {
  readonly compression?: string;
  readonly columns?: Readonly<Record<string, string>>;
  /** A JSON key's column name (OpenX JSON SerDe's mappings and dot conversion); only then are names read first. */
  readonly rename?: (key: string) => string;
}

export async function jsonToParquet(conn: DuckDBConnection, records: readonly Uint8Array[], options: ParquetOptions = {}): Promise<Buffer> {
  return withTempFile(records, async (ndjson) => {
    const out = ndjson.replace(/\.ndjson$/, '.parquet');
    let select = '*';
    if (options.rename) {
      const keys = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${readJson(ndjson, options.columns)}`)).getRowObjectsJS().map((r) => String(r['column_name']));
      select = keys.map((k) => `${quoteIdent(k)} AS ${quoteIdent(options.rename!(k))}`).join(', ');
    }
    try {
      await conn.run(`COPY (SELECT ${select} FROM ${readJson(ndjson, options.columns)}) TO ${quoteString(out)} (FORMAT parquet, COMPRESSION ${options.compression ?? 'snappy'})`);
      return await fs.promises.readFile(out);
    } finally {
      await fs.promises.rm(out, { force: true });
    }
  });
}

const DELIVERIES = '_sluice_deliveries';

/**
 * Appends the records (JSON objects) to `table` in one transaction: the table is created from the
 * first batch's inferred columns, later keys become new columns, and values are cast to the
 * column's type (a value that cannot be cast fails the batch, and nothing of it lands). With
 * `once`, the same transaction records `once.batch` as the last batch of `once.writer` in
 * `_sluice_deliveries(writer, batch)`, and a batch already recorded there is not appended again.
 */
export async function appendJsonToTable(conn: DuckDBConnection, table: string, records: readonly Uint8Array[], once?: { readonly writer: string; readonly batch: string }): Promise<void> {
  if (once) {
    await conn.run(`CREATE TABLE IF NOT EXISTS ${DELIVERIES} (writer VARCHAR PRIMARY KEY, batch VARCHAR NOT NULL)`);
    const last = (await conn.runAndReadAll(`SELECT batch FROM ${DELIVERIES} WHERE writer = ${quoteString(once.writer)}`)).getRowObjectsJS()[0]?.['batch'];
    if (last === once.batch) return;
  }
  await withTempFile(records, async (ndjson) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      const existing = await columnsOf(conn, table);
      if (existing.size === 0) {
        await conn.run(`CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM ${readJson(ndjson)}`);
      } else {
        const inferred = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${readJson(ndjson)}`)).getRowObjectsJS() as { column_name: string; column_type: string }[];
        for (const c of inferred) {
          if (!existing.has(c.column_name.toLowerCase())) await conn.run(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(c.column_name)} ${c.column_type}`);
        }
        await conn.run(`INSERT INTO ${quoteIdent(table)} BY NAME SELECT * FROM ${readJson(ndjson)}`);
      }
      if (once) await conn.run(`INSERT OR REPLACE INTO ${DELIVERIES} VALUES (${quoteString(once.writer)}, ${quoteString(once.batch)})`);
      await conn.run('COMMIT');
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

async function columnsOf(conn: DuckDBConnection, table: string): Promise<Set<string>> {
  const rows = (await conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ${quoteString(table)}`)).getRowObjectsJS();
  return new Set(rows.map((r) => String(r['column_name']).toLowerCase()));
}

function readJson(file: string, columns?: Readonly<Record<string, string>>): string {
  const schema = columns ? `, columns = {${Object.entries(columns).map(([name, type]) => `${quoteString(name)}: ${quoteString(type)}`).join(', ')}}` : '';
  return `read_json(${quoteString(file)}, format = 'newline_delimited', sample_size = -1${schema})`;
}

async function withTempFile<T>(records: readonly Uint8Array[], use: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(os.tmpdir(), `sluice-json-${crypto.randomUUID()}.ndjson`);
  await fs.promises.writeFile(file, toLines(records));
  try {
    return await use(file);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}
