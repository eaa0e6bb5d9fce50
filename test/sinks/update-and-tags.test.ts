import fs from 'node:fs';
import path from 'node:path';
import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordCommand,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
  UpdateDestinationCommand,
} from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/sinks/index.js';
import { bytes, closeAndRemove, createStream, errorOf, listFiles, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

const T0 = Date.UTC(2030, 2, 4, 5, 6, 7);

let t: FirehoseTestServer | undefined;
let dir: string;

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
});

const describeStream = async (name: string) => (await t!.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }))).DeliveryStreamDescription!;

describe('UpdateDestination', () => {
  it('needs the current version, merges the update, bumps the version that later objects carry, and survives a restart', async () => {
    dir = tempDir();
    const scheduler = new ManualScheduler(T0);
    t = await startFirehoseServer(dir, { scheduler });
    const bucket = path.join(dir, 's3', 'bucket');
    await createStream(t.client, 'clicks', { Prefix: 'v1/', BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 } });
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: bytes('one') } }));

    const stale = await errorOf(
      t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '7', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { Prefix: 'x/' } })),
    );
    expect(stale.name).toBe('ConcurrentModificationException');
    const noUpdate = await errorOf(t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001' })));
    expect(noUpdate.name).toBe('InvalidArgumentException');
    const badHints = await errorOf(
      t.client.send(
        new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 500 } } }),
      ),
    );
    expect(badHints.name).toBe('ValidationException');
    expect((await describeStream('clicks')).VersionId).toBe('1');

    await t.client.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: 'clicks',
        CurrentDeliveryStreamVersionId: '1',
        DestinationId: 'destinationId-000000000001',
        ExtendedS3DestinationUpdate: { Prefix: 'v2/', CompressionFormat: 'GZIP', BufferingHints: { IntervalInSeconds: 10 } },
      }),
    );
    const d = await describeStream('clicks');
    expect(d.VersionId).toBe('2');
    expect(d.LastUpdateTimestamp).toBeInstanceOf(Date);
    // Fields the update left out keep their values (SizeInMBs, the bucket).
    expect(d.Destinations![0]!.ExtendedS3DestinationDescription).toMatchObject({
      BucketARN: 'arn:aws:s3:::bucket',
      Prefix: 'v2/',
      CompressionFormat: 'GZIP',
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 10 },
    });
    const again = await errorOf(
      t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { Prefix: 'x/' } })),
    );
    expect(again.name).toBe('ConcurrentModificationException');
    // Two updates naming the same version at the same time: one wins.
    const racing = await Promise.allSettled(
      ['race-a/', 'race-b/'].map((Prefix) =>
        t!.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '2', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { Prefix } })),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((racing.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('ConcurrentModificationException');
    await t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'clicks', CurrentDeliveryStreamVersionId: '3', DestinationId: 'destinationId-000000000001', ExtendedS3DestinationUpdate: { Prefix: 'v2/' } }));
    expect((await describeStream('clicks')).Destinations![0]!.ExtendedS3DestinationDescription?.Prefix).toBe('v2/');

    // The buffer open since before the update is delivered with the new configuration.
    scheduler.advance(60_000);
    await waitFor(() => listFiles(bucket).length === 1);
    expect(listFiles(bucket)[0]).toMatch(/^v2\/2030\/03\/04\/05\/clicks-4-2030-03-04-05-06-07-.*\.gz$/);

    await t.close();
    t = await startFirehoseServer(dir, { scheduler });
    const reopened = await describeStream('clicks');
    expect(reopened.VersionId).toBe('4');
    expect(reopened.Destinations![0]!.ExtendedS3DestinationDescription?.Prefix).toBe('v2/');
  });

  it('replaces the destination when the update changes its type, and rejects an incomplete one', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await createStream(t.client, 's3');
    const incomplete = await errorOf(
      t.client.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: 's3',
          CurrentDeliveryStreamVersionId: '1',
          DestinationId: 'destinationId-000000000001',
          HttpEndpointDestinationUpdate: { EndpointConfiguration: { Url: 'https://example.com/in' } },
        }),
      ),
    );
    expect(incomplete.name).toBe('ValidationException');
    expect(incomplete.message).toContain('s3Configuration');
    await t.client.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: 's3',
        CurrentDeliveryStreamVersionId: '1',
        DestinationId: 'destinationId-000000000001',
        HttpEndpointDestinationUpdate: { EndpointConfiguration: { Url: 'https://example.com/in', AccessKey: 'secret' }, S3Update: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::backup' } },
      }),
    );
    const d = await describeStream('s3');
    expect(d.VersionId).toBe('2');
    expect(d.Destinations![0]!.ExtendedS3DestinationDescription).toBeUndefined();
    expect(d.Destinations![0]!.HttpEndpointDestinationDescription).toMatchObject({
      EndpointConfiguration: { Url: 'https://example.com/in' },
      S3DestinationDescription: { BucketARN: 'arn:aws:s3:::backup' },
      RetryOptions: { DurationInSeconds: 300 },
      S3BackupMode: 'FailedDataOnly',
    });
    expect(JSON.stringify(d)).not.toContain('secret');
  });

  it('updates a stream from an older stream.json (S3 only, no kept configuration)', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await createStream(t.client, 'old', { Prefix: 'old/', BufferingHints: { SizeInMBs: 3, IntervalInSeconds: 30 } });
    await t.close();
    const file = path.join(dir, 'firehose', 'old', 'stream.json');
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as { config?: unknown; destination: { kind?: string } };
    delete record.config;
    delete record.destination.kind;
    fs.writeFileSync(file, JSON.stringify(record));
    t = await startFirehoseServer(dir);
    await t.client.send(new UpdateDestinationCommand({ DeliveryStreamName: 'old', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001', S3DestinationUpdate: { Prefix: 'new/' } }));
    expect((await describeStream('old')).Destinations![0]!.ExtendedS3DestinationDescription).toMatchObject({ Prefix: 'new/', BufferingHints: { SizeInMBs: 3, IntervalInSeconds: 30 } });
  });
});

describe('tags', () => {
  it('keeps Tags from CreateDeliveryStream, tags, untags, lists in pages, and enforces AWS’s limits', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'tagged',
        ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' },
        Tags: [{ Key: 'team', Value: 'web' }, { Key: 'env' }],
      }),
    );
    const list = async (input: { ExclusiveStartTagKey?: string; Limit?: number } = {}) => t!.client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: 'tagged', ...input }));
    expect(await list()).toMatchObject({ Tags: [{ Key: 'team', Value: 'web' }, { Key: 'env' }], HasMoreTags: false });

    await t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '42' }] }));
    expect((await list()).Tags).toEqual([{ Key: 'team', Value: 'data' }, { Key: 'env' }, { Key: 'cost-center', Value: '42' }]);
    expect(await list({ Limit: 2 })).toMatchObject({ Tags: [{ Key: 'team' }, { Key: 'env' }], HasMoreTags: true });
    expect(await list({ ExclusiveStartTagKey: 'env' })).toMatchObject({ Tags: [{ Key: 'cost-center' }], HasMoreTags: false });

    await t.client.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', TagKeys: ['env', 'nope'] }));
    expect((await list()).Tags!.map((x) => x.Key)).toEqual(['team', 'cost-center']);

    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect((await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: many })))).name).toBe('LimitExceededException');
    expect((await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [...many, ...many.slice(0, 2)] })))).name).toBe('ValidationException');
    const longKey = await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })));
    expect(longKey.name).toBe('ValidationException');
    const longValue = await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] })));
    expect(longValue.name).toBe('ValidationException');
    expect((await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [{ Key: 'aws:reserved', Value: 'v' }] })))).name).toBe('ValidationException');
    expect((await errorOf(t.client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: 'tagged', Tags: [] })))).name).toBe('ValidationException');
    expect((await errorOf(t.client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: 'missing' })))).name).toBe('ResourceNotFoundException');
    const tooManyOnCreate = await errorOf(
      t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'over', S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' }, Tags: [...many, ...many.slice(0, 2)] })),
    );
    expect(tooManyOnCreate.name).toBe('ValidationException');

    // Wrong JSON types are SerializationExceptions, and the server keeps serving.
    const raw = async (operation: string, body: unknown) =>
      ((await (await fetch(t!.server.url, { method: 'POST', headers: { 'x-amz-target': `Firehose_20150804.${operation}`, 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) })).json()) as { __type: string }).__type;
    expect(await raw('TagDeliveryStream', { DeliveryStreamName: 'tagged', Tags: 'team=web' })).toBe('SerializationException');
    expect(await raw('UntagDeliveryStream', { DeliveryStreamName: 'tagged', TagKeys: [7] })).toBe('SerializationException');
    expect(await raw('UpdateDestination', { DeliveryStreamName: 'tagged', CurrentDeliveryStreamVersionId: 1, DestinationId: 'destinationId-000000000001', S3DestinationUpdate: {} })).toBe('SerializationException');
    expect(await raw('UpdateDestination', { DeliveryStreamName: 'tagged', CurrentDeliveryStreamVersionId: '1', DestinationId: 'destinationId-000000000001', HttpEndpointDestinationUpdate: { RetryOptions: { DurationInSeconds: 'long' } } })).toBe('SerializationException');

    await t.close();
    t = await startFirehoseServer(dir);
    expect((await list()).Tags!.map((x) => x.Key)).toEqual(['team', 'cost-center']);
  });
});
