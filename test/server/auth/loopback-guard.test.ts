import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, loopbackOnly } from '../../../src/server/auth/loopback-guard.js';
import { sendBody } from '../../../src/server/http-types.js';
import { SluiceServer } from '../../../src/server/sluice-server.js';

describe('loopbackOnly', () => {
  it('knows loopback addresses in both families', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) expect(isLoopback(a)).toBe(false);
  });

  it('refuses other machines everything but the open paths', () => {
    const guard = loopbackOnly(['/health', '/sql']);
    expect(guard('/api/streams', '127.0.0.1')).toBeUndefined();
    expect(guard('/health', '10.1.2.3')).toBeUndefined();
    expect(guard('/sql', '10.1.2.3')).toBeUndefined();
    expect(guard('/feeds/clicks', '10.1.2.3')).toMatchObject({ status: 403 });
    expect(guard('/', '192.168.0.9')?.message).toMatch(/clients on this machine only while --auth is on/);
  });
});

describe('SluiceServer guards', () => {
  const server = new SluiceServer();
  let port = 0;

  beforeAll(async () => {
    server.addRoute('GET', '/open', (_req, res) => sendBody(res, 200, 'text/plain', 'open'));
    server.addRoute('GET', '/closed', (_req, res) => sendBody(res, 200, 'text/plain', 'should not be served'));
    server.addUpgrade('/ws', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: test\r\n\r\n'));
    server.addGuard((path, peer) => (path === '/open' || !peer ? undefined : { status: 403, message: `no ${path} for ${peer}` }));
    port = (await server.listen(0, '127.0.0.1')).port;
  });

  afterAll(async () => {
    await server.close();
  });

  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
        .on('error', reject);
    });

  it('answers a refused route with the guard’s status and message, on HTTP/1.1 and HTTP/2', async () => {
    expect(await get('/open')).toEqual({ status: 200, body: 'open' });
    expect(await get('/closed')).toEqual({ status: 403, body: 'no /closed for 127.0.0.1\n' });
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/closed' });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
        stream.resume();
      });
      expect(status).toBe(403);
    } finally {
      session.close();
    }
  });

  it('refuses an upgrade before its handler', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (text += c));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(reply).toContain('no /ws for 127.0.0.1');
  });
});
