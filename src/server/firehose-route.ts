/**
 * The Firehose API on the one port: `POST /` with `x-amz-target: Firehose_20150804.<Op>`, AWS
 * JSON 1.1 in and out, errors as `{"__type", "message"}` with `x-amzn-ErrorType`, as Kinesis.
 */

import crypto from 'node:crypto';
import { apiErrors, ApiError } from '../ingest/api/index.js';
import { FirehoseApi, FIREHOSE_TARGET_PREFIX, type FirehoseApiOptions } from '../sinks/firehose/index.js';
import { BodyTooLargeError, readBody, sendBody, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';
import { AMZ_JSON, MAX_BODY_BYTES } from './kinesis-route.js';
import type { SluiceServer } from './sluice-server.js';

/** The server options Firehose reads; `firehose` overrides the rest (tests inject a scheduler). */
export interface FirehoseServerOptions {
  readonly dataDir?: string | null;
  readonly region?: string;
  readonly createDelayMs?: number;
  readonly firehose?: Partial<FirehoseApiOptions>;
}

/** Opens the Firehose API over the server's data directory, serves it, and closes it with the server. */
export async function attachFirehose(server: SluiceServer, options: FirehoseServerOptions = {}): Promise<FirehoseApi> {
  const api = await FirehoseApi.open({
    dataDir: options.dataDir === undefined ? './data' : options.dataDir,
    region: options.region,
    createDelayMs: options.createDelayMs,
    ...options.firehose,
  });
  server.addTarget(FIREHOSE_TARGET_PREFIX, firehoseRoute(api));
  server.onClose(() => api.close());
  return api;
}

export function firehoseRoute(api: FirehoseApi): RouteHandler {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const requestId = crypto.randomUUID();
    const operation = (req.headers['x-amz-target'] as string).slice(FIREHOSE_TARGET_PREFIX.length);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        sendError(res, requestId, apiErrors.tooLarge(MAX_BODY_BYTES));
        res.once('finish', () => req.destroy());
      } else {
        req.destroy();
      }
      return;
    }
    try {
      if (!api.has(operation)) throw apiErrors.unknownOperation(operation);
      let parsed: unknown;
      try {
        parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined) throw apiErrors.serialization(body.length === 0 ? 'Request body is empty.' : 'Request body is not valid JSON.');
      const result = await api.call(operation, parsed);
      sendBody(res, 200, AMZ_JSON, JSON.stringify(result), { 'x-amzn-requestid': requestId });
    } catch (err) {
      sendError(res, requestId, err instanceof ApiError ? err : apiErrors.internal(err instanceof Error ? err.message : String(err)));
    }
  };
}

function sendError(res: HttpResponse, requestId: string, error: ApiError): void {
  sendBody(res, error.status, AMZ_JSON, JSON.stringify({ __type: error.type, message: error.message }), {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.type,
  });
}
