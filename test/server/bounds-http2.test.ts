import { execFileSync } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBody } from '../../src/server/http-types.js';
import { eventually, settle, startTestServer, type TestServer } from './helpers.js';
import { FRAME, frame, PREFACE, RawHttp2, REFUSED_STREAM, requestHeaders } from './raw-http2.js';

/** Server sockets on `port` in CLOSE-WAIT (the peer closed, the server never did); 0 where `ss` is missing. */
function closeWait(port: number): number {
  try {
    return execFileSync('ss', ['-Htan', 'state', 'close-wait', `( sport = :${port} )`], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Frames that make nghttp2 answer GOAWAY with a protocol error. */
const PROTOCOL_ERRORS = [
  frame(FRAME.SETTINGS, 0, 0, Buffer.from([1, 2, 3, 4, 5])), // SETTINGS of 5 bytes: FRAME_SIZE_ERROR
  Buffer.concat([frame(FRAME.SETTINGS, 0, 0), frame(FRAME.HEADERS, 5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff]))]), // bad HPACK: COMPRESSION_ERROR
  frame(FRAME.HEADERS, 5, 2, Buffer.from([0x82])), // a client stream with an even id: PROTOCOL_ERROR
];

/** Sends the preface and `garbage`, waits for the server's GOAWAY, then closes its side (FIN). */
function goawayConnection(port: number, garbage: Buffer): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = (): void => {
      socket.end();
      resolve(socket);
    };
    const timer = setTimeout(done, 2000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (hasGoaway(got)) {
        clearTimeout(timer);
        done();
      }
    });
    socket.write(Buffer.concat([PREFACE, garbage]));
  });
}

function hasGoaway(bytes: Buffer): boolean {
  for (let p = 0; p + 9 <= bytes.length; p += 9 + bytes.readUIntBE(p, 3)) if (bytes[p + 3] === FRAME.GOAWAY) return true;
  return false;
}

describe('HTTP/2 bounds', () => {
  let t: TestServer;
  let port: number;
  let slowOpen = 0;
  let slowMax = 0;

  beforeAll(async () => {
    t = await startTestServer({
      throttle: false,
      server: { headersTimeoutMs: 500, idleTimeoutMs: 500, requestTimeoutMs: 1500, bodyGraceMs: 300, minBodyBytesPerSecond: 64 * 1024, maxConcurrentStreams: 16 },
    });
    port = t.server.port;
    // A handler that reads its body by itself, with no bounds of its own.
    t.server.server.addRoute('POST', '/drain', (req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => sendBody(res, 200, 'text/plain', 'drained'));
    });
    t.server.server.addRoute('GET', '/slow', async (_req, res) => {
      slowMax = Math.max(slowMax, ++slowOpen);
      await settle(30);
      slowOpen--;
      sendBody(res, 200, 'text/plain', 'ok');
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('closes the socket of each of 1,000 sessions that ended in a protocol-error GOAWAY, and still answers /health', async () => {
    const clients: net.Socket[] = [];
    for (let batch = 0; batch < 20; batch++) {
      clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => goawayConnection(port, PROTOCOL_ERRORS[i % PROTOCOL_ERRORS.length]!)))));
    }
    await eventually('every GOAWAY socket closed by the server', async () => t.server.server.connections === 0 && closeWait(port) === 0, 5000);
    for (const c of clients) c.destroy();
    expect((await fetch(`${t.server.url}/health`)).status).toBe(200);
  });

  it('refuses streams past SETTINGS_MAX_CONCURRENT_STREAMS with REFUSED_STREAM', async () => {
    const raw = new RawHttp2(port);
    // Streams that stay open: the request never ends (no END_STREAM), so each holds its slot.
    for (let i = 0; i < 40; i++) raw.request(1 + 2 * i, requestHeaders('GET', '/health'));
    await eventually('24 streams refused', async () => raw.count(FRAME.RST_STREAM, REFUSED_STREAM) >= 24, 3000);
    await settle(100);
    expect(raw.count(FRAME.RST_STREAM, REFUSED_STREAM)).toBe(24);
    raw.destroy();
  });

  it('a client that honours the limit gets every request answered, never more than 16 at once', async () => {
    slowMax = 0;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    // Node's client assumes 100 streams until the server's SETTINGS arrive (the server's default of 256 is above it).
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    const statuses = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<number>((resolve, reject) => {
            const stream = session.request({ ':path': '/slow' });
            stream.on('response', (h) => resolve(Number(h[':status'])));
            stream.on('error', reject);
            stream.resume();
          }),
      ),
    );
    session.close();
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(slowMax).toBeGreaterThan(1);
    expect(slowMax).toBeLessThanOrEqual(16);
  });

  it('closes a session that opens no stream, and one idle after its streams', async () => {
    const silent = new RawHttp2(port);
    const started = Date.now();
    await eventually('silent session closed', async () => silent.closed, 3000);
    expect(Date.now() - started).toBeLessThan(2000);

    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => session.on('close', () => resolve(Date.now())));
    await new Promise<void>((resolve) => session.request({ ':path': '/health' }).on('end', resolve).resume());
    const idleFrom = Date.now();
    expect((await closed) - idleFrom).toBeLessThan(2000);
  });

  it('caps the header list: a 20 KiB header is reset, not buffered', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    // The cap applies to streams opened after the client has acknowledged the server's SETTINGS.
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    await settle(50);
    const rstCode = await new Promise<number>((resolve) => {
      const stream = session.request({ ':path': '/health', 'x-big': 'a'.repeat(20 * 1024) });
      stream.on('error', () => undefined);
      stream.on('close', () => resolve(stream.rstCode ?? -1));
      stream.resume();
    });
    session.destroy();
    expect(rstCode).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
  });

  it('answers a stalled body with 408 RequestTimeoutException, also where the handler reads it unbounded', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    let started = Date.now();
    const stalled = await new Promise<{ status: number; body: string }>((resolve) => {
      const stream = session.request({ ':method': 'POST', ':path': '/', 'x-amz-target': 'Kinesis_20131202.ListStreams', 'content-length': '1000' });
      let status = 0;
      let body = '';
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('error', () => undefined);
      stream.on('close', () => resolve({ status, body }));
      stream.write('{"Limit":');
    });
    expect(stalled.status).toBe(408);
    expect(JSON.parse(stalled.body).__type).toBe('RequestTimeoutException');
    expect(Date.now() - started).toBeLessThan(1400);
    started = Date.now();

    const drained = await new Promise<{ status: number; ms: number }>((resolve) => {
      const stream = session.request({ ':method': 'POST', ':path': '/drain' });
      let status = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('error', () => undefined);
      stream.on('close', () => resolve({ status, ms: Date.now() - started }));
      stream.resume();
      stream.write('a body that never ends');
    });
    session.destroy();
    // The request timeout (1.5 s here) is the bound for a body no bounded reader watches.
    expect(drained.status).toBe(408);
    expect(drained.ms).toBeLessThan(4000);
  });

  it('survives 300 connections of random frames and closes every one of their sockets', async () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const clients: net.Socket[] = [];
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, () => {
          const frames = Array.from({ length: 1 + random(6) }, () => {
            const payload = Buffer.from(Array.from({ length: random(40) }, () => random(256)));
            return frame(random(10), random(256), random(2) === 0 ? 0 : 1 + 2 * random(4), payload);
          });
          const socket = net.connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          socket.on('data', () => undefined);
          clients.push(socket);
          socket.write(Buffer.concat([PREFACE, ...frames]));
          return settle(20);
        }),
      );
    }
    // Whatever each connection sent, the server closes it: at once, by GOAWAY, or by the 500 ms header timeout.
    await eventually('every random-frame socket closed by the server', async () => t.server.server.connections === 0, 5000);
    for (const c of clients) c.destroy();
    expect((await fetch(`${t.server.url}/health`)).status).toBe(200);
  });
});
