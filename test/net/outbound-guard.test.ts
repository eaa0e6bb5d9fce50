import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFor, checkEndpoint, EndpointRefusedError, guardedSdkHandler, literalRefusal } from '../../src/net/outbound-guard.js';
import { clientFor, startTestServer, type TestServer } from '../server/helpers.js';

describe('the outbound guard', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (url: string, allowPrivate: boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      http.get(u, { agent: agentFor(u, allowPrivate) }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });

  it('refuses literal non-public addresses without a lookup, in every spelling the URL parser accepts', () => {
    for (const url of ['http://127.0.0.1/', 'http://127.1/', 'http://0x7f000001/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://10.0.0.1/', 'http://169.254.169.254/']) {
      expect(literalRefusal(url), url).toBeInstanceOf(EndpointRefusedError);
    }
    for (const url of ['http://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'http://localhost/', 'https://kinesis.us-east-1.amazonaws.com', 'not a url']) expect(literalRefusal(url), url).toBeUndefined();
  });

  it('resolves host names: localhost is refused before and at connection time, and reached when allowed', async () => {
    await expect(checkEndpoint(`http://localhost:${port}/`)).rejects.toThrow(/localhost \(.*\) is a loopback address/);
    await expect(get(`http://localhost:${port}/`, false)).rejects.toThrow(/is a loopback address.*--allow-private-endpoints/);
    expect(hits).toBe(0);
    expect(await get(`http://localhost:${port}/`, true)).toBe('reached');
    expect(hits).toBe(1);
  });

  describe('an AWS SDK client with the guarded handler', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(async () => {
      await t.close();
    });

    it('cannot connect to a host name that resolves to loopback', async () => {
      const guarded = clientFor(t.server.url.replace('127.0.0.1', 'localhost'), { requestHandler: guardedSdkHandler(), maxAttempts: 1 });
      const open = clientFor(t.server.url.replace('127.0.0.1', 'localhost'));
      try {
        await expect(guarded.send(new ListStreamsCommand({}))).rejects.toThrow(/loopback address/);
        expect((await open.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      } finally {
        guarded.destroy();
        open.destroy();
      }
    });
  });
});
