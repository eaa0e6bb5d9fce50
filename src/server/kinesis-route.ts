/**
 * AWS JSON 1.1 over HTTP for the Kinesis and Firehose APIs: `POST /` with `x-amz-target: <Prefix><Op>`,
 * a JSON body in, `application/x-amz-json-1.1` out, errors as HTTP 400 `{"__type", "message"}`
 * with `x-amzn-ErrorType`. Without `auth`, SigV4 signatures are accepted unchecked (any credentials
 * work); with it, the headers are checked before the body is read, the signature over the body
 * before it is parsed, and the user's policies once the operation's input is checked.
 */

import crypto from 'node:crypto';
import { apiErrors, ApiError, EVENT_STREAM_CONTENT_TYPE, EventStreamResult, RawJson, type Authorize } from '../ingest/api/index.js';
import type { Authenticator, SignatureCheck } from './auth/authenticator.js';
import { receivedRequest } from './auth/request-auth.js';
import { bodyLimitFor } from './body-limits.js';
import { BodyBudgetError, BodyTimeoutError, BodyTooLargeError, endRefusedBody, readBody } from './body-reader.js';
import { sendBody, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';

export const AMZ_JSON = 'application/x-amz-json-1.1';

/** An AWS JSON service: its operations by name, each taking and giving plain JSON. */
export interface JsonApi {
  has(operation: string): boolean;
  /** An operation's own reading of the raw body (undefined: parse it as JSON). */
  readBody?(operation: string, body: Buffer): object | undefined;
  call(operation: string, body: unknown, authorize?: Authorize): Promise<unknown>;
}

/** Who may call a JSON API: requests must be SigV4-signed for `service`, and IAM actions are `<service>:<Operation>`. */
export interface TargetAuth {
  readonly authenticator: Authenticator;
  readonly service: string;
}

export function jsonTargetRoute(prefix: string, api: JsonApi, auth?: TargetAuth): RouteHandler {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const requestId = crypto.randomUUID();
    const target = req.headers['x-amz-target'] as string;
    const operation = target.slice(prefix.length);
    let check: SignatureCheck | undefined;
    if (auth) {
      try {
        check = auth.authenticator.begin(receivedRequest(req), auth.service);
      } catch (err) {
        // The body is drained, never buffered: a refused request costs no memory.
        req.resume();
        sendError(res, requestId, err instanceof ApiError ? err : apiErrors.internal(String(err)));
        return;
      }
    }
    const limit = bodyLimitFor(target);
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      const refusal = refusalOf(err as Error, limit);
      if (refusal) {
        sendError(res, requestId, refusal);
        endRefusedBody(req, res, err as Error);
      } else {
        req.destroy();
      }
      return;
    }
    let authorize: Authorize | undefined;
    if (auth && check) {
      try {
        const user = check(body);
        authorize = (resource) => auth.authenticator.authorize(user, `${auth.service}:${operation}`, resource);
      } catch (err) {
        sendError(res, requestId, err instanceof ApiError ? err : apiErrors.internal(String(err)));
        return;
      }
    }
    let parsed: unknown = api.readBody?.(operation, body);
    if (parsed === undefined) {
      try {
        parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
    }
    try {
      // An unknown operation is reported before a broken body, as AWS does.
      if (!api.has(operation)) throw apiErrors.unknownOperation(operation);
      if (parsed === undefined) throw apiErrors.serialization(body.length === 0 ? 'Request body is empty.' : 'Request body is not valid JSON.');
      const result = await api.call(operation, parsed, authorize);
      if (result instanceof EventStreamResult) streamEvents(res, requestId, result);
      else sendBody(res, 200, AMZ_JSON, result instanceof RawJson ? result.json : JSON.stringify(result), { 'x-amzn-requestid': requestId });
    } catch (err) {
      sendError(res, requestId, err instanceof ApiError ? err : apiErrors.internal(err instanceof Error ? err.message : String(err)));
    }
  };
}

/** The AWS error for a body that was not read whole, or undefined when the client went away. */
function refusalOf(err: Error, limit: number): ApiError | undefined {
  if (err instanceof BodyTooLargeError) return apiErrors.tooLarge(limit);
  if (err instanceof BodyTimeoutError) return apiErrors.requestTimeout(err.message);
  if (err instanceof BodyBudgetError) return apiErrors.unavailable(err.message);
  return undefined;
}

function sendError(res: HttpResponse, requestId: string, error: ApiError): void {
  sendBody(res, error.status, AMZ_JSON, JSON.stringify({ __type: error.type, message: error.message }), {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.type,
  });
}

function streamEvents(res: HttpResponse, requestId: string, result: EventStreamResult): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': requestId });
  result.start({
    write: (frame) => (res.destroyed || res.writableEnded ? false : res.write(frame)),
    end: () => {
      if (!res.writableEnded && !res.destroyed) res.end();
    },
    onDrain: (listener) => res.on('drain', listener),
    onClose: (listener) => res.on('close', listener),
  });
}
