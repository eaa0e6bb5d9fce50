/**
 * Which protocol a connection speaks, from its first bytes. HTTP/2 with prior knowledge (what the
 * AWS SDK for JavaScript v3 uses on http:// endpoints) opens with a fixed 24-byte preface; anything
 * else goes to the HTTP/1.1 parser, which answers garbage with a 400 and closes.
 */

import type net from 'node:net';

export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type Protocol = 'http1' | 'http2';

/** 'http2' once the whole preface has arrived, 'http1' at the first byte that differs, else undefined. */
export function sniffProtocol(head: Uint8Array): Protocol | undefined {
  const n = Math.min(head.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (head[i] !== HTTP2_PREFACE[i]) return 'http1';
  return n === HTTP2_PREFACE.length ? 'http2' : undefined;
}

/**
 * Reads a socket in paused mode until its protocol is known, puts the bytes back, and calls
 * `route`. Paused-mode reads (not a 'data' listener) matter: they leave the socket in a state
 * where the http server's parser and the http2 session can each take it over. A socket that
 * closes or stays silent before deciding is destroyed.
 */
export function sniffSocket(socket: net.Socket, timeoutMs: number, route: (protocol: Protocol) => void): void {
  let head: Buffer | undefined;
  const timer = setTimeout(() => finish(undefined), timeoutMs);
  timer.unref();

  function finish(protocol: Protocol | undefined): void {
    clearTimeout(timer);
    socket.removeListener('readable', onReadable);
    socket.removeListener('end', onEnd);
    if (protocol === undefined) {
      socket.destroy();
      return;
    }
    if (head) socket.unshift(head);
    route(protocol);
  }

  function onReadable(): void {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) head = head ? Buffer.concat([head, chunk]) : chunk;
    if (!head) return;
    const protocol = sniffProtocol(head);
    if (protocol) finish(protocol);
  }

  function onEnd(): void {
    finish(undefined);
  }

  socket.on('readable', onReadable);
  socket.once('end', onEnd);
}
