/**
 * SigV4 on the server's own HTTP routes. `receivedRequest` is what a signature covers, taken from
 * either protocol's request; `signedRoute` puts a route behind a signature and one IAM action: it
 * reads the body (the signature covers it), verifies, authorizes, and hands the route a request
 * that replays the same body, so the route reads it as if nothing had come first.
 */

import { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, apiErrors } from '../../ingest/api/errors.js';
import { endRefusedBody, readBody, refusalStatus } from '../body-reader.js';
import { sendBody, type HttpRequest, type RouteHandler } from '../http-types.js';
import type { Authenticator } from './authenticator.js';
import type { HeaderValue, ReceivedRequest } from './sigv4.js';

/** Method, target and headers as received; on HTTP/1.1 a header sent twice keeps both values, as SigV4 joins them. */
export function receivedRequest(req: HttpRequest): ReceivedRequest {
  const distinct = (req as { headersDistinct?: Record<string, string[]> }).headersDistinct;
  let headers: Record<string, HeaderValue> = req.headers;
  if (distinct) {
    headers = {};
    for (const [name, values] of Object.entries(distinct)) headers[name] = values.length === 1 ? values[0] : values;
  }
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers };
}

/** The request a route sees behind signedRoute: the original's method, target and headers, and its body again. */
class ReplayedRequest extends Readable implements HttpRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;

  constructor(from: HttpRequest, body: Buffer) {
    super();
    this.method = from.method;
    this.url = from.url;
    this.headers = from.headers;
    this.httpVersion = from.httpVersion;
    if (body.length > 0) this.push(body);
    this.push(null);
  }

  override _read(): void {}
}

function refuse(res: Parameters<RouteHandler>[1], err: unknown): void {
  const error = err instanceof ApiError ? err : apiErrors.internal(String(err));
  const status = error.status >= 500 ? error.status : 403;
  sendBody(res, status, 'application/json', JSON.stringify({ error: error.message, __type: error.type }), { 'x-amzn-errortype': error.type });
}

/**
 * `handler`, for requests SigV4-signed for `service` by a user allowed `action` (account-level, on
 * `*`). Refusals answer 403 with `{"error", "__type"}` (the AWS exception name); bodies past `limit`
 * answer 413 unread.
 */
export function signedRoute(authenticator: Authenticator, service: string, action: string, handler: RouteHandler, limit = 1 << 20): RouteHandler {
  return async (req, res) => {
    let check: ReturnType<Authenticator['begin']>;
    try {
      check = authenticator.begin(receivedRequest(req), service);
    } catch (err) {
      req.resume();
      refuse(res, err);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      const status = refusalStatus(err);
      if (status === undefined) return void req.destroy();
      sendBody(res, status, 'application/json', JSON.stringify({ error: (err as Error).message }));
      endRefusedBody(req, res, err as Error);
      return;
    }
    try {
      authenticator.authorize(check(body), action, undefined);
    } catch (err) {
      refuse(res, err);
      return;
    }
    await handler(new ReplayedRequest(req, body), res);
  };
}
