import { appendFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Field } from '../planner/types.js';
import type { LogStore } from '../ingest/index.js';
import { checkEndpoint, guardedSdkHandler } from '../net/outbound-guard.js';
import type { AllowedPaths } from '../storage/allowed-paths.js';
import { BufferedSink, type Batch } from './buffered-sink.js';
import { FolderObjectStore } from './object-store.js';

/** Somewhere a query's rows can be delivered: Firehose is reached through this narrow door. */
export interface FirehoseTarget {
  call(operation: string, body: unknown): Promise<object>;
}

export interface QuerySinkContext {
  readonly log?: LogStore;
  readonly firehose?: FirehoseTarget;
  /** Where file and DuckDB paths may land (`sluice start`); without it they are used as given. */
  readonly files?: AllowedPaths;
  /** A remote Kinesis endpoint on a private, loopback, link-local or unspecified address is allowed. */
  readonly allowPrivateEndpoints?: boolean;
}

export type Row = Record<string, unknown>;


/**
 * A query's output stream declared WITH (sink = ...): rows are buffered (buffer_bytes, buffer_ms)
 * and delivered with retries by a BufferedSink, the same buffering and retry for every kind:
 * 'kinesis' (a stream of this Sluice's log, or `endpoint` for a remote one), 'firehose'
 * (delivery_stream), 'file' (NDJSON at path, or format = 'parquet': one file per batch in the
 * folder at path), 'duckdb' (path, table; one appender transaction per batch).
 */
export class QuerySink {
  private constructor(
    private readonly sink: BufferedSink,
    private readonly encode: (row: Row) => Uint8Array,
    private readonly closeTarget: () => Promise<void>,
  ) {}

  static async open(stream: string, fields: readonly Field[], options: Readonly<Record<string, string>>, ctx: QuerySinkContext, onFailure: (message: string, batch: Batch) => void): Promise<QuerySink> {
    const target = await openTarget(stream, fields, options, ctx);
    const sink = await BufferedSink.open({
      dir: null,
      maxBytes: Number(options['buffer_bytes'] ?? 1 << 20),
      intervalMs: Number(options['buffer_ms'] ?? 200),
      deliver: target.deliver,
      deadLetter: async (batch, error) => onFailure((error as Error).message ?? String(error), batch),
      onError: (e) => onFailure((e as Error).message ?? String(e), { firstArrival: Date.now(), records: [], bytes: 0 }),
    });
    return new QuerySink(sink, target.encode, target.close);
  }

  async write(rows: readonly Row[]): Promise<void> {
    await this.sink.write(rows.map(this.encode));
  }

  async close(): Promise<void> {
    await this.sink.close();
    await this.closeTarget();
  }
}

interface Target {
  encode(row: Row): Uint8Array;
  deliver(batch: Batch): Promise<void>;
  close(): Promise<void>;
}

const json = (row: Row) => Buffer.from(JSON.stringify(row));
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

async function openTarget(stream: string, fields: readonly Field[], o: Readonly<Record<string, string>>, ctx: QuerySinkContext): Promise<Target> {
  const none = async () => {};
  switch (o['sink']) {
    case 'file': {
      const given = o['path'];
      if (!given) throw new Error(`sink = 'file' needs path = '...'`);
      const path = ctx.files ? ctx.files.resolve(given, 'sink path') : given;
      const format = o['format'] ?? 'ndjson';
      if (format === 'parquet') return openParquetFolder(path, fields);
      if (format !== 'ndjson' && format !== 'json') throw new Error(`sink = 'file' writes format = 'ndjson' or 'parquet', not '${format}'`);
      await mkdir(dirname(path), { recursive: true });
      return { encode: json, deliver: (b) => appendFile(path, b.records.map((r) => text(r) + '\n').join('')), close: none };
    }
    case 'kinesis': {
      const name = o['stream'] ?? stream;
      const keyColumn = o['partition_key'] ?? fields[0]?.name;
      // The partition key travels in front of the record, split off at delivery.
      const encode = (row: Row) => Buffer.from(`${String(keyColumn !== undefined ? row[keyColumn] ?? '' : '') || '-'}\u0000${JSON.stringify(row)}`);
      const split = (r: Uint8Array) => {
        const s = text(r);
        const at = s.indexOf('\u0000');
        return { partitionKey: s.slice(0, at).slice(0, 256), data: Buffer.from(s.slice(at + 1)) };
      };
      if (o['endpoint']) {
        const aws = /\.amazonaws\.com/.test(o['endpoint']);
        // DuckDB and the AWS SDK load only for the sinks that use them.
        const { KinesisClient, PutRecordsCommand } = await import('@aws-sdk/client-kinesis');
        const endpoint = o['endpoint'];
        const guarded = !ctx.allowPrivateEndpoints;
        const client = new KinesisClient({
          endpoint,
          region: o['region'] ?? 'us-east-1',
          ...(aws || process.env['AWS_ACCESS_KEY_ID'] ? {} : { credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } }),
          ...(guarded ? { requestHandler: guardedSdkHandler() } : {}),
        });
        return {
          encode,
          deliver: async (b) => {
            if (guarded) await checkEndpoint(endpoint);
            for (let i = 0; i < b.records.length; i += 500) {
              const entries = b.records.slice(i, i + 500).map(split).map((r) => ({ PartitionKey: r.partitionKey, Data: r.data }));
              const r = await client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
              if (r.FailedRecordCount) throw new Error(`${r.FailedRecordCount} records refused by ${o['endpoint']}`);
            }
          },
          close: async () => client.destroy(),
        };
      }
      if (!ctx.log) throw new Error(`sink = 'kinesis' writes to the ingest log, and this engine has none`);
      const log = ctx.log;
      return {
        encode,
        deliver: async (b) => {
          if (!log.listStreams().includes(name)) await log.createStream(name, 1);
          await log.getStream(name).append(b.records.map(split));
        },
        close: none,
      };
    }
    case 'firehose': {
      const name = o['delivery_stream'];
      if (!name) throw new Error(`sink = 'firehose' needs delivery_stream = '...'`);
      if (!ctx.firehose) throw new Error(`sink = 'firehose' needs the server's Firehose (sluice start)`);
      const firehose = ctx.firehose;
      const delimited = (row: Row) => Buffer.from(JSON.stringify(row) + '\n');
      return {
        encode: delimited,
        deliver: async (b) => {
          for (let i = 0; i < b.records.length; i += 500) {
            const Records = b.records.slice(i, i + 500).map((r) => ({ Data: Buffer.from(r).toString('base64') }));
            const r = (await firehose.call('PutRecordBatch', { DeliveryStreamName: name, Records })) as { FailedPutCount?: number };
            if (r.FailedPutCount) throw new Error(`${r.FailedPutCount} records refused by delivery stream ${name}`);
          }
        },
        close: none,
      };
    }
    case 'duckdb': return openDuckDb(stream, fields, o, ctx.files);
    default:
      throw new Error(`unknown sink '${o['sink']}' (use 'kinesis', 'firehose', 'file' or 'duckdb')`);
  }
}

const DUCK_TYPES: Record<string, string> = { BOOLEAN: 'BOOLEAN', INTEGER: 'INTEGER', BIGINT: 'BIGINT', DOUBLE: 'DOUBLE', DECIMAL: 'DOUBLE', VARCHAR: 'VARCHAR', TIMESTAMP: 'TIMESTAMP', NULL: 'VARCHAR', INTERVAL: 'BIGINT' };

/**
 * format = 'parquet': `path` is a folder, and each delivered batch becomes one file
 * `part-<000001>.parquet` (numbered on from the highest already there, so the names sort in the
 * order the batches were delivered), written under a temporary name and renamed whole.
 */
async function openParquetFolder(path: string, fields: readonly Field[]): Promise<Target> {
  await mkdir(path, { recursive: true });
  let seq = Math.max(0, ...(await readdir(path)).map((f) => Number(/^part-(\d+)\.parquet$/.exec(f)?.[1] ?? 0)));
  const folder = new FolderObjectStore(resolve(path));
  const columns = Object.fromEntries(fields.map((f) => [f.name, DUCK_TYPES[f.type] ?? 'VARCHAR']));
  const { jsonToParquet, openScratchDuckDb } = await import('./json-duckdb.js');
  const scratch = await openScratchDuckDb();
  return {
    encode: json,
    deliver: async (b) => {
      const body = await jsonToParquet(scratch.conn, b.records, { columns });
      await folder.put(`part-${String(seq + 1).padStart(6, '0')}.parquet`, body);
      seq++;
    },
    close: async () => scratch.close(),
  };
}

async function openDuckDb(stream: string, fields: readonly Field[], o: Readonly<Record<string, string>>, files: AllowedPaths | undefined): Promise<Target> {
  const given = o['path'];
  if (!given) throw new Error(`sink = 'duckdb' needs path = '...'`);
  const path = files ? files.resolve(given, 'sink path') : given;
  const table = o['table'] ?? stream;
  await mkdir(dirname(path), { recursive: true });
  const { DuckDBTimestampValue } = await import('@duckdb/node-api');
  const { acquireDuckDb, releaseDuckDb, noteDuckDbCommit } = await import('./duckdb-databases.js');
  const instance = await acquireDuckDb(path);
  let conn: DuckDBConnection;
  try {
    conn = await instance.connect();
  } catch (e) {
    releaseDuckDb(path);
    throw e;
  }
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  await conn.run(`CREATE TABLE IF NOT EXISTS ${quote(table)} (${fields.map((f) => `${quote(f.name)} ${DUCK_TYPES[f.type] ?? 'VARCHAR'}`).join(', ')})`);
  noteDuckDbCommit(path);
  const append = (a: DuckDBAppender, f: Field, v: unknown) => {
    if (v === null || v === undefined) return a.appendNull();
    switch (f.type) {
      case 'BOOLEAN': return a.appendBoolean(Boolean(v));
      case 'INTEGER': return a.appendInteger(Number(v));
      case 'BIGINT': case 'INTERVAL': return a.appendBigInt(BigInt(Math.trunc(Number(v))));
      case 'DOUBLE': case 'DECIMAL': return a.appendDouble(Number(v));
      case 'TIMESTAMP': return a.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(String(v))) * 1000n));
      default: return a.appendVarchar(String(v));
    }
  };
  return {
    encode: json,
    deliver: async (b) => {
      // One transaction per batch: a reader sees all of a batch's rows or none.
      await conn.run('BEGIN TRANSACTION');
      try {
        const a = await conn.createAppender(table);
        for (const r of b.records) {
          const row = JSON.parse(text(r)) as Row;
          for (const f of fields) append(a, f, row[f.name]);
          a.endRow();
        }
        a.flushSync();
        a.closeSync();
        await conn.run('COMMIT');
        noteDuckDbCommit(path);
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => {});
        throw e;
      }
    },
    close: async () => {
      conn.closeSync();
      releaseDuckDb(path);
    },
  };
}
