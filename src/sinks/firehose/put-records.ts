/**
 * PutRecord and PutRecordBatch: a record is acknowledged once it is fsynced into the stream's
 * buffer. Oversized records fail alone in a batch (the rest are kept), as in AWS.
 */

import crypto from 'node:crypto';
import { ApiError, apiErrors } from '../../ingest/api/index.js';
import type { Input } from '../../ingest/api/validation.js';
import type { DeliveryStream } from './delivery-stream.js';
import { MAX_BATCH_BYTES, MAX_RECORD_BYTES } from './firehose-specs.js';

/**
 * Sealed buffers waiting for delivery past which puts are refused with "Slow down" (they are held
 * in memory until delivered): a destination that is down for long stops producers rather than the process.
 */
const MAX_BACKLOG = 8;

export async function putRecord(stream: DeliveryStream, input: Input): Promise<object> {
  checkBacklog(stream);
  const data = decode((input['Record'] as { Data: string }).Data);
  if (data.length > MAX_RECORD_BYTES) {
    throw apiErrors.validation(`1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  }
  try {
    await stream.sink.write([data]);
  } catch (err) {
    throw unavailable(`Slow down. ${err instanceof Error ? err.message : String(err)}`);
  }
  return { RecordId: recordId(), Encrypted: false };
}

export async function putRecordBatch(stream: DeliveryStream, input: Input): Promise<object> {
  checkBacklog(stream);
  const records = (input['Records'] as { Data: string }[]).map((r) => decode(r.Data));
  const total = records.reduce((n, r) => n + r.length, 0);
  if (total > MAX_BATCH_BYTES) throw apiErrors.invalid(`Records size of ${total} bytes exceeds the limit of ${MAX_BATCH_BYTES} bytes for the whole request.`);
  const accepted = records.filter((r) => r.length <= MAX_RECORD_BYTES);
  let failure: string | undefined;
  try {
    await stream.sink.write(accepted);
  } catch (err) {
    failure = `Slow down. ${err instanceof Error ? err.message : String(err)}`;
  }
  let failed = 0;
  const responses = records.map((r) => {
    if (r.length > MAX_RECORD_BYTES) {
      failed++;
      return { ErrorCode: 'InvalidArgumentException', ErrorMessage: `Record size ${r.length} bytes exceeds the limit of ${MAX_RECORD_BYTES} bytes.` };
    }
    if (failure !== undefined) {
      failed++;
      return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: failure };
    }
    return { RecordId: recordId() };
  });
  return { FailedPutCount: failed, Encrypted: false, RequestResponses: responses };
}

function checkBacklog(stream: DeliveryStream): void {
  const backlog = stream.sink.backlog;
  if (backlog >= MAX_BACKLOG) throw unavailable(`Slow down. ${backlog} buffers of ${stream.record.name} are waiting for their destination.`);
}

export function unavailable(message: string): ApiError {
  return new ApiError('ServiceUnavailableException', message, 503);
}

function decode(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

function recordId(): string {
  return crypto.randomBytes(42).toString('base64url');
}
