/**
 * The HTTP/2 sessions of a server, each bounded in time: a session must open a stream soon after
 * it starts, is closed once it has had no open stream for the idle timeout, and each stream's
 * request must have arrived whole within the request timeout. A session that nghttp2 has given
 * up on (it sent GOAWAY for a protocol error) is destroyed, socket and all.
 */

import http2 from 'node:http2';
import type { ServerLimits } from './server-limits.js';
import { sendBody } from './http-types.js';
import type { Http2Response } from './http2-exchange.js';

/** How often sessions are checked for a GOAWAY that node never acted on. */
const SWEEP_MS = 1000;
/** A session closing gracefully, with no stream left, whose peer does not close its side is cut after this. */
const CLOSE_DEADLINE_MS = 5000;

interface SessionState {
  open: number;
  idle: NodeJS.Timeout | undefined;
}

export class Http2Sessions {
  private readonly sessions = new Map<http2.ServerHttp2Session, SessionState>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly limits: ServerLimits) {}

  get size(): number {
    return this.sessions.size;
  }

  add(session: http2.ServerHttp2Session): void {
    const state: SessionState = { open: 0, idle: undefined };
    this.sessions.set(session, state);
    this.idleAfter(session, state, this.limits.headersTimeoutMs);
    session.once('close', () => {
      clearTimeout(state.idle);
      this.sessions.delete(session);
      if (this.sessions.size === 0) this.stopSweeping();
    });
    session.on('error', () => session.destroy());
    // Node closes on the peer's GOAWAY, lets open streams finish, then waits for the peer's FIN: bounded once none is open.
    session.once('goaway', () => {
      if (state.open === 0) deadline(session);
    });
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Counts the stream against its session and bounds how long its request may take to arrive. */
  track(session: http2.ServerHttp2Session, stream: http2.ServerHttp2Stream, res: Http2Response): void {
    const state = this.sessions.get(session);
    if (!state) return;
    state.open++;
    clearTimeout(state.idle);
    let timer: NodeJS.Timeout | undefined;
    if (!stream.endAfterHeaders) {
      timer = setTimeout(() => requestTimedOut(stream, res), this.limits.requestTimeoutMs);
      timer.unref();
      stream.once('end', () => clearTimeout(timer));
    }
    stream.once('close', () => {
      clearTimeout(timer);
      if (--state.open > 0 || session.destroyed) return;
      if (session.closed) deadline(session);
      else this.idleAfter(session, state, this.limits.idleTimeoutMs);
    });
  }

  /** Asks every session to finish its streams and go (GOAWAY); the server cuts what is left after its grace period. */
  closeAll(): void {
    for (const session of this.sessions.keys()) session.close();
  }

  private idleAfter(session: http2.ServerHttp2Session, state: SessionState, ms: number): void {
    clearTimeout(state.idle);
    state.idle = setTimeout(() => {
      if (state.open > 0 || session.closed) return;
      session.close();
      deadline(session);
    }, ms);
    state.idle.unref();
  }

  private sweep(): void {
    for (const session of this.sessions.keys()) if (nghttp2Finished(session)) session.destroy();
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function deadline(session: http2.ServerHttp2Session): void {
  setTimeout(() => session.destroy(), CLOSE_DEADLINE_MS).unref();
}

/** A request that has not arrived whole in time: 408 if nothing was answered yet, then the stream is cancelled. */
function requestTimedOut(stream: http2.ServerHttp2Stream, res: Http2Response): void {
  if (stream.destroyed || stream.closed) return;
  const cancel = (): void => {
    if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
  };
  if (res.headersSent) return cancel();
  const body = JSON.stringify({ __type: 'RequestTimeoutException', message: 'The request did not arrive in time.' });
  res.once('finish', cancel);
  sendBody(res, 408, 'application/x-amz-json-1.1', body, { 'x-amzn-errortype': 'RequestTimeoutException' });
}

/**
 * True once nghttp2 wants neither to read nor to write: after it sent GOAWAY for a protocol error
 * (nghttp2's docs: "the application should drop the connection"). Node 20 stops reading then and
 * never closes the socket, which stays in CLOSE-WAIT once the peer leaves; the only view of it is
 * the native session's hasPendingData() (nghttp2_session_want_read || want_write), which node
 * keeps behind its kHandle symbol. Where that is missing, the idle timeout still closes the session.
 */
function nghttp2Finished(session: http2.ServerHttp2Session): boolean {
  if (session.destroyed) return false;
  const symbol = Object.getOwnPropertySymbols(session).find((s) => s.description === 'kHandle');
  const handle = symbol === undefined ? undefined : (session as unknown as Record<symbol, { hasPendingData?: () => boolean } | undefined>)[symbol];
  return typeof handle?.hasPendingData === 'function' && !handle.hasPendingData();
}
