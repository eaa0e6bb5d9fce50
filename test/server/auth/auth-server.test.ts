import http from 'node:http';
import http2 from 'node:http2';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { DeleteDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand, PutRecordBatchCommand, PutRecordCommand as FirehosePutRecordCommand } from '@aws-sdk/client-firehose';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, errorOf } from '../../sinks/helpers.js';
import { eventually, startTestServer, untilActive, type TestServer } from '../helpers.js';
import { exampleAuthenticator, keysOf, signedHeaders } from './helpers.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream';
const WRONG_SECRET = { accessKeyId: keysOf('admin').accessKeyId, secretAccessKey: 'not-the-secret-of-admin-at-all' };
const UNKNOWN_KEY = { accessKeyId: 'AKIANOBODYKNOWSTHIS1', secretAccessKey: 'a-secret-nobody-knows-1' };

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly json: { __type?: string; message?: string; error?: string; [key: string]: unknown };
}

function collect(res: http.IncomingMessage, resolve: (r: RawResponse) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (text += c));
  res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : {} }));
}

/** One HTTP/1.1 POST outside the SDK: unsigned unless the caller signs it. */
function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) =>
      collect(res, resolve),
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function signedPost(port: number, path: string, body: string, headers: Record<string, string>, credentials: AwsCredentialIdentity, service: string, at?: Date): Promise<RawResponse> {
  const all = { 'content-length': String(Buffer.byteLength(body)), ...headers };
  const signed = await signedHeaders({ method: 'POST', authority: `127.0.0.1:${port}`, path, headers: all, body }, { credentials, service, ...(at ? { at } : {}) });
  return post(port, path, body, signed);
}

const KINESIS_JSON = { 'content-type': 'application/x-amz-json-1.1' };
const target = (op: string): Record<string, string> => ({ ...KINESIS_JSON, 'x-amz-target': `Kinesis_20131202.${op}` });

describe('sluice start --auth: Kinesis', () => {
  let t: TestServer;
  let admin: KinesisClient;
  let app: KinesisClient;
  let reader: KinesisClient;

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, auth: exampleAuthenticator(), subscriptionMs: 1000, subscribePollMs: 20 });
    admin = t.clientWith({ credentials: keysOf('admin') });
    app = t.clientWith({ credentials: keysOf('app') });
    reader = t.clientWith({ credentials: keysOf('reader') });
    await admin.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
    await admin.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    await untilActive(admin, 'clicks');
    await untilActive(admin, 'orders');
  });

  afterAll(async () => {
    await t.close();
  });

  it('serves what the signer is allowed: the app writes clicks, the reader reads them back', async () => {
    const put = await app.send(new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'k', Data: Buffer.from('one') }));
    const batch = await app.send(new PutRecordsCommand({ StreamARN: `${ARN}/clicks`, Records: [{ PartitionKey: 'k', Data: Buffer.from('two') }] }));
    expect(batch.FailedRecordCount).toBe(0);
    const { ShardIterator } = await reader.send(new GetShardIteratorCommand({ StreamName: 'clicks', ShardId: put.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    // GetRecords names its stream only through the iterator: the policy is checked on the stream it encodes.
    const read = await reader.send(new GetRecordsCommand({ ShardIterator }));
    expect(read.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['one', 'two']);
    expect((await reader.send(new ListStreamsCommand({}))).StreamNames).toEqual(['clicks', 'orders']);
    const page = await reader.send(new ListShardsCommand({ StreamName: 'orders', MaxResults: 1 }));
    expect(page.Shards).toHaveLength(1);
  });

  it("refuses what the policies do not allow, in IAM's words, and the operation does not run", async () => {
    const toOrders = await errorOf(app.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'k', Data: Buffer.from('x') })));
    expect(toOrders).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:iam::000000000000:user/app is not authorized to perform: kinesis:PutRecord on resource: ${ARN}/orders because no identity-based policy allows the kinesis:PutRecord action`,
    });
    const del = await errorOf(app.send(new DeleteStreamCommand({ StreamName: 'clicks' })));
    expect(del.message).toBe(`User: arn:aws:iam::000000000000:user/app is not authorized to perform: kinesis:DeleteStream on resource: ${ARN}/clicks with an explicit deny in an identity-based policy`);
    const list = await errorOf(app.send(new ListStreamsCommand({})));
    expect(list.message).toBe('User: arn:aws:iam::000000000000:user/app is not authorized to perform: kinesis:ListStreams because no identity-based policy allows the kinesis:ListStreams action');
    const write = await errorOf(reader.send(new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'k', Data: Buffer.from('x') })));
    expect(write.name).toBe('AccessDeniedException');
    expect((await admin.send(new DescribeStreamSummaryCommand({ StreamName: 'clicks' }))).StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
  });

  it("authorizes consumer operations on the consumer's ARN: the reader subscribes to a consumer of clicks, the app may not", async () => {
    const { Consumer } = await admin.send(new RegisterStreamConsumerCommand({ StreamARN: `${ARN}/clicks`, ConsumerName: 'dashboard' }));
    await eventually('consumer ACTIVE', async () => (await admin.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }))).ConsumerDescription?.ConsumerStatus === 'ACTIVE');
    const subscribe = (client: KinesisClient) =>
      client.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const sub = await subscribe(reader);
    const seen: string[] = [];
    for await (const event of sub.EventStream!) seen.push(...(event.SubscribeToShardEvent?.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));
    expect(seen).toContain('one');
    const denied = await errorOf(subscribe(app));
    expect(denied.message).toBe(
      `User: arn:aws:iam::000000000000:user/app is not authorized to perform: kinesis:SubscribeToShard on resource: ${Consumer!.ConsumerARN} because no identity-based policy allows the kinesis:SubscribeToShard action`,
    );
  });

  it('refuses a wrong secret, an unknown key id, and no signature at all; DeleteStream included', async () => {
    const wrong = await errorOf(t.clientWith({ credentials: WRONG_SECRET }).send(new DeleteStreamCommand({ StreamName: 'orders' })));
    expect(wrong.name).toBe('InvalidSignatureException');
    expect(wrong.status).toBe(400);
    expect(wrong.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    const unknown = await errorOf(t.clientWith({ credentials: UNKNOWN_KEY }).send(new DeleteStreamCommand({ StreamName: 'orders' })));
    expect(unknown).toEqual({ name: 'UnrecognizedClientException', status: 400, message: 'The security token included in the request is invalid.' });
    const unsigned = await post(t.server.port, '/', '{"StreamName":"orders"}', target('DeleteStream'));
    expect(unsigned.status).toBe(400);
    expect(unsigned.json).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    expect(unsigned.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect((await admin.send(new ListStreamsCommand({}))).StreamNames).toEqual(['clicks', 'orders']);
  });

  it('refuses an unsigned HTTP/2 request', async () => {
    const session = http2.connect(t.server.url);
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/', ...target('ListStreams') });
        let status = 0;
        let body = '';
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => resolve({ status, body }));
        stream.on('error', reject);
        stream.end('{}');
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).__type).toBe('MissingAuthenticationTokenException');
    } finally {
      session.close();
    }
  });

  it('answers an unsigned upload before reading its body', async () => {
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: t.server.port, method: 'POST', path: '/', agent: false, headers: { ...target('PutRecords'), 'content-length': String(50_000_000) } }, (r) =>
        collect(r, (got) => {
          req.destroy();
          resolve(got);
        }),
      );
      req.on('error', () => undefined);
      req.write(Buffer.alloc(1024, 0x20), (err) => err && reject(err));
    });
    expect(res.json.__type).toBe('MissingAuthenticationTokenException');
  });

  it('refuses a request signed six minutes ago; the SDK corrects its clock from the Date header and retries', async () => {
    const once = t.clientWith({ credentials: keysOf('admin'), systemClockOffset: -6 * 60_000, maxAttempts: 1 });
    const expired = await errorOf(once.send(new ListStreamsCommand({})));
    expect(expired.name).toBe('InvalidSignatureException');
    expect(expired.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const retrying = t.clientWith({ credentials: keysOf('admin'), systemClockOffset: -6 * 60_000 });
    const listed = await retrying.send(new ListStreamsCommand({}));
    expect(listed.StreamNames).toEqual(['clicks', 'orders']);
    expect(listed.$metadata.attempts).toBe(2);
  });

  it('checks the credential scope against the target: a Kinesis call signed for firehose fails', async () => {
    const res = await signedPost(t.server.port, '/', '{}', target('ListStreams'), keysOf('admin'), 'firehose');
    expect(res.json).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kinesis'. " });
    const ok = await signedPost(t.server.port, '/', '{}', target('ListStreams'), keysOf('admin'), 'kinesis');
    expect(ok.status).toBe(200);
    const old = await signedPost(t.server.port, '/', '{}', target('ListStreams'), keysOf('admin'), 'kinesis', new Date(Date.now() - 6 * 60_000));
    expect(old.json.__type).toBe('InvalidSignatureException');
    expect(old.headers.date).toBeDefined();
  });
});

describe('sluice start --auth: Firehose and POST /sql', () => {
  let t: TestServer;
  const firehose = (credentials: AwsCredentialIdentity): FirehoseClient => new FirehoseClient({ endpoint: t.server.url, region: 'us-east-1', credentials });
  const clients: FirehoseClient[] = [];
  const client = (name: string): FirehoseClient => {
    const c = firehose(keysOf(name));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, auth: exampleAuthenticator(), createDelayMs: 20 });
    await createStream(client('admin'), 'clicks-s3');
    await createStream(client('admin'), 'audit');
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await t.close();
  });

  it("lets the app deliver to clicks* and nowhere else, and never delete", async () => {
    const app = client('app');
    const put = await app.send(new FirehosePutRecordCommand({ DeliveryStreamName: 'clicks-s3', Record: { Data: Buffer.from('{"a":1}\n') } }));
    expect(put.RecordId).toBeTruthy();
    const batch = await app.send(new PutRecordBatchCommand({ DeliveryStreamName: 'clicks-s3', Records: [{ Data: Buffer.from('{"a":2}\n') }] }));
    expect(batch.FailedPutCount).toBe(0);
    const audit = await errorOf(app.send(new FirehosePutRecordCommand({ DeliveryStreamName: 'audit', Record: { Data: Buffer.from('x') } })));
    expect(audit.message).toBe(
      'User: arn:aws:iam::000000000000:user/app is not authorized to perform: firehose:PutRecord on resource: arn:aws:firehose:us-east-1:000000000000:deliverystream/audit because no identity-based policy allows the firehose:PutRecord action',
    );
    const del = await errorOf(app.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'clicks-s3' })));
    expect(del.message).toMatch(/firehose:DeleteDeliveryStream on resource: .*deliverystream\/clicks-s3 with an explicit deny in an identity-based policy$/);
    expect((await client('reader').send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames).toEqual(['audit', 'clicks-s3']);
    const wrong = await errorOf(firehose(WRONG_SECRET).send(new ListDeliveryStreamsCommand({})));
    expect(wrong.name).toBe('InvalidSignatureException');
  });

  it('/sql needs a signature for the sluice service and the sluice:Sql action', async () => {
    const body = '{"sql":"SELECT 1"}';
    const json = { 'content-type': 'application/json' };
    const unsigned = await post(t.server.port, '/sql', body, json);
    expect(unsigned.status).toBe(403);
    expect(unsigned.json.__type).toBe('MissingAuthenticationTokenException');
    const denied = await signedPost(t.server.port, '/sql', body, json, keysOf('app'), 'sluice');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toBe('User: arn:aws:iam::000000000000:user/app is not authorized to perform: sluice:Sql because no identity-based policy allows the sluice:Sql action');
    // Past the signature, the route reads the same body: here it answers that no DuckDB sink exists yet.
    const allowed = await signedPost(t.server.port, '/sql', body, json, keysOf('reader'), 'sluice');
    expect(allowed.status).toBe(404);
    expect(allowed.json.error).toMatch(/no query writes to DuckDB yet/);
    const health = await new Promise<number>((resolve, reject) => http.get(`${t.server.url}/health`, (res) => resolve(res.resume().statusCode!)).on('error', reject));
    expect(health).toBe(200);
  });
});
