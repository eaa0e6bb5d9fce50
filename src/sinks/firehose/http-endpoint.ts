/**
 * Firehose's HTTP endpoint delivery: one POST per buffer, `{"requestId", "timestamp", "records":
 * [{"data": base64}]}` with the X-Amz-Firehose-* headers; success is a 200 whose JSON body echoes
 * the requestId. Anything else is retried with backoff (a new request id each time, as Firehose
 * does) until RetryOptions.DurationInSeconds has passed; then the caller writes the buffer under
 * the S3 configuration's error prefix.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { agentFor, checkEndpoint, EndpointRefusedError } from '../../net/outbound-guard.js';
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
 * Unless `allowPrivate`, a Url whose host is (or resolves to) a non-public address fails at once.
 */
export async function postBatch(d: HttpDestination, batch: Batch, sourceArn: string, policy: RetryPolicy = {}, stop?: AbortSignal, allowPrivate = false): Promise<void> {
  const deadline = Date.now() + d.retrySeconds * 1000;
  const records = batch.records.map((r) => ({ data: Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64') }));
  if (!allowPrivate) {
    try {
      await checkEndpoint(d.url);
    } catch (e) {
      // A lookup that fails is retried below like any connection failure; a refusal would only be refused again.
      if (e instanceof EndpointRefusedError) throw new HttpEndpointError('HttpEndpoint.ConnectionFailed', `POST ${d.url} refused: ${e.message}`, 1);
    }
  }
  await withRetry(
    async (attempt) => {
      const failure = await postOnce(d, records, sourceArn, Math.max(1000, deadline - Date.now()), allowPrivate);
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

async function postOnce(d: HttpDestination, records: { data: string }[], sourceArn: string, timeoutMs: number, allowPrivate: boolean): Promise<{ code: string; message: string } | undefined> {
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
  let response: { status: number; text: string };
  try {
    response = await post(new URL(d.url), headers, gzip ? zlib.gzipSync(json) : json, timeoutMs, allowPrivate);
  } catch (e) {
    return { code: 'HttpEndpoint.RequestFailed', message: `POST ${d.url} failed: ${(e as Error).message}` };
  }
  const text = response.text;
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

/**
 * One POST through node's http client (not fetch): its connections go through the outbound guard's
 * lookup, and it follows no redirect, so a public endpoint cannot send the request on to a private one.
 */
function post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number, allowPrivate: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent: agentFor(url, allowPrivate), signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
        res.on('close', () => (res.complete ? undefined : reject(new Error('the response was cut short'))));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
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
