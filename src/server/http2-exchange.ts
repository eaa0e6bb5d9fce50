/**
 * One HTTP/2 request and its response as the HttpRequest/HttpResponse pair handlers use, straight
 * on the core stream API. Node's compatibility layer (Http2ServerRequest/Response) wraps the
 * stream in a second readable, and always asks for trailers, so every response ended with an
 * extra empty DATA frame sent a turn later; these views add neither.
 */

import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { HttpRequest, HttpResponse } from './http-types.js';

export class Http2Request implements HttpRequest {
  readonly httpVersion = '2.0';

  constructor(
    readonly stream: ServerHttp2Stream,
    /** With the pseudo-headers (:method, :path…), as the compatibility API gives them. */
    readonly headers: IncomingHttpHeaders,
  ) {}

  get method(): string | undefined {
    return this.headers[constants.HTTP2_HEADER_METHOD] as string | undefined;
  }

  get url(): string | undefined {
    return this.headers[constants.HTTP2_HEADER_PATH] as string | undefined;
  }

  on(event: string, listener: (...args: any[]) => void): this {
    this.stream.on(event, listener);
    return this;
  }

  removeAllListeners(event?: string): this {
    // Only what a handler added: the stream's own listeners stay.
    if (event === 'data' || event === 'end') this.stream.removeAllListeners(event);
    return this;
  }

  resume(): this {
    this.stream.resume();
    return this;
  }

  destroy(err?: Error): this {
    this.stream.destroy(err);
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.stream[Symbol.asyncIterator]();
  }
}

export class Http2Response implements HttpResponse {
  statusCode = 200;
  private headers: OutgoingHttpHeaders = {};
  private ended = false;

  constructor(readonly stream: ServerHttp2Stream) {}

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get writableEnded(): boolean {
    return this.ended;
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers[name.toLowerCase()] = value as string | number | string[];
    return this;
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = statusCode;
    if (headers) for (const name of Object.keys(headers)) this.headers[name.toLowerCase()] = headers[name];
    return this;
  }

  write(chunk: Uint8Array | string, callback?: (err?: Error | null) => void): boolean {
    if (this.stream.destroyed) return false;
    this.respond(false);
    return this.stream.write(chunk, callback);
  }

  end(chunk?: Uint8Array | string): this {
    if (this.ended) return this;
    this.ended = true;
    if (this.stream.destroyed) return this;
    const empty = chunk === undefined || chunk.length === 0;
    // A body goes out as DATA frames of which the last carries END_STREAM; none, and the headers do.
    this.respond(empty);
    if (empty) {
      if (this.stream.writable && !this.stream.writableEnded) this.stream.end();
    } else {
      this.stream.end(chunk);
    }
    return this;
  }

  on(event: string, listener: (...args: any[]) => void): this {
    if (event === 'finish') this.onFinish(listener);
    else this.stream.on(event, listener);
    return this;
  }

  once(event: string, listener: (...args: any[]) => void): this {
    if (event === 'finish') this.onFinish(listener);
    else this.stream.once(event, listener);
    return this;
  }

  removeListener(event: string, listener: (...args: any[]) => void): this {
    this.stream.removeListener(event, listener);
    return this;
  }

  destroy(err?: Error): this {
    this.stream.destroy(err);
    return this;
  }

  /**
   * 'finish' (at most once) when the response has been handed over whole. A stream whose both
   * sides end closes at once, often without a 'finish' of its own, so its 'close' after end()
   * counts as well. (No handler removes a 'finish' listener, so removeListener does not look.)
   */
  private onFinish(listener: () => void): void {
    let fired = false;
    const fire = (): void => {
      if (fired || !this.ended) return;
      fired = true;
      listener();
    };
    this.stream.once('finish', fire);
    this.stream.once('close', fire);
  }

  private respond(endStream: boolean): void {
    if (this.stream.headersSent) return;
    this.headers[constants.HTTP2_HEADER_STATUS] = this.statusCode;
    this.stream.respond(this.headers, { endStream });
  }
}
