/**
 * One delivery stream: its description, the BufferedSink that holds its records durably, and the
 * delivery of each buffer to whatever destination is configured when the buffer is delivered (an
 * UpdateDestination applies to the next buffer): S3-style objects
 * (`<prefix><stream>-<version>-<time>-<uuid>[.gz|.parquet]`), an HTTP endpoint, or a DuckDB table.
 * What cannot be delivered is written under the error prefix; what cannot be written there stays
 * in the buffer on disk for the next start.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogStore } from '../../ingest/index.js';
import { BufferedSink, type Batch } from '../buffered-sink.js';
import { acquireDuckDb, noteDuckDbCommit, releaseDuckDb } from '../duckdb-databases.js';
import { appendJsonToTable, jsonToParquet, openScratchDuckDb, splitJsonObjects } from '../json-duckdb.js';
import type { ObjectStore } from '../object-store.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { expandPrefix, objectName } from '../s3-naming.js';
import type { Scheduler } from '../sink.js';
import type { S3Destination } from './destination-config.js';
import { columnNamer } from './format-conversion-config.js';
import { bufferingOf, type Destination, type DestinationConfig } from './destination.js';
import { duckDbFile, type DestinationAccess } from './destination-access.js';
import type { HttpDestination } from './http-destination-config.js';
import { DeliveryDeferredError, failedRecordsBody, HttpEndpointError, postBatch } from './http-endpoint.js';
import { KinesisStreamSource } from './kinesis-stream-source.js';

export type DeliveryStreamStatus = 'CREATING' | 'ACTIVE' | 'DELETING';
export type DeliveryStreamType = 'DirectPut' | 'KinesisStreamAsSource';

export interface Tag {
  readonly Key: string;
  readonly Value?: string;
}

/** What is kept of a delivery stream across restarts (stream.json). */
export interface DeliveryStreamRecord {
  readonly name: string;
  readonly arn: string;
  readonly type: DeliveryStreamType;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly lastUpdatedAt?: number;
  readonly versionId: number;
  readonly destination: Destination;
  /** The destination configuration as the requests gave it (absent in an older stream.json). */
  readonly config?: DestinationConfig;
  readonly source?: { readonly streamArn: string; readonly roleArn: string; readonly stream: string };
  readonly tags?: readonly Tag[];
}

export const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/';

export interface DeliveryStreamOptions {
  readonly record: DeliveryStreamRecord;
  /** Buffer directory (and the source's checkpoint); null keeps buffers in memory. */
  readonly bufferDir: string | null;
  readonly bucket: (name: string) => ObjectStore;
  /** Which files and addresses deliveries may reach (checked again at each delivery). */
  readonly access: DestinationAccess;
  readonly scheduler: Scheduler;
  readonly retry?: RetryPolicy;
  readonly onError?: (error: unknown) => void;
  /** The ingest log a KinesisStreamAsSource stream reads. */
  readonly log?: LogStore;
}

export class DeliveryStream {
  status: DeliveryStreamStatus = 'CREATING';
  private scratch: { conn: DuckDBConnection; close: () => void } | undefined;
  private duck: { file: string; conn: DuckDBConnection } | undefined;
  private source: KinesisStreamSource | undefined;
  private sinkRef: BufferedSink | undefined;
  /** Aborted on close: HTTP retries stop waiting, so a shutdown is not held for DurationInSeconds. */
  private readonly stopping = new AbortController();

  private constructor(
    public record: DeliveryStreamRecord,
    private readonly options: DeliveryStreamOptions,
  ) {}

  get sink(): BufferedSink {
    return this.sinkRef!;
  }

  static async open(options: DeliveryStreamOptions): Promise<DeliveryStream> {
    const stream = new DeliveryStream(options.record, options);
    const report = options.onError ?? ((e: unknown) => console.error('sluice firehose:', e));
    // A delivered buffer's read position is saved before the buffer goes, once the source is open.
    let sourceOpened!: (source: KinesisStreamSource | undefined) => void;
    const opened = new Promise<KinesisStreamSource | undefined>((resolve) => (sourceOpened = resolve));
    stream.sinkRef = await BufferedSink.open({
      dir: options.bufferDir,
      ...bufferingOf(options.record.destination),
      scheduler: options.scheduler,
      // Each destination retries in its own way (below); the sink keeps what still fails.
      retry: { attempts: 1 },
      onError: report,
      deliver: (batch) => stream.deliver(batch),
      onDelivered: async (batch) => (await opened)?.delivered(batch.meta),
    });
    const source = options.record.source;
    try {
      if (source && !options.log) {
        // Its buffers are still delivered; only the reading waits for a Firehose opened with a log.
        report(new Error(`delivery stream ${options.record.name} reads stream ${source.stream}, and this Firehose has no ingest log`));
      } else if (source && options.log) {
        stream.source = await KinesisStreamSource.open({
          log: options.log,
          stream: source.stream,
          sink: stream.sink,
          checkpointFile: options.bufferDir && path.join(options.bufferDir, 'source.json'),
          onError: report,
        });
        stream.source.start();
      }
    } finally {
      sourceOpened(stream.source);
    }
    return stream;
  }

  /** A new record (UpdateDestination, tags): buffering hints apply from the open buffer on. */
  update(record: DeliveryStreamRecord): void {
    this.record = record;
    this.sink.setBuffering(bufferingOf(record.destination));
  }

  /** Stops reading the source, delivers every buffer, and lets go of DuckDB. */
  async close(): Promise<void> {
    await this.source?.stop();
    this.stopping.abort();
    await this.sink.close();
    this.scratch?.close();
    this.scratch = undefined;
    this.releaseDuck();
  }

  private async deliver(batch: Batch): Promise<void> {
    const d = this.record.destination;
    if (d.kind === 's3') return this.toS3(d, batch);
    return d.duckdb ? this.toDuckDb(d, batch) : this.toHttp(d, batch);
  }

  private async toS3(d: S3Destination, batch: Batch): Promise<void> {
    const bucket = this.options.bucket(d.bucket);
    const put = (key: string, body: Uint8Array): Promise<void> => withRetry(() => bucket.put(key, body), this.options.retry);
    if (!d.conversion) {
      try {
        await put(this.key(d.prefix ?? '', batch), objectBody(d, batch.records));
      } catch {
        await put(this.errorKey(d, batch, 'delivery-failed'), objectBody(d, batch.records));
      }
      return;
    }
    const { good, bad } = splitJsonObjects(batch.records);
    const failed = (failures: readonly { record: Uint8Array; message: string }[]): Promise<void> =>
      put(this.errorKey(d, batch, 'format-conversion-failed', ''), failedRecordsBody(failures, batch.firstArrival, 'DataFormatConversion.MalformedData', 1));
    if (bad.length > 0) await failed(bad);
    if (good.length === 0) return;
    let parquet: Buffer;
    try {
      this.scratch ??= await openScratchDuckDb();
      const rename = columnNamer(d.conversion);
      parquet = await jsonToParquet(this.scratch.conn, good, { compression: d.conversion.compression, ...(rename ? { rename } : {}) });
    } catch (e) {
      // DuckDB could not make one table of these records: they go where bad records go.
      const message = `DuckDB could not convert the buffer to Parquet: ${(e as Error).message}`;
      return failed(good.map((record) => ({ record, message })));
    }
    await put(this.key(d.prefix ?? '', batch, '.parquet'), parquet);
  }

  private async toHttp(d: HttpDestination, batch: Batch): Promise<void> {
    try {
      await postBatch(d, batch, this.record.arn, this.options.retry, this.stopping.signal, this.options.access.allowPrivateEndpoints);
    } catch (e) {
      if (e instanceof DeliveryDeferredError) throw e;
      const err = e instanceof HttpEndpointError ? e : new HttpEndpointError('HttpEndpoint.RequestFailed', String(e), 1);
      await this.writeFailed(d, batch, batch.records.map((record) => ({ record, message: err.message })), err.code, err.attempts);
      return;
    }
    if (d.s3BackupMode === 'AllData') await withRetry(() => this.options.bucket(d.s3.bucket).put(this.key(d.s3.prefix ?? '', batch, d.s3.compression === 'GZIP' ? '.gz' : ''), objectBody(d.s3, batch.records)), this.options.retry);
  }

  private async toDuckDb(d: HttpDestination, batch: Batch): Promise<void> {
    const { good, bad } = splitJsonObjects(batch.records);
    if (bad.length > 0) await this.writeFailed(d, batch, bad, 'DuckDB.MalformedData', 1);
    if (good.length === 0) return;
    const table = d.duckdb!.table;
    let file: string;
    try {
      file = duckDbFile(d.duckdb!.file, this.options.access.files);
    } catch (e) {
      return this.writeFailed(d, batch, good.map((record) => ({ record, message: (e as Error).message })), 'DuckDB.AppendFailed', 1);
    }
    try {
      await withRetry(async () => {
        if (this.duck?.file !== file) {
          this.releaseDuck();
          await fs.promises.mkdir(path.dirname(file), { recursive: true });
          const instance = await acquireDuckDb(file);
          try {
            this.duck = { file, conn: await instance.connect() };
          } catch (e) {
            releaseDuckDb(file);
            throw e;
          }
        }
        // A buffer delivered again after a crash (appended, not yet removed) is not appended twice.
        await appendJsonToTable(this.duck.conn, table, good, batch.key === undefined ? undefined : { writer: `${this.record.arn}/${table}`, batch: batch.key });
        noteDuckDbCommit(file);
      }, this.options.retry);
    } catch (e) {
      const message = (e as Error).message;
      await this.writeFailed(d, batch, good.map((record) => ({ record, message })), 'DuckDB.AppendFailed', this.options.retry?.attempts ?? 4);
    }
  }

  private writeFailed(d: HttpDestination, batch: Batch, failures: readonly { record: Uint8Array; message: string }[], code: string, attempts: number): Promise<void> {
    const body = failedRecordsBody(failures, batch.firstArrival, code, attempts);
    const gz = d.s3.compression === 'GZIP';
    return withRetry(() => this.options.bucket(d.s3.bucket).put(this.errorKey(d.s3, batch, 'http-endpoint-failed', gz ? '.gz' : ''), gz ? zlib.gzipSync(body) : body), this.options.retry);
  }

  private key(prefix: string, batch: Batch, extension?: string): string {
    const d = this.record.destination;
    const ext = extension ?? (d.kind === 's3' && d.compression === 'GZIP' ? '.gz' : '');
    return expandPrefix(prefix, batch.firstArrival) + objectName(this.record.name, this.record.versionId, batch.firstArrival, this.uuidOf(batch)) + ext;
  }

  private errorKey(d: S3Destination, batch: Batch, type: string, extension?: string): string {
    const ext = extension ?? (d.compression === 'GZIP' ? '.gz' : '');
    return expandPrefix(d.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX, batch.firstArrival, type) + objectName(this.record.name, this.record.versionId, batch.firstArrival, this.uuidOf(batch)) + ext;
  }

  /**
   * The object name's UUID, made from the stream and the buffer's key: a buffer delivered again
   * after a crash (written, but not yet removed) replaces its own object instead of adding a copy.
   */
  private uuidOf(batch: Batch): string | undefined {
    if (batch.key === undefined) return undefined;
    const h = crypto.createHash('sha256').update(`${this.record.arn}\u0000${batch.key}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  private releaseDuck(): void {
    if (!this.duck) return;
    this.duck.conn.closeSync();
    releaseDuckDb(this.duck.file);
    this.duck = undefined;
  }
}

/** The records as given, one after another (a newline after each with AppendDelimiterToRecord). */
export function objectBody(d: S3Destination, records: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const newline = Buffer.from('\n');
  for (const r of records) {
    parts.push(r);
    if (d.appendDelimiter) parts.push(newline);
  }
  const body = Buffer.concat(parts);
  return d.compression === 'GZIP' ? zlib.gzipSync(body) : body;
}
