/**
 * One port, two protocols. Each connection's first bytes decide: the HTTP/2 preface goes to an
 * `http2` server (cleartext, prior knowledge: the AWS SDK v3), anything else to an `http` server
 * (the AWS CLI, curl, browsers). Both feed one handler table:
 *
 *   POST /  with  x-amz-target: <Prefix>.<Operation>   → addTarget(prefix, …)   (Kinesis, Firehose…)
 *   <METHOD> <path>                                   → addRoute(method, path, …) (health, pages)
 *   HTTP/1.1 Upgrade on <path>                        → addUpgrade(path, …)     (WebSocket)
 *
 * A path ending in `*` matches every path with that prefix. Nothing a client sends may take the
 * process down: socket, parser and session errors close that connection only. Every connection is
 * bounded (server-limits.ts): how many, how long each phase may take, how large a body may be and
 * how many body bytes all requests together may hold.
 *
 * With `tls`, the port speaks TLS only and ALPN decides instead of the first bytes: `h2` goes to
 * the http2 server, `http/1.1` or no ALPN to the http server; the handler table is the same.
 * Guards (`addGuard`) see every route and upgrade before its handler, not the targets: an AWS API
 * authenticates in its own route, where the signed body is read.
 */

import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { BodyBudget, governBody, type BodyPolicy } from './body-reader.js';
import { sendBody, type HttpRequest, type HttpResponse, type RouteHandler } from './http-types.js';
import { Http2Request, Http2Response } from './http2-exchange.js';
import { Http2Sessions } from './http2-sessions.js';
import { sniffSocket } from './protocol-sniffer.js';
import { resolveLimits, type ServerLimits } from './server-limits.js';

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Timeouts and limits (server-limits.ts has each one's meaning and default), and the close grace. */
export interface SluiceServerOptions extends Partial<ServerLimits> {
  /** How long close() lets requests in progress finish before cutting connections (default 5 s). */
  readonly closeGraceMs?: number;
  /** Serve TLS (certificate and key, PEM) instead of plaintext; ALPN offers h2 and http/1.1. */
  readonly tls?: Pick<tls.SecureContextOptions, 'cert' | 'key'>;
}

/** Why a guard stops a request: answered with this status and message. */
export interface Refusal {
  readonly status: number;
  readonly message: string;
}

/** Looks at a route's or upgrade's path and the peer's address; a refusal stops the request. */
export type RequestGuard = (path: string, peer: string | undefined) => Refusal | undefined;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly prefix: boolean;
  readonly handler: RouteHandler;
}

/** Per-stream flow-control window: a 500-record PutRecords body should not wait on WINDOW_UPDATEs. */
const HTTP2_STREAM_WINDOW = 4 * 1024 * 1024;
const HTTP2_SESSION_WINDOW = 32 * 1024 * 1024;

export class SluiceServer {
  readonly limits: ServerLimits;
  private readonly net: net.Server;
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly routes: Route[] = [];
  private readonly targets: { prefix: string; handler: RouteHandler }[] = [];
  private readonly upgrades: { path: string; prefix: boolean; handler: UpgradeHandler }[] = [];
  private readonly guards: RequestGuard[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions: Http2Sessions;
  private readonly bodies: BodyPolicy;
  private readonly closeHooks: (() => void | Promise<void>)[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SluiceServerOptions = {}) {
    const limits = (this.limits = resolveLimits(options));
    this.bodies = { graceMs: limits.bodyGraceMs, minBytesPerSecond: limits.minBodyBytesPerSecond, budget: new BodyBudget(limits.maxBufferedBodyBytes) };
    const handle = (req: HttpRequest, res: HttpResponse): void => this.dispatch(req, res);
    this.h1 = http.createServer(
      {
        headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.idleTimeoutMs,
        maxHeaderSize: limits.maxHeaderBytes,
        // How often node checks the two timeouts above: a quarter of the shorter, so each holds within 25 %.
        connectionsCheckingInterval: Math.max(10, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
      },
      handle as http.RequestListener,
    );
    this.h1.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      // What node would answer without this listener (408 for a timeout, 431 for oversized headers,
      // else 400), and as node only if no response has started on the socket.
      const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
      if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) socket.end(`HTTP/1.1 ${clientErrorStatus(err.code)}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    });
    this.h1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    // The http server never listens itself (sockets are handed to it), but its connection
    // tracking starts on 'listening': that is what enforces headersTimeout and requestTimeout
    // against slow clients and lets closeIdleConnections() find keep-alive sockets.
    this.h1.emit('listening');

    this.sessions = new Http2Sessions(limits);
    this.h2 = http2.createServer({
      maxSessionMemory: limits.maxSessionMemoryMb,
      settings: { initialWindowSize: HTTP2_STREAM_WINDOW, maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes },
    });
    // The core stream API rather than 'request' (see http2-exchange.ts): no compatibility layer is set up.
    this.h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      if (headers.expect === '100-continue' && !stream.destroyed) stream.additionalHeaders({ [http2.constants.HTTP2_HEADER_STATUS]: 100 });
      const res = new Http2Response(stream);
      this.sessions.track(stream.session as http2.ServerHttp2Session, stream, res);
      handle(new Http2Request(stream, headers), res);
    });
    this.h2.on('session', (session: http2.ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('connect', () => {
        if (!session.destroyed) session.setLocalWindowSize(HTTP2_SESSION_WINDOW);
      });
    });
    this.h2.on('sessionError', () => undefined);

    if (options.tls) {
      const secure = tls.createServer({ ...options.tls, ALPNProtocols: ['h2', 'http/1.1'], handshakeTimeout: limits.sniffTimeoutMs });
      // Raw sockets are tracked (and refused while closing) from 'connection', before their handshake.
      secure.on('connection', (socket: net.Socket) => this.track(socket));
      secure.on('secureConnection', (socket: tls.TLSSocket) => {
        socket.on('error', () => undefined);
        (socket.alpnProtocol === 'h2' ? this.h2 : this.h1).emit('connection', socket);
      });
      secure.on('tlsClientError', () => undefined);
      this.net = secure;
    } else {
      this.net = net.createServer((socket) => this.accept(socket));
    }
    // Past the cap node closes each new socket as soon as it is accepted.
    this.net.maxConnections = limits.maxConnections;
    this.net.on('error', () => undefined);
  }

  /** Connections open now (both protocols, and those still being sniffed). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Bytes of request bodies the server holds now (taken from `maxBufferedBodyBytes`). */
  get bufferedBodyBytes(): number {
    return this.bodies.budget.used;
  }

  /** Serves `method path` (path may end in `*` to match a prefix). */
  addRoute(method: string, path: string, handler: RouteHandler): this {
    const prefix = path.endsWith('*');
    this.routes.push({ method: method.toUpperCase(), path: prefix ? path.slice(0, -1) : path, prefix, handler });
    return this;
  }

  /** Serves `POST /` requests whose x-amz-target starts with `prefix` (e.g. 'Kinesis_20131202.'). */
  addTarget(prefix: string, handler: RouteHandler): this {
    this.targets.push({ prefix, handler });
    return this;
  }

  /** Takes over HTTP/1.1 connections that ask to upgrade on `path` (e.g. WebSocket). */
  addUpgrade(path: string, handler: UpgradeHandler): this {
    const prefix = path.endsWith('*');
    this.upgrades.push({ path: prefix ? path.slice(0, -1) : path, prefix, handler });
    return this;
  }

  /** Checks every route and upgrade request (not targets) before its handler. */
  addGuard(guard: RequestGuard): this {
    this.guards.push(guard);
    return this;
  }

  /** Runs before connections are closed (end long-lived responses here). */
  onClose(hook: () => void | Promise<void>): this {
    this.closeHooks.push(hook);
    return this;
  }

  listen(port: number, host: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.net.once('error', onError);
      this.net.listen(port, host, () => {
        this.net.removeListener('error', onError);
        resolve(this.net.address() as net.AddressInfo);
      });
    });
  }

  get address(): net.AddressInfo | undefined {
    return (this.net.address() as net.AddressInfo | null) ?? undefined;
  }

  /** Stops accepting, lets requests in progress finish (up to the grace period), then cuts the rest. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.net.close(() => resolve()));
    for (const hook of this.closeHooks) await hook();
    this.sessions.closeAll();
    this.h1.closeIdleConnections();
    const grace = this.options.closeGraceMs ?? 5000;
    const deadline = Date.now() + grace;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.h1.closeIdleConnections();
    }
    for (const socket of this.sockets) socket.destroy();
    this.h1.close(() => undefined);
    await stopped;
  }

  private accept(socket: net.Socket): void {
    if (!this.track(socket)) return;
    sniffSocket(socket, this.limits.sniffTimeoutMs, (protocol) => {
      (protocol === 'http2' ? this.h2 : this.h1).emit('connection', socket);
    });
  }

  /** Keeps a new connection for close(); false (and destroyed) while closing. */
  private track(socket: net.Socket): boolean {
    if (this.closing) {
      socket.destroy();
      return false;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // The http and http2 servers add their own handlers; this one covers sniffing and the TLS handshake.
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    return true;
  }

  private refusal(path: string, peer: string | undefined): Refusal | undefined {
    for (const guard of this.guards) {
      const refusal = guard(path, peer);
      if (refusal) return refusal;
    }
    return undefined;
  }

  private dispatch(req: HttpRequest, res: HttpResponse): void {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    governBody(req, res, this.bodies);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    let handler: RouteHandler | undefined;
    const target = req.headers['x-amz-target'];
    if (method === 'POST' && path === '/' && typeof target === 'string') {
      handler = this.targets.find((t) => target.startsWith(t.prefix))?.handler ?? unknownTarget;
    } else {
      const route = this.routes.find((r) => r.method === method && (r.prefix ? path.startsWith(r.path) : path === r.path));
      handler = route?.handler ?? notFound;
      const refusal = this.refusal(path, peerAddress(req));
      if (refusal) handler = (_req, r) => sendBody(r, refusal.status, 'text/plain; charset=utf-8', `${refusal.message}\n`);
    }
    let result: void | Promise<void>;
    try {
      result = handler(req, res);
    } catch (err) {
      internalError(res, err);
      return;
    }
    if (result) result.catch((err: unknown) => internalError(res, err));
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const path = (req.url ?? '/').split('?')[0]!;
    const refusal = this.refusal(path, req.socket.remoteAddress);
    if (refusal) {
      const body = `${refusal.message}\n`;
      socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    const route = this.upgrades.find((u) => (u.prefix ? path.startsWith(u.path) : path === u.path));
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    try {
      route.handler(req, socket, head);
    } catch {
      socket.destroy();
    }
  }
}

/** The client's address, on either protocol. */
function peerAddress(req: HttpRequest): string | undefined {
  if (req instanceof Http2Request) return req.stream.session?.socket?.remoteAddress;
  return (req as http.IncomingMessage).socket?.remoteAddress;
}

function clientErrorStatus(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

function notFound(_req: HttpRequest, res: HttpResponse): void {
  sendBody(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}

/** A POST / whose x-amz-target names no service here: answered the way AWS JSON services do. */
function unknownTarget(_req: HttpRequest, res: HttpResponse): void {
  const body = JSON.stringify({ __type: 'UnknownOperationException', message: 'Unknown operation' });
  sendBody(res, 400, 'application/x-amz-json-1.1', body, { 'x-amzn-errortype': 'UnknownOperationException' });
}

function internalError(res: HttpResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendBody(res, 500, 'application/x-amz-json-1.1', JSON.stringify({ __type: 'InternalFailure', message }), { 'x-amzn-errortype': 'InternalFailure' });
}
