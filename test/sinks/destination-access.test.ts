import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand, UpdateDestinationCommand, type HttpEndpointDestinationConfiguration } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, closeAndRemove, errorOf, listFiles, query, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

let t: FirehoseTestServer | undefined;
let dir: string;
let outside: string | undefined;
const endpoints: http.Server[] = [];

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
  if (outside) fs.rmSync(outside, { recursive: true, force: true });
  outside = undefined;
  for (const e of endpoints.splice(0)) await new Promise((resolve) => e.close(resolve));
});

/** A local HTTP endpoint that counts requests and answers as Firehose expects (or with `redirect`). */
async function localEndpoint(redirect?: string): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits++;
      if (redirect) {
        res.writeHead(307, { location: redirect });
        return res.end();
      }
      const { requestId } = JSON.parse(Buffer.concat(chunks).toString()) as { requestId: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestId, timestamp: Date.now() }));
    });
  });
  endpoints.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

function create(name: string, Url: string, extra: Partial<HttpEndpointDestinationConfiguration> = {}): Promise<unknown> {
  return t!.client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      HttpEndpointDestinationConfiguration: {
        EndpointConfiguration: { Url },
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
        RetryOptions: { DurationInSeconds: 0 },
        S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::backup', ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/' },
        ...extra,
      },
    }),
  );
}

const put = (name: string, records: string[]) => t!.client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.map((r) => ({ Data: bytes(r) })) }));

/** The failed records under the backup bucket's error prefix. */
function failures(): { errorCode: string; errorMessage: string; rawData: string }[] {
  const bucket = path.join(dir, 's3', 'backup');
  return listFiles(bucket).flatMap((key) => fs.readFileSync(path.join(bucket, key), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { errorCode: string; errorMessage: string; rawData: string }));
}

describe('duckdb: Urls write only under the data directory or a folder allowed with --allow-path', () => {
  it('takes a relative path from the data directory, and refuses paths outside it or in its own state', async () => {
    dir = tempDir();
    outside = tempDir();
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 } });
    await create('rel', 'duckdb:tables/clicks.duckdb?table=clicks');
    await put('rel', ['{"page": "/a"}']);
    const file = path.join(dir, 'tables', 'clicks.duckdb');
    await waitFor(async () => fs.existsSync(file));
    for (const [Url, reason] of [
      [`duckdb:${path.join(outside, 'x.duckdb')}?table=t`, /outside the data directory .*--allow-path DIR/],
      ['duckdb:../x.duckdb?table=t', /--allow-path/],
      ['duckdb:streams/rel/x.duckdb?table=t', /keeps its own state/],
      ['duckdb:firehose/rel/stream.json?table=t', /keeps its own state/],
    ] as const) {
      const refused = await errorOf(create('bad', Url));
      expect(refused.name, Url).toBe('InvalidArgumentException');
      expect(refused.message, Url).toMatch(reason);
    }
    const version = (await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'rel' }))).DeliveryStreamDescription!.VersionId!;
    const update = await errorOf(
      t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'rel', CurrentDeliveryStreamVersionId: version, DestinationId: 'destinationId-000000000001', HttpEndpointDestinationUpdate: { EndpointConfiguration: { Url: `duckdb:${path.join(outside, 'y.duckdb')}?table=t` } } })),
    );
    expect(update).toMatchObject({ name: 'InvalidArgumentException' });
    await t.close();
    t = undefined;
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(await query(`ATTACH '${file}' AS a (READ_ONLY); SELECT page FROM a.clicks`)).toEqual([{ page: '/a' }]);
  });

  it('writes inside a folder allowed with allowPaths, and once that is withdrawn, delivers the buffer to the error prefix instead', async () => {
    dir = tempDir();
    outside = tempDir();
    const file = path.join(outside, 'deep', 'x.duckdb');
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 }, allowPaths: [outside] });
    await create('allowed', `duckdb:${file}?table=t`);
    await create('later', `duckdb:${path.join(outside, 'later.duckdb')}?table=t`);
    await put('allowed', ['{"n": 1}']);
    await waitFor(() => fs.existsSync(file));
    await t.close();
    // The same streams after a restart without the folder allowed.
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 } });
    await put('later', ['{"n": 2}']);
    await waitFor(() => failures().length === 1);
    expect(failures()[0]).toMatchObject({ errorCode: 'DuckDB.AppendFailed', errorMessage: expect.stringMatching(/--allow-path/) });
    expect(fs.existsSync(path.join(outside, 'later.duckdb'))).toBe(false);
  });
});

describe('HTTP endpoints on private addresses need allowPrivateEndpoints', () => {
  it('refuses literal loopback, private, link-local and IPv4-mapped addresses when the stream is created', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    const { port, hits } = await localEndpoint();
    const literals = [
      `http://127.0.0.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`,
      'http://10.0.0.7/ingest',
      'https://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://0.0.0.0:9/',
    ];
    for (const Url of literals) {
      const refused = await errorOf(create('private', Url));
      expect(refused.name, Url).toBe('InvalidArgumentException');
      expect(refused.message, Url).toMatch(/--allow-private-endpoints/);
    }
    expect(hits()).toBe(0);
  });

  it('resolves a host name at delivery: localhost is refused, and the buffer goes to the error prefix', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 } });
    const { port, hits } = await localEndpoint();
    await create('by-name', `http://localhost:${port}/ingest`, { RetryOptions: { DurationInSeconds: 60 } });
    await put('by-name', ['secret']);
    await waitFor(() => failures().length === 1);
    const [failure] = failures();
    expect(failure!.errorCode).toBe('HttpEndpoint.ConnectionFailed');
    expect(failure!.errorMessage).toMatch(/localhost \((127\.0\.0\.1|::1)\) is a loopback address.*--allow-private-endpoints/);
    expect(Buffer.from(failure!.rawData, 'base64').toString()).toBe('secret');
    expect(hits()).toBe(0);
  });

  it('delivers to localhost with allowPrivateEndpoints, and follows no redirect', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir, { retry: { baseDelayMs: 10 }, allowPrivateEndpoints: true });
    const target = await localEndpoint();
    const redirecting = await localEndpoint(`http://127.0.0.1:${target.port}/`);
    await create('allowed', `http://localhost:${target.port}/ingest`);
    await put('allowed', ['ok']);
    await waitFor(() => target.hits() === 1);
    await create('redirected', `http://127.0.0.1:${redirecting.port}/`);
    await put('redirected', ['moved']);
    await waitFor(() => failures().length === 1);
    expect(failures()[0]!.errorMessage).toMatch(/answered 307/);
    expect(target.hits()).toBe(1);
  });
});
