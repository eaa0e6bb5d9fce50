import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../../src/server/body-reader.js';
import { sendBody } from '../../src/server/http-types.js';
import { SluiceServer } from '../../src/server/sluice-server.js';

interface Answer {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: string;
  /** A 100 Continue came before the response. */
  readonly continued: boolean;
}

/** One request on its own HTTP/2 connection, as the AWS SDK's default handler makes them. */
function request(port: number, headers: http2.OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request(headers);
    let status = 0;
    let got: http2.IncomingHttpHeaders = {};
    let data = '';
    let continued = false;
    stream.on('continue', () => (continued = true));
    stream.on('response', (h) => {
      status = Number(h[':status']);
      got = h;
    });
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (data += c));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: got, body: data, continued });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('HTTP/2 handlers on the core stream API', () => {
  const server = new SluiceServer();
  let port = 0;
  const finished: string[] = [];

  beforeAll(async () => {
    server.addRoute('POST', '/echo', async (req, res) => {
      const body = await readBody(req, 1 << 20);
      res.once('finish', () => finished.push('echo'));
      sendBody(res, 200, 'text/plain', `${req.method} ${req.url} ${req.httpVersion} ${body.toString()}`, { 'x-seen': String(req.headers['x-test']) });
    });
    server.addRoute('GET', '/empty', (_req, res) => {
      res.once('finish', () => finished.push('empty'));
      res.statusCode = 204;
      res.end();
    });
    server.addRoute('GET', '/chunks', (_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.writeHead(200);
      res.write('a');
      res.write(Buffer.from('b'));
      res.end('c');
    });
    port = (await server.listen(0, '127.0.0.1')).port;
  });

  afterAll(() => server.close());

  it('gives handlers the method, path, headers and body, and sends headers and body back', async () => {
    const answer = await request(port, { ':method': 'POST', ':path': '/echo?x=1', 'x-test': 'yes' }, 'hello');
    expect(answer).toMatchObject({ status: 200, body: 'POST /echo?x=1 2.0 hello' });
    expect(answer.headers['x-seen']).toBe('yes');
    expect(answer.headers['content-length']).toBe('24');
  });

  it('ends a response without a body, and one written in pieces', async () => {
    expect(await request(port, { ':method': 'GET', ':path': '/empty' })).toMatchObject({ status: 204, body: '' });
    expect(await request(port, { ':method': 'GET', ':path': '/chunks' })).toMatchObject({ status: 200, body: 'abc' });
    expect((await request(port, { ':method': 'GET', ':path': '/chunks' })).headers['content-type']).toBe('text/plain');
  });

  it("emits 'finish' once a response has gone out", async () => {
    await request(port, { ':method': 'POST', ':path': '/echo' }, 'x');
    await request(port, { ':method': 'GET', ':path': '/empty' });
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toEqual(expect.arrayContaining(['echo', 'empty']));
    expect(finished.filter((f) => f === 'echo').length).toBeGreaterThanOrEqual(1);
  });

  it('answers Expect: 100-continue', async () => {
    const answer = await request(port, { ':method': 'POST', ':path': '/echo', expect: '100-continue' }, 'later');
    expect(answer).toMatchObject({ status: 200, body: 'POST /echo 2.0 later', continued: true });
  });
});
