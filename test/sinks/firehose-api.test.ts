import fs from 'node:fs';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, createStream, errorOf, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

let t: FirehoseTestServer;
let dir: string;

beforeEach(async () => {
  dir = tempDir();
  t = await startFirehoseServer(dir);
});

afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Firehose delivery stream lifecycle', () => {
  it('creates (CREATING then ACTIVE), describes, lists and deletes', async () => {
    const created = await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'clicks',
        DeliveryStreamType: 'DirectPut',
        S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', Prefix: 'raw/', BufferingHints: { SizeInMBs: 2 } },
      }),
    );
    expect(created.DeliveryStreamARN).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks');
    const first = await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }));
    expect(first.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('CREATING');
    await waitFor(async () => (await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }))).DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE');
    const d = (await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamARN).toBe(created.DeliveryStreamARN);
    expect(d.VersionId).toBe('1');
    expect(d.DeliveryStreamType).toBe('DirectPut');
    expect(d.CreateTimestamp).toBeInstanceOf(Date);
    expect(d.HasMoreDestinations).toBe(false);
    expect(d.Destinations).toHaveLength(1);
    const dest = d.Destinations![0]!;
    expect(dest.DestinationId).toBe('destinationId-000000000001');
    expect(dest.S3DestinationDescription).toMatchObject({
      BucketARN: 'arn:aws:s3:::bucket',
      Prefix: 'raw/',
      BufferingHints: { SizeInMBs: 2, IntervalInSeconds: 300 },
      CompressionFormat: 'UNCOMPRESSED',
    });
    expect(dest.ExtendedS3DestinationDescription?.BufferingHints).toEqual({ SizeInMBs: 2, IntervalInSeconds: 300 });

    await createStream(t.client, 'alpha');
    const listed = await t.client.send(new ListDeliveryStreamsCommand({}));
    expect(listed.DeliveryStreamNames).toEqual(['alpha', 'clicks']);
    expect(listed.HasMoreDeliveryStreams).toBe(false);
    const paged = await t.client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
    expect(paged).toMatchObject({ DeliveryStreamNames: ['alpha'], HasMoreDeliveryStreams: true });
    const next = await t.client.send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: 'alpha' }));
    expect(next.DeliveryStreamNames).toEqual(['clicks']);

    await t.client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }));
    await waitFor(async () => (await t.client.send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames!.length === 1);
    expect((await errorOf(t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' })))).name).toBe('ResourceNotFoundException');
    expect(fs.existsSync(`${dir}/firehose/clicks`)).toBe(false);
  });

  it('answers bad calls with the errors AWS sends, and keeps serving', async () => {
    await createStream(t.client, 'events');
    const missing = await errorOf(t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    expect(missing.message).toContain('nope');
    const duplicate = await errorOf(t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'events', S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' } })));
    expect(duplicate.name).toBe('ResourceInUseException');
    const hints = await errorOf(
      t.client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'x',
          S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 901 } },
        }),
      ),
    );
    expect(hints.name).toBe('ValidationException');
    expect(hints.message).toMatch(/^2 validation errors detected: .*sizeInMBs.*intervalInSeconds/);
    const badName = await errorOf(t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'bad name!', S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' } })));
    expect(badName.name).toBe('ValidationException');
    const noDestination = await errorOf(t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'y' })));
    expect(noDestination.name).toBe('InvalidArgumentException');
    const source = await errorOf(
      t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'z', DeliveryStreamType: 'KinesisStreamAsSource', S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' } })),
    );
    expect(source.name).toBe('InvalidArgumentException');
    const expressionsWithoutErrorPrefix = await errorOf(
      t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'w', ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', Prefix: 'p/!{timestamp:yyyy}/' } })),
    );
    expect(expressionsWithoutErrorPrefix.name).toBe('InvalidArgumentException');
    const putMissing = await errorOf(t.client.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: bytes('a') } })));
    expect(putMissing.name).toBe('ResourceNotFoundException');
    const tooBig = await errorOf(t.client.send(new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: new Uint8Array(1_024_001) } })));
    expect(tooBig.name).toBe('ValidationException');
    const emptyBatch = await errorOf(t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: [] })));
    expect(emptyBatch.name).toBe('ValidationException');
    const overCount = await errorOf(t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: Array.from({ length: 501 }, () => ({ Data: bytes('a') })) })));
    expect(overCount.name).toBe('ValidationException');
    const overTotal = await errorOf(
      t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: Array.from({ length: 5 }, () => ({ Data: new Uint8Array(1_000_000) })) })),
    );
    expect(overTotal.name).toBe('InvalidArgumentException');

    const raw = await fetch(t.server.url, { method: 'POST', headers: { 'x-amz-target': 'Firehose_20150804.Nope', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const broken = await fetch(t.server.url, { method: 'POST', headers: { 'x-amz-target': 'Firehose_20150804.PutRecord', 'content-type': 'application/x-amz-json-1.1' }, body: '{not json' });
    expect(((await broken.json()) as { __type: string }).__type).toBe('SerializationException');

    const ok = await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: bytes('still here') } }));
    expect(ok.RecordId).toMatch(/^[\w-]+$/);
  });

  it('PutRecordBatch reports per-record failures and accepts the rest', async () => {
    await createStream(t.client, 'batch');
    const out = await t.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'batch',
        Records: [{ Data: bytes('one') }, { Data: new Uint8Array(1_024_001) }, { Data: bytes('three') }],
      }),
    );
    expect(out.FailedPutCount).toBe(1);
    expect(out.RequestResponses).toHaveLength(3);
    expect(out.RequestResponses![0]!.RecordId).toBeTruthy();
    expect(out.RequestResponses![1]).toMatchObject({ ErrorCode: 'InvalidArgumentException' });
    expect(out.RequestResponses![1]!.RecordId).toBeUndefined();
    expect(out.RequestResponses![2]!.RecordId).toBeTruthy();
    expect(out.RequestResponses![0]!.RecordId).not.toBe(out.RequestResponses![2]!.RecordId);
  });
});
