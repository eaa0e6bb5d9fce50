import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {
  CreateStreamCommand,
  DescribeLimitsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, settle, startTestServer, type TestServer } from './helpers.js';

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request with a raw body, outside the SDK (so nothing is validated client-side). */
function post(port: number, target: string, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorOf(res: RawResponse): { type: string; message: string } {
  const parsed = JSON.parse(res.body) as { __type: string; message: string };
  expect(res.headers['x-amzn-errortype']).toBe(parsed.__type);
  expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
  return { type: parsed.__type, message: parsed.message };
}

/** Writes bytes on a raw socket and waits for the server to close it (or a short while). */
function rawSocket(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => socket.destroy(), 500);
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.write(bytes);
  });
}

describe('errors, as AWS names them', () => {
  let t: TestServer;
  let port: number;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, clock: clock.read, shardLimit: 10, createDelayMs: 300 });
    port = t.server.port;
    await t.client.send(new CreateStreamCommand({ StreamName: 'err', ShardCount: 2 }));
    await settle(350);
  });

  afterAll(async () => {
    await t.close();
  });

  it('UnknownOperationException for an unknown operation or service', async () => {
    expect(errorOf(await post(port, 'Kinesis_20131202.Nope', '{}')).type).toBe('UnknownOperationException');
    expect(errorOf(await post(port, 'Kinesis_20131202.Nope', 'not json')).type).toBe('UnknownOperationException');
    expect(errorOf(await post(port, 'DynamoDB_20120810.ListTables', '{}')).type).toBe('UnknownOperationException');
  });

  it('SerializationException for bodies that are not the JSON the operation takes', async () => {
    expect(errorOf(await post(port, 'Kinesis_20131202.ListStreams', '{"Limit":')).type).toBe('SerializationException');
    expect(errorOf(await post(port, 'Kinesis_20131202.ListStreams', '')).type).toBe('SerializationException');
    expect(errorOf(await post(port, 'Kinesis_20131202.ListStreams', '[1,2]')).type).toBe('SerializationException');
    expect(errorOf(await post(port, 'Kinesis_20131202.DescribeStream', '{"StreamName": 5}'))).toEqual({
      type: 'SerializationException',
      message: 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    });
    expect(errorOf(await post(port, 'Kinesis_20131202.CreateStream', '{"StreamName": "x", "ShardCount": "2"}')).type).toBe('SerializationException');
    const badBase64 = JSON.stringify({ StreamName: 'err', Records: [{ PartitionKey: 'a', Data: 'not base64!' }] });
    expect(errorOf(await post(port, 'Kinesis_20131202.PutRecords', badBase64)).type).toBe('SerializationException');
    const wrongRecords = JSON.stringify({ StreamName: 'err', Records: { PartitionKey: 'a' } });
    expect(errorOf(await post(port, 'Kinesis_20131202.PutRecords', wrongRecords)).type).toBe('SerializationException');
  });

  it('ValidationException for constraint violations, all listed', async () => {
    const two = errorOf(await post(port, 'Kinesis_20131202.CreateStream', JSON.stringify({ StreamName: 'bad name!', ShardCount: 0 })));
    expect(two.type).toBe('ValidationException');
    expect(two.message).toBe(
      "2 validation errors detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        "[a-zA-Z0-9_.-]+; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await expect(t.client.send(new CreateStreamCommand({ StreamName: 'x'.repeat(129), ShardCount: 1 }))).rejects.toMatchObject({ name: 'ValidationException' });
    const tooMany = Array.from({ length: 501 }, () => ({ PartitionKey: 'a', Data: Buffer.from('x') }));
    await expect(t.client.send(new PutRecordsCommand({ StreamName: 'err', Records: tooMany }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.client.send(new PutRecordsCommand({ StreamName: 'err', Records: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const longKey = await t.client.send(new PutRecordsCommand({ StreamName: 'err', Records: [{ PartitionKey: 'k'.repeat(257), Data: Buffer.from('x') }] })).catch((e: Error) => e);
    expect(longKey).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'records.1.member.partitionKey'") });
    const big = await t.client.send(new PutRecordCommand({ StreamName: 'err', PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024 + 1) })).catch((e: Error) => e);
    expect(big).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint"),
    });
    await expect(
      t.client.send(new PutRecordCommand({ StreamName: 'err', PartitionKey: 'a', ExplicitHashKey: '-1', Data: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      t.client.send(new GetShardIteratorCommand({ StreamName: 'err', ShardId: 'shardId-000000000000', ShardIteratorType: 'SIDEWAYS' as 'LATEST' })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('enum value set') });
  });

  it('InvalidArgumentException for requests that are well-formed but make no sense', async () => {
    const fiveMb = Array.from({ length: 6 }, () => ({ PartitionKey: 'a', Data: Buffer.alloc(1000 * 1000) }));
    await expect(t.client.send(new PutRecordsCommand({ StreamName: 'err', Records: fiveMb }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Records size exceeds 5 MB limit',
    });
    await expect(
      t.client.send(new PutRecordCommand({ StreamName: 'err', PartitionKey: 'a', ExplicitHashKey: (1n << 128n).toString(), Data: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining('Invalid ExplicitHashKey') });
    await expect(
      t.client.send(new GetShardIteratorCommand({ StreamName: 'err', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER' })),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    const other = await t.client.send(new PutRecordCommand({ StreamName: 'err', PartitionKey: 'a', ExplicitHashKey: ((1n << 128n) - 1n).toString(), Data: Buffer.from('x') }));
    await expect(
      t.client.send(
        new GetShardIteratorCommand({ StreamName: 'err', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: other.SequenceNumber }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining('It encodes shardId-000000000001') });
    await expect(t.client.send(new ListShardsCommand({}))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });

  it('ResourceNotFound, ResourceInUse and LimitExceeded', async () => {
    await expect(t.client.send(new PutRecordCommand({ StreamName: 'ghost', PartitionKey: 'a', Data: Buffer.from('x') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      t.client.send(new GetShardIteratorCommand({ StreamName: 'err', ShardId: 'shardId-000000000042', ShardIteratorType: 'LATEST' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(t.client.send(new CreateStreamCommand({ StreamName: 'err', ShardCount: 1 }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await t.client.send(new CreateStreamCommand({ StreamName: 'young', ShardCount: 1 }));
    // A stream still CREATING takes no records, as on AWS.
    await expect(t.client.send(new PutRecordCommand({ StreamName: 'young', PartitionKey: 'a', Data: Buffer.from('x') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(t.client.send(new CreateStreamCommand({ StreamName: 'huge', ShardCount: 8 }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: expect.stringContaining('shard limit'),
    });
  });

  it('ExpiredNextTokenException for a pagination token older than 300 s', async () => {
    const first = await t.client.send(new ListShardsCommand({ StreamName: 'err', MaxResults: 1 }));
    clock.advance(301_000);
    await expect(t.client.send(new ListShardsCommand({ NextToken: first.NextToken }))).rejects.toMatchObject({ name: 'ExpiredNextTokenException' });
  });

  it('refuses bodies over 10 MiB before reading them, on HTTP/1.1 and HTTP/2', async () => {
    const h1 = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'x-amz-target': 'Kinesis_20131202.PutRecords', 'content-length': 11 * 1024 * 1024 } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write('{"Records":[');
    });
    expect(h1).toBe(413);

    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const h2 = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/', 'x-amz-target': 'Kinesis_20131202.PutRecords' });
      stream.on('response', (headers) => resolve(Number(headers[':status'])));
      stream.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 32);
      for (let i = 0; i < 11; i++) stream.write(chunk);
    });
    session.destroy();
    expect(h2).toBe(413);
  });

  it('survives garbage and HTTP/2 protocol errors on the socket, then serves the SDK', async () => {
    const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
    expect(await rawSocket(port, Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]))).toContain('400 Bad Request');
    expect(await rawSocket(port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n')).toContain('400');
    await rawSocket(port, `${preface}\x00\x00\x04\x09\x00\x00\x00\x00\x01garbage frames that are not frames`);
    // A HEADERS frame whose header block is not valid HPACK.
    await rawSocket(port, Buffer.concat([Buffer.from(preface), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 4, 1, 5, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])]));
    await rawSocket(port, 'PRI * HTTP/2.0\r\n');
    await rawSocket(port, '');
    const sockets = Array.from({ length: 20 }, (_, i) => rawSocket(port, Buffer.alloc(i * 50, i)));
    await Promise.all(sockets);
    expect((await t.client.send(new DescribeLimitsCommand({}))).OpenShardCount).toBeGreaterThan(0);
  });

  it('answers GET /health on both protocols and 404 elsewhere', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const status = await new Promise<number>((resolve) => {
      const stream = session.request({ ':path': '/health' });
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.resume();
    });
    session.close();
    expect(status).toBe(200);
  });
});
