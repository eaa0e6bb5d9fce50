/**
 * sink = 'duckdb': a query's rows appended to a table, one transaction per batch. With
 * checkpoints, the pieces of a checkpoint are appended together with the checkpoint's id in
 * `_sluice_commits(sink, checkpoint_id)`, in one transaction: after a crash, a piece whose
 * checkpoint the table already records is skipped, so a replay never appends a row twice.
 */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { Field } from '../planner/types.js';
import { acquireDuckDb, noteDuckDbCommit, releaseDuckDb } from './duckdb-databases.js';
import { quoteIdent, quoteString } from './json-duckdb.js';
import { StagedPieces } from './staged-pieces.js';
import type { Committer } from './transactional-sink.js';

export const DUCK_TYPES: Record<string, string> = { BOOLEAN: 'BOOLEAN', INTEGER: 'INTEGER', BIGINT: 'BIGINT', DOUBLE: 'DOUBLE', DECIMAL: 'DOUBLE', VARCHAR: 'VARCHAR', TIMESTAMP: 'TIMESTAMP', NULL: 'VARCHAR', INTERVAL: 'BIGINT' };

const COMMITS = '_sluice_commits';

/** One table of a DuckDB file this process holds open (see duckdb-databases.ts), and how rows are appended to it. */
export class DuckDbTable {
  private constructor(
    readonly conn: DuckDBConnection,
    private readonly path: string,
    private readonly table: string,
    private readonly fields: readonly Field[],
  ) {}

  static async open(path: string, table: string, fields: readonly Field[]): Promise<DuckDbTable> {
    await mkdir(dirname(path), { recursive: true });
    const instance = await acquireDuckDb(path);
    let conn: DuckDBConnection;
    try {
      conn = await instance.connect();
    } catch (e) {
      releaseDuckDb(path);
      throw e;
    }
    await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${fields.map((f) => `${quoteIdent(f.name)} ${DUCK_TYPES[f.type] ?? 'VARCHAR'}`).join(', ')})`);
    noteDuckDbCommit(path);
    return new DuckDbTable(conn, path, table, fields);
  }

  /** Appends rows (JSON texts of objects) in one transaction; `then` runs inside it, before COMMIT. */
  async append(rows: readonly string[], then?: () => Promise<void>): Promise<void> {
    // One transaction: a reader sees all of the rows or none.
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const a = await this.conn.createAppender(this.table);
      for (const text of rows) {
        const row = JSON.parse(text) as Record<string, unknown>;
        for (const f of this.fields) this.appendValue(a, f, row[f.name]);
        a.endRow();
      }
      a.flushSync();
      a.closeSync();
      await then?.();
      await this.conn.run('COMMIT');
      // Pull queries (POST /sql) copy the database again after a commit they have not seen.
      noteDuckDbCommit(this.path);
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  private appendValue(a: DuckDBAppender, f: Field, v: unknown): void {
    if (v === null || v === undefined) return a.appendNull();
    switch (f.type) {
      case 'BOOLEAN': return a.appendBoolean(Boolean(v));
      case 'INTEGER': return a.appendInteger(Number(v));
      case 'BIGINT': case 'INTERVAL': return a.appendBigInt(BigInt(Math.trunc(Number(v))));
      case 'DOUBLE': case 'DECIMAL': return a.appendDouble(Number(v));
      case 'TIMESTAMP': return a.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(String(v))) * 1000n));
      default: return a.appendVarchar(String(v));
    }
  }

  close(): void {
    this.conn.closeSync();
    releaseDuckDb(this.path);
  }

  get file(): string {
    return this.path;
  }
}

/** The checkpointed side: pieces staged in the application's folder, committed with their checkpoint id. */
export class DuckDbCommitter implements Committer {
  private readonly pieces: StagedPieces;
  private committed: number | null = null;

  constructor(
    private readonly table: DuckDbTable,
    /** This output's name in _sluice_commits: the application and the stream. */
    private readonly sink: string,
    stagingDir: string,
    private readonly notice: (message: string) => void,
  ) {
    this.pieces = new StagedPieces(stagingDir);
  }

  stage(id: number, records: readonly Uint8Array[]): Promise<void> {
    return this.pieces.write(id, records);
  }

  async commit(id: number): Promise<void> {
    const last = await this.lastCommitted();
    const pieces = (await this.pieces.list()).filter((p) => p.checkpoint <= id);
    const todo = pieces.filter((p) => p.checkpoint > last);
    if (todo.length > 0) {
      const rows: string[] = [];
      for (const p of todo) rows.push(...(await this.pieces.read(p)));
      await this.table.append(rows, () => this.record(id));
      this.committed = id;
    }
    await this.pieces.remove(pieces);
  }

  async recover(id: number): Promise<void> {
    const last = await this.lastCommitted();
    if (last > id) {
      // The table is ahead of the checkpoint (its folder was removed): later commits must not be skipped.
      this.notice(`${this.table.file}: ${COMMITS} says ${this.sink} committed checkpoint ${last}, the application restarts from ${id}; rows committed after ${id} stay`);
      await this.record(id);
      this.committed = id;
    }
    await this.commit(id);
    await this.pieces.remove((await this.pieces.list()).filter((p) => p.checkpoint > id));
  }

  async close(): Promise<void> {
    this.table.close();
  }

  private async lastCommitted(): Promise<number> {
    if (this.committed !== null) return this.committed;
    await this.table.conn.run(`CREATE TABLE IF NOT EXISTS ${COMMITS} (sink VARCHAR PRIMARY KEY, checkpoint_id BIGINT NOT NULL)`);
    const rows = (await this.table.conn.runAndReadAll(`SELECT checkpoint_id FROM ${COMMITS} WHERE sink = ${quoteString(this.sink)}`)).getRowObjectsJS();
    this.committed = rows.length ? Number(rows[0]!['checkpoint_id']) : 0;
    return this.committed;
  }

  private async record(id: number): Promise<void> {
    await this.table.conn.run(`INSERT OR REPLACE INTO ${COMMITS} VALUES (${quoteString(this.sink)}, ${id})`);
  }
}
