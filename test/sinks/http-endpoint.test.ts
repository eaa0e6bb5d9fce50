import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type HttpEndpointDestinationConfiguration } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, closeAndRemove, errorOf, listFiles, query, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: { requestId: string; timestamp: number; records: { data: string }[] };
}

let t: FirehoseTestServer | undefined;
let endpoint: http.Server | undefined;
let dir: string;

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  endpoint = undefined;
});

/** A real HTTP endpoint on 127.0.0.1: `answer(n)` decides the status of the n-th request (and whether to echo its id). */
async function startEndpoint(answer: (n: number) => { status: number; echo: boolean }): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString()) as Received['body'];
      received.push({ headers: req.headers, body });
      const { status, echo } = answer(received.length);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestId: echo ? body.requestId : 'someone-else', timestamp: Date.now() }));
    });
  });
  await new Promise<void>((resolve) => endpoint!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/ingest`, received };
}

async function createHttpStream(name: string, config: Partial<HttpEndpointDestinationConfiguration> & Pick<HttpEndpointDestinationConfiguration, 'EndpointConfiguration'>): Promise<void> {
  await t!.client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      HttpEndpointDestinationConfiguration: {
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
        S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::backup', ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/' },
        ...config,
      },
    }),
  );
}

const put = (name: string, records: string[]) => t!.client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.map((r) => ({ Data: bytes(r) })) }));

describe('HTTP endpoint destination', () => {
  it('POSTs each buffer as Firehose does, retries a 500, and succeeds on a 200 that echoes the request id', async () => {
    dir = tempDir();
    const errors: unknown[] = [];
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 20 }, onError: (e) => errors.push(e), allowPrivateEndpoints: true });
    const { url, received } = await startEndpoint((n) => ({ status: n === 1 ? 500 : 200, echo: true }));
    await createHttpStream('to-http', {
      EndpointConfiguration: { Url: url, Name: 'collector', AccessKey: 'k3y' },
      RequestConfiguration: { ContentEncoding: 'GZIP', CommonAttributes: [{ AttributeName: 'env', AttributeValue: 'test' }] },
      RetryOptions: { DurationInSeconds: 30 },
      S3BackupMode: 'AllData',
    });
    await put('to-http', ['{"a":1}', 'plain text']);
    await waitFor(() => received.length === 2 && listFiles(path.join(dir, 's3', 'backup')).length === 1);
    const [first, second] = received as [Received, Received];
    expect(second.headers['x-amz-firehose-request-id']).toBe(second.body.requestId);
    expect(second.body.requestId).not.toBe(first.body.requestId);
    expect(second.headers['x-amz-firehose-access-key']).toBe('k3y');
    expect(second.headers['x-amz-firehose-protocol-version']).toBe('1.0');
    expect(second.headers['x-amz-firehose-source-arn']).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/to-http');
    expect(JSON.parse(String(second.headers['x-amz-firehose-common-attributes']))).toEqual({ commonAttributes: { env: 'test' } });
    expect(second.headers['content-encoding']).toBe('gzip');
    expect(typeof second.body.timestamp).toBe('number');
    expect(second.body.records.map((r) => Buffer.from(r.data, 'base64').toString())).toEqual(['{"a":1}', 'plain text']);
    // AllData: a copy of what was delivered, under the S3 configuration's prefix; nothing failed.
    const [backup] = listFiles(path.join(dir, 's3', 'backup'));
    expect(backup).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\d{2}\/to-http-1-/);
    expect(fs.readFileSync(path.join(dir, 's3', 'backup', backup!), 'utf8')).toBe('{"a":1}plain text');
    expect(errors).toEqual([]);
  });

  it('gives up after RetryOptions.DurationInSeconds and writes the buffer under the error prefix (http-endpoint-failed)', async () => {
    dir = tempDir();
    const errors: unknown[] = [];
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 50 }, onError: (e) => errors.push(e), allowPrivateEndpoints: true });
    // 500s, then 200s that answer for some other request: never a success.
    const { url, received } = await startEndpoint((n) => ({ status: n % 2 === 1 ? 500 : 200, echo: false }));
    await createHttpStream('to-nowhere', { EndpointConfiguration: { Url: url }, RetryOptions: { DurationInSeconds: 1 } });
    const started = Date.now();
    await put('to-nowhere', ['keep me', 'and me']);
    const bucket = path.join(dir, 's3', 'backup');
    await waitFor(() => listFiles(bucket).length === 1, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(received.length).toBeGreaterThan(2);
    const [key] = listFiles(bucket);
    expect(key).toMatch(/^failed\/http-endpoint-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/to-nowhere-1-/);
    const lines = fs.readFileSync(path.join(bucket, key!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rawData: string; errorCode: string; attemptsMade: number });
    expect(lines.map((l) => Buffer.from(l.rawData, 'base64').toString())).toEqual(['keep me', 'and me']);
    expect(lines[0]!.attemptsMade).toBe(received.length);
    expect(lines[0]!.errorCode).toMatch(/^HttpEndpoint\./);
    expect(errors).toEqual([]);
    // The buffer is gone from disk once it is under the error prefix.
    await waitFor(() => listFiles(path.join(dir, 'firehose', 'to-nowhere')).every((f) => !f.startsWith('buffer-')));
  });

  it('does not hold a shutdown for DurationInSeconds: the buffer stays on disk and is delivered after the restart', async () => {
    dir = tempDir();
    const errors: unknown[] = [];
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 20 }, onError: (e) => errors.push(e), allowPrivateEndpoints: true });
    let up = false;
    const { url, received } = await startEndpoint(() => ({ status: up ? 200 : 503, echo: true }));
    await createHttpStream('patient', { EndpointConfiguration: { Url: url }, RetryOptions: { DurationInSeconds: 7200 } });
    await put('patient', ['acknowledged']);
    await waitFor(() => received.length >= 2);
    const closing = Date.now();
    await t.close();
    t = undefined;
    expect(Date.now() - closing).toBeLessThan(3000);
    expect(String(errors[0])).toMatch(/deferred to the next start/);
    expect(listFiles(path.join(dir, 's3', 'backup'))).toEqual([]);
    expect(listFiles(path.join(dir, 'firehose', 'patient')).filter((f) => f.startsWith('buffer-'))).toHaveLength(1);

    up = true;
    const before = received.length;
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 20 }, allowPrivateEndpoints: true });
    await waitFor(() => listFiles(path.join(dir, 'firehose', 'patient')).every((f) => !f.startsWith('buffer-')));
    const last = received[received.length - 1]!;
    expect(received.length).toBeGreaterThan(before);
    expect(last.body.records.map((r) => Buffer.from(r.data, 'base64').toString())).toEqual(['acknowledged']);
  });

  it('answers Slow down (ServiceUnavailableException) once 8 buffers wait for a destination that is down', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 20 }, onError: () => undefined, allowPrivateEndpoints: true });
    const { url } = await startEndpoint(() => ({ status: 503, echo: true }));
    await createHttpStream('backlog', { EndpointConfiguration: { Url: url }, RetryOptions: { DurationInSeconds: 7200 } });
    for (let i = 0; i < 8; i++) await put('backlog', [`r${i}`]);
    const refused = await errorOf(put('backlog', ['one too many']));
    expect(refused).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
    expect(refused.message).toMatch(/^Slow down/);
  });

  it('rejects a Url that is neither http(s) nor duckdb, and a DuckDB Url without a file or a table', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    expect((await errorOf(createHttpStream('bad', { EndpointConfiguration: { Url: 'ftp://example.com' } }))).name).toBe('ValidationException');
    expect((await errorOf(createHttpStream('bad', { EndpointConfiguration: { Url: 'duckdb:?table=t' } }))).name).toBe('InvalidArgumentException');
    expect((await errorOf(createHttpStream('bad', { EndpointConfiguration: { Url: 'duckdb:/tmp/%E0%A4%A.duckdb?table=t' } }))).name).toBe('InvalidArgumentException');
    expect((await errorOf(createHttpStream('bad', { EndpointConfiguration: { Url: 'duckdb:/tmp/x.duckdb' } }))).name).toBe('InvalidArgumentException');
    expect((await errorOf(createHttpStream('bad', { EndpointConfiguration: { Url: 'https://x' }, RetryOptions: { DurationInSeconds: 7201 } }))).name).toBe('ValidationException');
    expect((await errorOf(t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'bad', HttpEndpointDestinationConfiguration: { EndpointConfiguration: { Url: 'https://x' } } as HttpEndpointDestinationConfiguration })))).name).toBe('ValidationException');
  });
});

describe('DuckDB table destination (duckdb: Url)', () => {
  it('appends each buffer to the table in one transaction, adding columns new keys bring, and sends records that are not JSON objects to the error prefix', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 } });
    const file = path.join(dir, 'analytics.duckdb');
    // The SDK sends the duckdb: Url as it is (it checks no pattern client-side).
    await createHttpStream('to-duckdb', { EndpointConfiguration: { Url: `duckdb:${file}?table=clicks` } });
    await put('to-duckdb', ['{"page": "/home", "ms": 120}', '{"page": "/cart", "ms": 80}']);
    await put('to-duckdb', ['{"page": "/pay", "ms": 3, "country": "NO"}', 'not json']);
    await waitFor(() => listFiles(path.join(dir, 's3', 'backup')).length === 1);
    // A value that cannot become the column's type fails its whole batch: none of it lands.
    await put('to-duckdb', ['{"page": "/x", "ms": 1}', '{"page": "/y", "ms": "fast"}']);
    await waitFor(() => listFiles(path.join(dir, 's3', 'backup')).length === 2);
    // POST /sql reads the table while the delivery stream holds the file.
    const pulled = await fetch(`${t.server.url}/sql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM clicks', database: file }) });
    expect(((await pulled.json()) as { rows: { n: unknown }[] }).rows).toEqual([{ n: '3' }]);
    await t.close();
    t = undefined;
    const rows = await query(`ATTACH '${file}' AS a (READ_ONLY); SELECT page, ms, country FROM a.clicks ORDER BY page`);
    expect(rows).toEqual([
      { page: '/cart', ms: 80n, country: null },
      { page: '/home', ms: 120n, country: null },
      { page: '/pay', ms: 3n, country: 'NO' },
    ]);
    const failed = listFiles(path.join(dir, 's3', 'backup')).flatMap((key) => {
      expect(key).toMatch(/^failed\/http-endpoint-failed\//);
      return fs.readFileSync(path.join(dir, 's3', 'backup', key), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rawData: string; errorCode: string });
    });
    expect(failed.map((f) => [f.errorCode, Buffer.from(f.rawData, 'base64').toString()]).sort()).toEqual([
      ['DuckDB.AppendFailed', '{"page": "/x", "ms": 1}'],
      ['DuckDB.AppendFailed', '{"page": "/y", "ms": "fast"}'],
      ['DuckDB.MalformedData', 'not json'],
    ]);
  });

  it('does not append a buffer twice when a crash came between the append and the removal of the buffer', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    const file = path.join(dir, 'analytics.duckdb');
    await createHttpStream('to-duckdb', { EndpointConfiguration: { Url: `duckdb:${file}?table=clicks` }, BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 1 } });
    await put('to-duckdb', ['{"page": "/home"}', '{"page": "/cart"}', '{"page": "/pay"}']);
    const buffers = path.join(dir, 'firehose', 'to-duckdb');
    const kept = listFiles(buffers).filter((f) => f.startsWith('buffer-')).map((f) => [f, fs.readFileSync(path.join(buffers, f))] as const);
    expect(kept).toHaveLength(1);
    // Shutting down appends the buffer and then removes it; the crash image puts it back.
    await t.close();
    for (const [f, body] of kept) fs.writeFileSync(path.join(buffers, f), body);
    t = await startFirehoseServer(dir);
    await t.close();
    t = undefined;
    expect(listFiles(buffers).filter((f) => f.startsWith('buffer-'))).toEqual([]);
    const rows = await query(`ATTACH '${file}' AS a (READ_ONLY); SELECT page FROM a.clicks ORDER BY page`);
    expect(rows.map((r) => r['page'])).toEqual(['/cart', '/home', '/pay']);
  });
});
