/**
 * Firehose's HTTP endpoint delivery: one POST per buffer, `{"requestId", "timestamp", "records":
 * [{"data": base64}]}` with the X-Amz-Firehose-* headers; success is a 200 whose JSON body echoes
 * the requestId. Anything else is retried with backoff (a new request id each time, as Firehose
 * does) until RetryOptions.DurationInSeconds has passed; then the caller writes the buffer under
 * the S3 configuration's error prefix.
 */

import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Batch } from '../buffered-sink.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import type { HttpDestination } from './http-destination-config.js';

export class HttpEndpointError extends Error {
  override readonly name = 'HttpEndpointError';

  constructor(
    readonly code: string,
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** Shutdown cut the retries short: the buffer stays on disk for the next start, not under the error prefix. */
export class DeliveryDeferredError extends Error {
  override readonly name = 'DeliveryDeferredError';
}

/**
 * Delivers the batch or throws the last failure (an HttpEndpointError) once the retry duration is
 * spent; once `stop` is aborted, a failed attempt throws DeliveryDeferredError instead of waiting.
 */
export async function postBatch(d: HttpDestination, batch: Batch, sourceArn: string, policy: RetryPolicy = {}, stop?: AbortSignal): Promise<void> {
  const deadline = Date.now() + d.retrySeconds * 1000;
  const records = batch.records.map((r) => ({ data: Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64') }));
  await withRetry(
    async (attempt) => {
      const failure = await postOnce(d, records, sourceArn, Math.max(1000, deadline - Date.now()));
      if (failure !== undefined) throw new HttpEndpointError(failure.code, failure.message, attempt);
    },
    policy,
    {
      until: deadline,
      ...(stop ? { stop } : {}),
      stopped: (err, attempt) => new DeliveryDeferredError(`delivery to ${d.url} deferred to the next start after ${attempt} attempts: ${(err as Error).message}`),
    },
  );
}

async function postOnce(d: HttpDestination, records: { data: string }[], sourceArn: string, timeoutMs: number): Promise<{ code: string; message: string } | undefined> {
  const requestId = crypto.randomUUID();
  const json = Buffer.from(JSON.stringify({ requestId, timestamp: Date.now(), records }));
  const gzip = d.contentEncoding === 'GZIP';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amz-firehose-protocol-version': '1.0',
    'x-amz-firehose-request-id': requestId,
    'x-amz-firehose-source-arn': sourceArn,
    'user-agent': 'Amazon Kinesis Data Firehose Agent/1.0 (Sluice)',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...(d.accessKey !== undefined ? { 'x-amz-firehose-access-key': d.accessKey } : {}),
    ...(Object.keys(d.commonAttributes).length > 0 ? { 'x-amz-firehose-common-attributes': JSON.stringify({ commonAttributes: d.commonAttributes }) } : {}),
  };
  let response: Response;
  try {
    response = await fetch(d.url, { method: 'POST', headers, body: gzip ? zlib.gzipSync(json) : json, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return { code: 'HttpEndpoint.RequestFailed', message: `POST ${d.url} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}` };
  }
  const text = await response.text().catch(() => '');
  if (response.status !== 200) return { code: 'HttpEndpoint.ResponseNot200', message: `${d.url} answered ${response.status}: ${text.slice(0, 512)}` };
  let echoed: unknown;
  try {
    echoed = (JSON.parse(text) as { requestId?: unknown }).requestId;
  } catch {
    echoed = undefined;
  }
  if (echoed !== requestId) return { code: 'HttpEndpoint.InvalidResponseFromDestination', message: `${d.url} answered 200 without requestId ${requestId}: ${text.slice(0, 512)}` };
  return undefined;
}

/** What Firehose writes for records it could not deliver: one JSON line per record, the data in base64. */
export function failedRecordsBody(failures: readonly { record: Uint8Array; message: string }[], arrival: number, errorCode: string, attempts: number): Buffer {
  const ending = Date.now();
  return Buffer.from(
    failures
      .map(({ record, message }) =>
        JSON.stringify({
          attemptsMade: attempts,
          arrivalTimestamp: arrival,
          errorCode,
          errorMessage: message,
          attemptEndingTimestamp: ending,
          rawData: Buffer.from(record.buffer, record.byteOffset, record.byteLength).toString('base64'),
        }) + '\n',
      )
      .join(''),
  );
}
