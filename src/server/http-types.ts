/**
 * The slice of Node's request/response objects that handlers use, so one handler serves both
 * HTTP/1.1 (`http.IncomingMessage`/`ServerResponse`) and HTTP/2 (views over the core stream API,
 * http2-exchange.ts).
 */

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface HttpRequest extends AsyncIterable<Buffer> {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close' | 'aborted', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  resume(): unknown;
  destroy(err?: Error): unknown;
}

export interface HttpResponse {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: Uint8Array | string, callback?: (err?: Error | null) => void): boolean;
  end(chunk?: Uint8Array | string): unknown;
  on(event: 'close' | 'drain' | 'finish', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'close' | 'drain' | 'finish', listener: () => void): unknown;
  removeListener(event: 'close' | 'drain' | 'finish', listener: () => void): unknown;
  destroy(err?: Error): unknown;
}

export type RouteHandler = (req: HttpRequest, res: HttpResponse) => void | Promise<void>;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * The whole request body. Rejects at once when Content-Length announces more than `limit`
 * bytes, and as soon as a body without one grows past it, so an oversized upload is never
 * buffered whole.
 */
export function readBody(req: HttpRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      reject(new BodyTooLargeError(`request body of ${declared} bytes is over the ${limit}-byte limit`));
      return;
    }
    // A known length is copied into one buffer; an unknown one is collected and joined.
    const exact = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let length = 0;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (length + chunk.length > limit || (exact && length + chunk.length > exact.length)) {
        fail(new BodyTooLargeError(`request body is over the ${exact ? exact.length : limit}-byte limit`));
        return;
      }
      if (exact) chunk.copy(exact, length);
      else chunks.push(chunk);
      length += chunk.length;
    });
    req.on('end', () => {
      if (failed) return;
      if (exact) {
        if (length !== exact.length) fail(new Error(`request body ended after ${length} of ${exact.length} bytes`));
        else resolve(exact);
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
      }
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('request aborted')));
  });
}

/** Writes a complete response unless the client has already gone. */
export function sendBody(res: HttpResponse, status: number, contentType: string, body: string | Buffer, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...headers,
  });
  res.end(body);
}
