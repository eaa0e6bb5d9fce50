import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk, type DuckDBResult, type DuckDBType } from '@duckdb/node-api';
import { preparePullStatement } from './pull-statement.js';

/**
 * One pull query on its own DuckDB instance, opened read-only on a snapshot copy
 * (src/sinks/duckdb-snapshots.ts) and locked down before any user SQL reaches it: no file or
 * network access, no extensions installed or loaded, no spilling to disk, one thread (the query
 * runs on the libuv thread that calls it, so it never takes the event loop and leaves the rest of
 * the pool to the log's file I/O), a memory budget, and configuration locked so no statement can
 * undo any of it. An instance per query costs ~12 ms to open and gives its memory back when the
 * query ends.
 */
export const PULL_MEMORY_LIMIT = '256MB';

/**
 * Applied in this order: DuckDB refuses a temp_directory once external access is off, and every
 * setting once the configuration is locked.
 */
const LOCKED_DOWN: Readonly<Record<string, string>> = {
  access_mode: 'READ_ONLY',
  temp_directory: '',
  threads: '1',
  memory_limit: PULL_MEMORY_LIMIT,
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  enable_external_access: 'false',
  lock_configuration: 'true',
};

/** An instance over `file` with every restriction above in force before it is handed out. */
export function openPullInstance(file: string): Promise<DuckDBInstance> {
  return DuckDBInstance.create(file, LOCKED_DOWN);
}

export interface PullColumn {
  readonly name: string;
  /** The name made unique (`name:1` for the second column called `name`), for answers keyed by name. */
  readonly key: string;
  readonly type: DuckDBType;
  /** Where the column is in the chunks `next` gives. */
  readonly index: number;
}

export class PullQuery {
  private ended = false;
  private rows = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly result: DuckDBResult,
    readonly columns: readonly PullColumn[],
  ) {}

  /**
   * Prepares `sql` (refused unless it only reads, see pull-statement.ts) and starts it streaming.
   * A streamed DuckDB result that fails midway ends the way a finished one does (the Node client
   * cannot read the error), so the query runs with one more row after its own, an end marker:
   * with insertion order preserved, UNION ALL runs its branches in order, and an answer that
   * stops before the marker failed. `signal` interrupts the query however far it got; a result
   * that needs every row before the first (an aggregate, a sort) is computed here.
   */
  static async open(file: string, sql: string, signal: AbortSignal): Promise<PullQuery> {
    const instance = await openPullInstance(file);
    let conn: DuckDBConnection | undefined;
    const interrupt = (): void => conn?.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      conn = await instance.connect();
      const statement = await preparePullStatement(conn, sql);
      const count = statement.columnCount;
      const names = Array.from({ length: count }, (_, i) => statement.columnName(i));
      const seen = new Map<string, number>();
      const columns = names.map((name, i) => {
        const n = seen.get(name) ?? 0;
        seen.set(name, n + 1);
        return { name, key: n === 0 ? name : `${name}:${n}`, type: statement.columnType(i), index: i + 1 };
      });
      statement.destroySync();
      const body = sql.replace(/;\s*$/, '');
      const marked = await preparePullStatement(conn, `SELECT false AS sluice_end, * FROM (\n${body}\n) AS sluice_rows\nUNION ALL\nSELECT true${', NULL'.repeat(count)}`);
      if (marked.columnCount !== count + 1) throw new Error('the query could not be run with an end marker');
      signal.throwIfAborted();
      const result = await marked.stream();
      signal.throwIfAborted();
      return new PullQuery(instance, conn, result, columns);
    } catch (e) {
      conn?.closeSync();
      instance.closeSync();
      throw e;
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  }

  /**
   * The next chunk (up to 2,048 rows) and how many of its rows are the query's (the end marker
   * is not); undefined after the end. Throws when the query stopped before its end.
   */
  async next(): Promise<{ chunk: DuckDBDataChunk; rows: number } | undefined> {
    if (this.ended) return undefined;
    const chunk = await this.result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) throw new Error(`the query failed after ${this.rows} rows`);
    this.ended = chunk.getColumnVector(0).getItem(chunk.rowCount - 1) === true;
    const rows = this.ended ? chunk.rowCount - 1 : chunk.rowCount;
    this.rows += rows;
    return { chunk, rows };
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
