import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBody } from '../../src/server/http-types.js';
import { SluiceServer } from '../../src/server/sluice-server.js';
import { eventually, settle, startTestServer, type TestServer } from './helpers.js';

interface RawAnswer {
  /** What the server wrote before it closed (or before `waitMs`). */
  readonly reply: string;
  /** Milliseconds until the server closed the connection, or undefined if it did not within `waitMs`. */
  readonly closedAfter?: number;
}

/** Writes `head`, then `drip` every `everyMs` until the server answers or closes, or `waitMs` pass. */
function drip(port: number, head: string, drip: string | undefined, everyMs: number, waitMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    let i = 0;
    const timer = setInterval(() => {
      if (drip !== undefined) socket.write(drip);
      else if (i < head.length) socket.write(head[i++]!);
    }, everyMs);
    const finish = (closedAfter?: number): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ reply, closedAfter });
    };
    const giveUp = setTimeout(() => finish(undefined), waitMs);
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(Date.now() - started));
    if (drip !== undefined) socket.write(head);
  });
}

function post(target: string, length: number | 'chunked'): string {
  const framing = length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.1\r\n${framing}\r\n\r\n`;
}

function jsonOf(reply: string): { __type?: string } {
  return JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { __type?: string };
}

describe('HTTP/1.1 bounds', () => {
  let t: TestServer;
  let port: number;

  beforeAll(async () => {
    t = await startTestServer({
      throttle: false,
      server: { headersTimeoutMs: 500, idleTimeoutMs: 500, requestTimeoutMs: 3000, bodyGraceMs: 300, minBodyBytesPerSecond: 64 * 1024 },
    });
    port = t.server.port;
  });

  afterAll(async () => {
    await t.close();
  });

  it('closes a slowloris connection (headers a byte at a time) after the header timeout, with 408', async () => {
    const head = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'a'.repeat(200) + '\r\n\r\n';
    const answer = await drip(port, head, undefined, 20, 4000);
    expect(answer.closedAfter).toBeDefined();
    expect(answer.closedAfter!).toBeLessThan(1500);
    expect(answer.reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a keep-alive connection idle for the idle timeout', async () => {
    const answer = await drip(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', '', 10_000, 4000);
    expect(answer.reply).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.closedAfter).toBeDefined();
    // Node waits 1 s past keepAliveTimeout before it closes.
    expect(answer.closedAfter!).toBeLessThan(2500);
  });

  it('answers a body that stops arriving with 408 RequestTimeoutException and closes', async () => {
    const answer = await drip(port, post('Kinesis_20131202.ListStreams', 1000) + '{"Lim', '', 10_000, 4000);
    expect(answer.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(jsonOf(answer.reply).__type).toBe('RequestTimeoutException');
    expect(answer.closedAfter!).toBeLessThan(1500);
  });

  it('times out a never-ending chunked body that trickles below the minimum rate', async () => {
    const answer = await drip(port, post('Kinesis_20131202.PutRecords', 'chunked'), '400\r\n' + 'x'.repeat(1024) + '\r\n', 50, 4000);
    expect(answer.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(answer.closedAfter!).toBeLessThan(2000);
  });

  it('stops a never-ending chunked body at the operation limit with 413 SerializationException, then closes', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const answer = await new Promise<{ status: number; type: string; closedAfter: number }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let reply = '';
      let answeredAt = 0;
      socket.on('error', () => undefined);
      socket.on('data', (d: Buffer) => {
        reply += d.toString('latin1');
        answeredAt ||= Date.now();
      });
      const pump = (): void => {
        while (!socket.destroyed && socket.write(framed));
      };
      socket.on('drain', pump);
      socket.on('close', () => resolve({ status: Number(reply.slice(9, 12)), type: jsonOf(reply).__type ?? '', closedAfter: Date.now() - answeredAt }));
      socket.write(post('Kinesis_20131202.ListStreams', 'chunked'));
      pump();
    });
    expect(answer).toMatchObject({ status: 413, type: 'SerializationException' });
    // Lingers up to 2 s reading what is already on its way, so the client reads the answer, then closes.
    expect(answer.closedAfter).toBeLessThan(3000);
  });

  it('answers a whole over-limit body with AWS error rather than a reset, from each operation limit', async () => {
    const send = (target: string, size: number): Promise<{ status: number; type?: string }> =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'x-amz-target': target, 'content-length': size } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, type: (JSON.parse(body) as { __type?: string }).__type }));
        });
        req.on('error', reject);
        req.end(Buffer.alloc(size, 'x'));
      });
    expect(await send('Kinesis_20131202.PutRecords', 11 * 1024 * 1024)).toEqual({ status: 413, type: 'SerializationException' });
    expect(await send('Kinesis_20131202.PutRecord', 3 * 1024 * 1024)).toEqual({ status: 413, type: 'SerializationException' });
    expect(await send('Firehose_20150804.PutRecordBatch', 9 * 1024 * 1024)).toEqual({ status: 413, type: 'SerializationException' });
    expect(await send('Kinesis_20131202.ListStreams', 2 * 1024 * 1024)).toEqual({ status: 413, type: 'SerializationException' });
    // Under the limit the body is read and judged as JSON.
    expect(await send('Kinesis_20131202.ListStreams', 1024)).toEqual({ status: 400, type: 'SerializationException' });
  });
});

describe('the connection cap', () => {
  it('closes sockets past maxConnections at once and serves again once they go', async () => {
    const server = new SluiceServer({ maxConnections: 20 });
    server.addRoute('GET', '/health', (_req, res) => sendBody(res, 200, 'text/plain', 'ok'));
    const { port } = await server.listen(0, '127.0.0.1');
    const closed: boolean[] = [];
    const sockets = Array.from({ length: 30 }, (_, i) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => (closed[i] = true));
      // Half a request line, so each connection stays open and waiting.
      socket.write('GET /hea');
      return socket;
    });
    await eventually('10 sockets refused', async () => closed.filter(Boolean).length >= 10, 3000);
    await settle(100);
    expect(closed.filter(Boolean).length).toBe(10);
    expect(server.connections).toBe(20);
    for (const s of sockets) s.destroy();
    await eventually('connections gone', async () => server.connections === 0, 3000);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await server.close();
  });
});
