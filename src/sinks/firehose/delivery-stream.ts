/**
 * One delivery stream: its description, and the BufferedSink that turns its buffers into S3-style
 * objects (`<prefix><stream>-<version>-<time>-<uuid>[.gz]`), with failed deliveries written under
 * the error prefix instead.
 */

import zlib from 'node:zlib';
import { BufferedSink, type Batch } from '../buffered-sink.js';
import type { ObjectStore } from '../object-store.js';
import type { RetryPolicy } from '../retry.js';
import { expandPrefix, objectName } from '../s3-naming.js';
import type { Scheduler } from '../sink.js';
import type { S3Destination } from './destination-config.js';

export type DeliveryStreamStatus = 'CREATING' | 'ACTIVE' | 'DELETING';

/** What is kept of a delivery stream across restarts (stream.json). */
export interface DeliveryStreamRecord {
  readonly name: string;
  readonly arn: string;
  readonly type: 'DirectPut';
  /** Epoch ms. */
  readonly createdAt: number;
  readonly versionId: number;
  readonly destination: S3Destination;
}

export const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/';

export interface DeliveryStreamOptions {
  readonly record: DeliveryStreamRecord;
  /** Buffer directory; null keeps buffers in memory. */
  readonly bufferDir: string | null;
  readonly bucket: ObjectStore;
  readonly scheduler: Scheduler;
  readonly retry?: RetryPolicy;
  readonly onError?: (error: unknown) => void;
}

export class DeliveryStream {
  status: DeliveryStreamStatus = 'CREATING';

  private constructor(
    readonly record: DeliveryStreamRecord,
    readonly sink: BufferedSink,
  ) {}

  static async open(options: DeliveryStreamOptions): Promise<DeliveryStream> {
    const { record, bucket } = options;
    const d = record.destination;
    const key = (prefix: string, batch: Batch): string =>
      expandPrefix(prefix, batch.firstArrival) + objectName(record.name, record.versionId, batch.firstArrival) + (d.compression === 'GZIP' ? '.gz' : '');
    const sink = await BufferedSink.open({
      dir: options.bufferDir,
      maxBytes: d.sizeInMBs * 1024 * 1024,
      intervalMs: d.intervalInSeconds * 1000,
      scheduler: options.scheduler,
      retry: options.retry,
      onError: options.onError,
      deliver: (batch) => bucket.put(key(d.prefix ?? '', batch), objectBody(d, batch)),
      deadLetter: (batch) => bucket.put(key(d.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX, batch), objectBody(d, batch)),
    });
    return new DeliveryStream(record, sink);
  }
}

/** The records as given, one after another (a newline after each with AppendDelimiterToRecord). */
export function objectBody(d: S3Destination, batch: Batch): Uint8Array {
  const parts: Uint8Array[] = [];
  const newline = Buffer.from('\n');
  for (const r of batch.records) {
    parts.push(r);
    if (d.appendDelimiter) parts.push(newline);
  }
  const body = Buffer.concat(parts);
  return d.compression === 'GZIP' ? zlib.gzipSync(body) : body;
}
