import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { FirehoseClient, ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTlsFiles, selfSignedCertificate, type SelfSigned } from '../../src/server/tls-certificates.js';
import { exampleAuthenticator, keysOf, signedHeaders } from './auth/helpers.js';
import { startTestServer, tempDir, untilActive, type TestServer } from './helpers.js';

const run = promisify(execFile);
/** Debian's AWS CLI (apt-get install awscli; CI installs it), never a pyenv shim that may shadow it on PATH. */
const AWS = '/usr/bin/aws';

describe('the self-signed development certificate', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is made once for localhost, 127.0.0.1 and ::1, kept across starts, and made anew near its end', async () => {
    const made = await selfSignedCertificate(dir);
    expect(made.created).toBe(true);
    expect(made.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fs.statSync(made.keyPath).mode & 0o777).toBe(0o600);
    const x509 = new (await import('node:crypto')).X509Certificate(made.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    const kept = await selfSignedCertificate(dir);
    expect(kept).toMatchObject({ created: false, fingerprint: made.fingerprint });
    const renewed = await selfSignedCertificate(dir, made.notAfter.getTime() - 24 * 3600_000);
    expect(renewed.created).toBe(true);
    expect(renewed.fingerprint).not.toBe(made.fingerprint);
  });

  it('refuses a certificate and key that do not belong together', async () => {
    const other = await selfSignedCertificate(path.join(dir, 'other'));
    const mine = await selfSignedCertificate(dir);
    expect(() => readTlsFiles(mine.certPath, other.keyPath)).toThrow(/is not the key of/);
    expect(() => readTlsFiles(mine.keyPath, mine.keyPath)).toThrow(/is not a PEM certificate/);
    expect(readTlsFiles(mine.certPath, mine.keyPath).fingerprint).toBe(mine.fingerprint);
  });
});

describe('TLS on the one port (with --auth)', () => {
  let t: TestServer;
  let cert: SelfSigned;
  const certDir = tempDir();
  let client: KinesisClient;

  beforeAll(async () => {
    cert = await selfSignedCertificate(certDir);
    t = await startTestServer({ throttle: false, auth: exampleAuthenticator(), tls: { cert: cert.cert, key: cert.key } });
    // The SDK's HTTP/2 handler, trusting the self-signed certificate.
    client = t.clientWith({ credentials: keysOf('admin'), requestHandler: new NodeHttp2Handler({ nodeHttp2ConnectOptions: { ca: cert.cert } }) });
    await client.send(new CreateStreamCommand({ StreamName: 'secure', ShardCount: 1 }));
    await untilActive(client, 'secure');
  });

  afterAll(async () => {
    await t.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('serves the Kinesis SDK over https (HTTP/2), and the SDK refuses the certificate unless it trusts it', async () => {
    expect(t.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const put = await client.send(new PutRecordCommand({ StreamName: 'secure', PartitionKey: 'k', Data: Buffer.from('over tls') }));
    expect(put.SequenceNumber).toBeTruthy();
    const untrusting = t.clientWith({ credentials: keysOf('admin'), maxAttempts: 1 });
    const refused = await untrusting.send(new ListStreamsCommand({})).then(
      () => undefined,
      (err: Error & { cause?: unknown }) => err,
    );
    expect((refused?.cause as { code?: string } | undefined)?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('negotiates h2 by ALPN', async () => {
    const session = http2.connect(t.server.url, { ca: cert.cert });
    try {
      await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
      expect((session.socket as unknown as { alpnProtocol: string }).alpnProtocol).toBe('h2');
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/health' });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
        stream.resume();
      });
      expect(status).toBe(200);
    } finally {
      session.close();
    }
  });

  it('serves HTTP/1.1 over TLS to a client that offers only http/1.1 by ALPN, and to one that offers no ALPN (the Firehose SDK)', async () => {
    const body = '{}';
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams', 'content-length': '2' };
    const signed = await signedHeaders({ method: 'POST', authority: `127.0.0.1:${t.server.port}`, path: '/', headers, body }, { credentials: keysOf('reader'), service: 'kinesis' });
    const res = await new Promise<{ status: number; version: string; alpn: unknown; json: { StreamNames?: string[] } }>((resolve, reject) => {
      const options: https.RequestOptions & { ALPNProtocols: string[] } = { host: '127.0.0.1', port: t.server.port, method: 'POST', path: '/', ca: cert.cert, agent: false, ALPNProtocols: ['http/1.1'], headers: signed };
      const req = https.request(options, (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => resolve({ status: r.statusCode!, version: r.httpVersion, alpn: (r.socket as unknown as { alpnProtocol: unknown }).alpnProtocol, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(res).toMatchObject({ status: 200, version: '1.1', alpn: 'http/1.1', json: { StreamNames: ['secure'] } });
    const firehose = new FirehoseClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: keysOf('reader'),
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: cert.cert }) }),
    });
    try {
      expect((await firehose.send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames).toEqual([]);
    } finally {
      firehose.destroy();
    }
  });

  it('speaks no plaintext on a TLS port', async () => {
    const plain = new Promise<number>((resolve, reject) => http.get(`http://127.0.0.1:${t.server.port}/health`, (r) => resolve(r.resume().statusCode!)).on('error', reject));
    await expect(plain).rejects.toThrow();
  });

  it.skipIf(!fs.existsSync(AWS))('serves the AWS CLI over https, with --no-verify-ssl or with the certificate as --ca-bundle', async () => {
    const { accessKeyId, secretAccessKey } = keysOf('reader');
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      PYTHONWARNINGS: 'ignore',
    };
    const aws = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await run(AWS, ['--endpoint-url', t.server.url, '--no-cli-pager', '--output', 'json', ...args, 'kinesis', 'list-streams'], { env, timeout: 30_000 });
      return JSON.parse(stdout);
    };
    expect(await aws('--no-verify-ssl')).toMatchObject({ StreamNames: ['secure'] });
    expect(await aws('--ca-bundle', cert.certPath)).toMatchObject({ StreamNames: ['secure'] });
    await expect(run(AWS, ['--endpoint-url', t.server.url, 'kinesis', 'list-streams'], { env, timeout: 30_000 })).rejects.toThrow(/SSL|certificate/i);
    await expect(run(AWS, ['--endpoint-url', t.server.url, '--no-verify-ssl', 'kinesis', 'delete-stream', '--stream-name', 'secure'], { env, timeout: 30_000 })).rejects.toThrow(/AccessDeniedException/);
  });
});
