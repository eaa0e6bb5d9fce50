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
