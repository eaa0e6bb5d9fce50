import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Field } from '../planner/types.js';
import type { LogStore } from '../ingest/index.js';
import { checkEndpoint, guardedSdkHandler } from '../net/outbound-guard.js';
import type { AllowedPaths } from '../storage/allowed-paths.js';
import { BufferedSink, type Batch } from './buffered-sink.js';
import { NdjsonFileCommitter } from './ndjson-file.js';
import type { CheckpointedSink } from './sink.js';
import { TransactionalSink, type Committer } from './transactional-sink.js';

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
  /** Set when the application checkpoints: file and DuckDB outputs then commit with its checkpoints. */
  readonly checkpoint?: {
    /** Where this output stages rows between a checkpoint and its commit. */
    readonly stagingDir: string;
    /** The output's name across restarts (application and stream), as DuckDB's _sluice_commits records it. */
    readonly sinkId: string;
    readonly notice: (message: string) => void;
  };
}

export type Row = Record<string, unknown>;

/** What a query's rows go through: buffered deliveries (at least once) or checkpointed commits (exactly once). */
interface Output extends CheckpointedSink {
  write(records: readonly Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A query's output stream declared WITH (sink = ...): rows are buffered (buffer_bytes, buffer_ms)
 * and delivered with retries by a BufferedSink, the same buffering and retry for every kind:
 * 'kinesis' (a stream of this Sluice's log, or `endpoint` for a remote one), 'firehose'
 * (delivery_stream), 'file' (NDJSON at path, or format = 'parquet': one file per batch in the
 * folder at path), 'duckdb' (path, table; one appender transaction per batch). When the
 * application checkpoints, 'file' and 'duckdb' commit with its checkpoints instead (exactly once,
 * see transactional-sink.ts), and 'kinesis' and 'firehose' deliver everything they hold before
 * each checkpoint is written (at least once: rows after it may be delivered again).
 */
export class QuerySink implements CheckpointedSink {
  private constructor(
    private readonly output: Output,
    private readonly encode: (row: Row) => Uint8Array,
    /** Whether this output commits with checkpoints (else it is delivered at least once). */
    readonly exactlyOnce: boolean,
  ) {}

  static async open(stream: string, fields: readonly Field[], options: Readonly<Record<string, string>>, ctx: QuerySinkContext, onFailure: (message: string, batch: Batch) => void): Promise<QuerySink> {
    const maxBytes = Number(options['buffer_bytes'] ?? 1 << 20);
    if (ctx.checkpoint && (options['sink'] === 'file' || options['sink'] === 'duckdb')) {
      const committer = await openCommitter(stream, fields, options, ctx.checkpoint, ctx.files);
      return new QuerySink(new TransactionalSink(committer, maxBytes), json, true);
    }
    const target = await openTarget(stream, fields, options, ctx);
    const sink = await BufferedSink.open({
      dir: null,
      maxBytes,
      intervalMs: Number(options['buffer_ms'] ?? 200),
      deliver: target.deliver,
      deadLetter: async (batch, error) => onFailure((error as Error).message ?? String(error), batch),
      onError: (e) => onFailure((e as Error).message ?? String(e), { firstArrival: Date.now(), records: [], bytes: 0 }),
    });
    const delivered: Output = {
      write: (records) => sink.write(records),
      // Everything held is delivered before the checkpoint that covers it is written.
      preCommit: () => sink.flush(),
      commit: async () => {},
      recover: async () => {},
      close: async () => {
        await sink.close();
        await target.close();
      },
    };
    return new QuerySink(delivered, target.encode, false);
  }

  async write(rows: readonly Row[]): Promise<void> {
    await this.output.write(rows.map(this.encode));
  }

  preCommit(id: number): Promise<void> {
    return this.output.preCommit(id);
  }

  commit(id: number): Promise<void> {
    return this.output.commit(id);
  }

  recover(id: number): Promise<void> {
    return this.output.recover(id);
  }

  async close(): Promise<void> {
    await this.output.close();
  }
}

/** The exactly-once target of a 'file' or 'duckdb' output. */
async function openCommitter(stream: string, fields: readonly Field[], o: Readonly<Record<string, string>>, cp: NonNullable<QuerySinkContext['checkpoint']>, files: AllowedPaths | undefined): Promise<Committer> {
  const given = o['path'];
  if (!given) throw new Error(`sink = '${o['sink']}' needs path = '...'`);
  // The same restriction as every other output path (sluice start: the data directory or --allow-path).
  const path = files ? files.resolve(given, 'sink path') : given;
  if (o['partition_by'] !== undefined || o['format'] === 'csv') {
    throw new Error(`a ${o['format'] === 'csv' ? 'CSV' : 'partitioned'} file sink is not exactly-once yet: run it without checkpoints (sluice run), or write NDJSON or Parquet`);
  }
  if (o['sink'] === 'duckdb') {
    const { DuckDbTable, DuckDbCommitter } = await import('./duckdb-table.js');
    return new DuckDbCommitter(await DuckDbTable.open(path, o['table'] ?? stream, fields), cp.sinkId, cp.stagingDir, cp.notice);
  }
  const format = o['format'] ?? 'ndjson';
  if (format === 'parquet') {
    const { ParquetParts } = await import('./parquet-parts.js');
    return ParquetParts.open(path, fields);
  }
  if (format !== 'ndjson' && format !== 'json') throw new Error(`sink = 'file' writes format = 'ndjson' or 'parquet', not '${format}'`);
  return new NdjsonFileCommitter(resolve(path), cp.stagingDir);
}

interface Target {
  encode(row: Row): Uint8Array;
  deliver(batch: Batch): Promise<void>;
  close(): Promise<void>;
}

const json = (row: Row) => Buffer.from(JSON.stringify(row));
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/**
 * A row as a Kinesis or Firehose record: JSON, or with format = 'csv' the values in column order,
 * comma-separated, quoted where they hold a comma, quote or line break, and ended by a line break.
 */
function recordText(fields: readonly Field[], format: string | undefined): (row: Row) => string {
  if (format !== 'csv') return (row) => JSON.stringify(row);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (row) => fields.map((f) => cell(row[f.name])).join(',') + '\n';
}

async function openTarget(stream: string, fields: readonly Field[], o: Readonly<Record<string, string>>, ctx: QuerySinkContext): Promise<Target> {
  const none = async () => {};
  switch (o['sink']) {
    case 'file': {
      const given = o['path'];
      if (!given) throw new Error(`sink = 'file' needs path = '...'`);
      const path = ctx.files ? ctx.files.resolve(given, 'sink path') : given;
      const format = o['format'] ?? 'ndjson';
      if (format === 'parquet') return openParquetFolder(path, fields);
      if (o['partition_by'] !== undefined || format === 'csv') {
        // Flink's filesystem connector: a folder of partitions (PARTITIONED BY), CSV or NDJSON lines.
        const { partitionedWriter } = await import('./partitioned-files.js');
        const write = partitionedWriter(path, fields, (o['partition_by'] ?? '').split(',').filter(Boolean), format === 'csv' ? 'csv' : 'ndjson');
        return { encode: json, deliver: (b) => write(b, (r) => JSON.parse(text(r)) as Row), close: none };
      }
      if (format !== 'ndjson' && format !== 'json') throw new Error(`sink = 'file' writes format = 'ndjson', 'csv' or 'parquet', not '${format}'`);
      await mkdir(dirname(path), { recursive: true });
      return { encode: json, deliver: (b) => appendFile(path, b.records.map((r) => text(r) + '\n').join('')), close: none };
    }
    case 'kinesis': {
      const name = o['stream'] ?? stream;
      const keyColumn = o['partition_key'] ?? fields[0]?.name;
      const body = recordText(fields, o['format']);
      // The partition key travels in front of the record, split off at delivery.
      const encode = (row: Row) => Buffer.from(`${String(keyColumn !== undefined ? row[keyColumn] ?? '' : '') || '-'}\u0000${body(row)}`);
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
      const body = recordText(fields, o['format']);
      const delimited = (row: Row) => Buffer.from(o['format'] === 'csv' ? body(row) : body(row) + '\n');
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

async function openParquetFolder(path: string, fields: readonly Field[]): Promise<Target> {
  const { ParquetParts } = await import('./parquet-parts.js');
  const parts = await ParquetParts.open(path, fields);
  return { encode: json, deliver: (b) => parts.deliver(b.records), close: () => parts.close() };
}

async function openDuckDb(stream: string, fields: readonly Field[], o: Readonly<Record<string, string>>, files: AllowedPaths | undefined): Promise<Target> {
  const given = o['path'];
  if (!given) throw new Error(`sink = 'duckdb' needs path = '...'`);
  const path = files ? files.resolve(given, 'sink path') : given;
  const { DuckDbTable } = await import('./duckdb-table.js');
  const table = await DuckDbTable.open(path, o['table'] ?? stream, fields);
  return { encode: json, deliver: (b) => table.append(b.records.map(text)), close: async () => table.close() };
}
