import { Engine, type StatementResult } from './runtime/engine.js';
import { toObjects, type Row } from './runtime/rows.js';
import { toRecordBatch } from './runtime/arrow-rows.js';
import type { RecordBatch } from 'apache-arrow';
import { SqlDiagnosticsError } from './sql/diagnostics.js';
import { LogStore } from './ingest/index.js';
import { userFields } from './planner/catalog.js';
import type { Field } from './planner/types.js';
import type { OutputRows } from './operators/operator.js';
import type { RegisterOptions } from './runtime/user-function-loader.js';

export interface SluiceOptions {
  /**
   * The ingest log's folder (the same layout `sluice start --data` uses), which streams declared
   * WITH (source = 'kinesis') read. Omit for an in-memory log.
   */
  readonly dataDir?: string;
  /** Worker threads for decoding and row stages (default: 0, all on the calling thread). */
  readonly workers?: number;
  /** Per stream: the column ROWTIME replays from, kept monotonic, for repeatable results. */
  readonly rowtimeFrom?: Readonly<Record<string, string>>;
  /**
   * Let remote Kinesis endpoints (WITH (endpoint = ...), sources and sinks) be private, loopback,
   * link-local or unspecified addresses (default false: refused).
   */
  readonly allowPrivateEndpoints?: boolean;
}

export type { Row, StatementResult };
export type RegisterFunctionOptions = RegisterOptions;
export { SqlDiagnosticsError };
export type { SqlError } from './sql/diagnostics.js';

/**
 * Sluice embedded in a Node program: declare streams and continuous queries with SQL, put records
 * in, and read each output stream's rows as they are emitted.
 */
export class Sluice {
  private closed = false;
  private readonly subscribers = new Set<() => void>();

  private constructor(readonly engine: Engine, readonly log: LogStore, readonly options: SluiceOptions) {}

  static async open(options: SluiceOptions = {}): Promise<Sluice> {
    const log = await LogStore.open(options.dataDir ?? null);
    const engine = new Engine({ workers: options.workers ?? 0, log, allowPrivateEndpoints: options.allowPrivateEndpoints ?? false, ...(options.rowtimeFrom ? { rowtimeFrom: options.rowtimeFrom } : {}) });
    return new Sluice(engine, log, options);
  }

  /**
   * Runs DDL, pumps and queries. Throws SqlDiagnosticsError (message rendered with carets) on bad SQL.
   * `fileName` names the script in diagnostics, and CREATE FUNCTION resolves module paths from its
   * folder (from the working directory without one).
   */
  async execute(sql: string, fileName?: string): Promise<StatementResult[]> {
    return this.engine.executeScript(sql, fileName);
  }

  /**
   * Makes a JavaScript function callable from SQL by `name`. It is called with SQL values as plain JS
   * (numbers, strings, booleans, TIMESTAMP as epoch milliseconds, null) and its result must be of the
   * declared type (default VARCHAR); a throw sends the row to error_stream. The function lives in
   * this thread, so queries calling it run here rather than on worker threads: for those, put it in
   * a module and use CREATE FUNCTION name AS './module.js#name' LANGUAGE JAVASCRIPT.
   */
  registerFunction(name: string, fn: (...args: never[]) => unknown, options?: RegisterFunctionOptions): void {
    this.engine.registerFunction(name, fn, options);
  }

  /** Appends records to a stream: objects (encoded as JSON) or raw record strings (JSON or CSV lines). */
  async put(stream: string, records: readonly (Record<string, unknown> | string)[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => (typeof r === 'string' ? r.replace(/\n/g, ' ') : JSON.stringify(r))).join('\n') + '\n';
    await this.engine.runtime(stream).ingest(Buffer.from(text));
  }

  /** Appends raw bytes holding whole newline-separated records. */
  async putRaw(stream: string, bytes: Uint8Array): Promise<void> {
    await this.engine.runtime(stream).ingest(bytes);
  }

  /** Marks the end of a stream's input: every open window of queries reading it emits and closes. */
  async end(stream: string): Promise<void> {
    await this.engine.endOfInput(this.engine.runtime(stream).def.name);
  }

  /** Calls `listener` with each batch of rows emitted into `stream`; returns an unsubscribe function. */
  on(stream: string, listener: (rows: Row[]) => void): () => void {
    return this.engine.on(stream, (rows, def) => listener(toObjects(rows, def.fields.slice(0, -1))));
  }

  /** Output rows of a stream as they are emitted, until the stream ends or Sluice closes. */
  subscribe(stream: string): AsyncIterable<Row[]> {
    return this.batches(stream, (rows, fields) => toObjects(rows, fields));
  }

  /**
   * The same batches as Apache Arrow RecordBatches: strings dictionary-encoded, TIMESTAMP as
   * milliseconds (UTC), BIGINT as Int64. Arrow loads on the first call.
   */
  subscribeArrow(stream: string): AsyncIterable<RecordBatch> {
    return this.batches(stream, (rows, fields) => toRecordBatch(rows, fields));
  }

  private batches<T>(stream: string, convert: (rows: OutputRows, fields: readonly Field[]) => T | Promise<T>): AsyncIterable<T> {
    // Batches are converted as the consumer pulls them, not on the engine's thread of work.
    const queue: { rows: OutputRows; fields: readonly Field[] }[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const rt = this.engine.runtime(stream);
    const offRows = this.engine.on(stream, (rows, def) => {
      queue.push({ rows, fields: userFields(def) });
      wake?.();
    });
    const finish = () => {
      done = true;
      offRows();
      offEnd();
      wake?.();
    };
    const offEnd = this.engine.onEnd(stream, finish);
    if (rt.ended) done = true;
    this.subscribers.add(finish);
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<T>> => {
          while (queue.length === 0 && !done && !this.closed) await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          if (queue.length) {
            const next = queue.shift()!;
            return { value: await convert(next.rows, next.fields), done: false };
          }
          return { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<T>> => {
          finish();
          this.subscribers.delete(finish);
          return { value: undefined, done: true };
        },
      }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.subscribers) f();
    await this.engine.close();
    await this.log.close();
  }
}
