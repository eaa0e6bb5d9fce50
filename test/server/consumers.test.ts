import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
  ListTagsForResourceCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, untilActive, text, type TestServer } from './helpers.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/fan';

describe('enhanced fan-out through the AWS SDK', () => {
  let t: TestServer;
  let consumerArn: string;

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, subscriptionMs: 1500, subscribePollMs: 20 });
    await t.client.send(new CreateStreamCommand({ StreamName: 'fan', ShardCount: 1 }));
    await untilActive(t.client, 'fan');
  });

  afterAll(async () => {
    await t.close();
  });

  it('registers, describes and lists consumers', async () => {
    const reg = await t.client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'app', Tags: { team: 'x' } }));
    consumerArn = reg.Consumer!.ConsumerARN!;
    expect(consumerArn).toMatch(/^arn:aws:kinesis:us-east-1:000000000000:stream\/fan\/consumer\/app:\d+$/);
    expect(reg.Consumer!.ConsumerStatus).toBe('CREATING');
    await eventually('consumer ACTIVE', async () => (await t.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }))).ConsumerDescription?.ConsumerStatus === 'ACTIVE');
    const byArn = await t.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
    expect(byArn.ConsumerDescription).toMatchObject({ ConsumerName: 'app', ConsumerStatus: 'ACTIVE', StreamARN: STREAM_ARN });
    const byName = await t.client.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'app' }));
    expect(byName.ConsumerDescription!.ConsumerARN).toBe(consumerArn);
    await t.client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'other' }));
    const page = await t.client.send(new ListStreamConsumersCommand({ StreamARN: STREAM_ARN, MaxResults: 1 }));
    expect(page.Consumers!.map((c) => c.ConsumerName)).toEqual(['app']);
    const rest = await t.client.send(new ListStreamConsumersCommand({ StreamARN: STREAM_ARN, NextToken: page.NextToken }));
    expect(rest.Consumers!.map((c) => c.ConsumerName)).toEqual(['other']);
    expect((await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'fan' }))).StreamDescriptionSummary!.ConsumerCount).toBe(2);
    expect((await t.client.send(new ListTagsForResourceCommand({ ResourceARN: consumerArn }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    await expect(t.client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'app' }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
    });
    await t.client.send(new DeregisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'other' }));
    await expect(t.client.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('streams existing and new records with SubscribeToShard, then ends after the subscription time', async () => {
    const put = (from: number, count: number) =>
      t.client.send(
        new PutRecordsCommand({ StreamName: 'fan', Records: Array.from({ length: count }, (_, i) => ({ PartitionKey: `p${i % 5}`, Data: Buffer.from(`r${from + i}`) })) }),
      );
    await put(0, 30);
    const sub = await t.client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const got: string[] = [];
    let continuation = '';
    let events = 0;
    const started = Date.now();
    for await (const event of sub.EventStream!) {
      const e = event.SubscribeToShardEvent as SubscribeToShardEvent | undefined;
      if (!e) continue;
      events++;
      got.push(...e.Records!.map((r) => text(r.Data)));
      expect(e.MillisBehindLatest).toBeGreaterThanOrEqual(0);
      continuation = e.ContinuationSequenceNumber!;
      if (got.length === 30 && events === 1) await put(30, 20);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));

    // Resubscribing after the continuation sequence number picks up exactly where it left off.
    await put(50, 5);
    const again = await t.client.send(
      new SubscribeToShardCommand({
        ConsumerARN: consumerArn,
        ShardId: 'shardId-000000000000',
        StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: continuation },
      }),
    );
    // A second subscription to the same shard within 5 seconds is refused, as AWS does.
    await expect(
      t.client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })),
    ).rejects.toMatchObject({ name: 'ResourceInUseException' });
    const more: string[] = [];
    for await (const event of again.EventStream!) {
      more.push(...(event.SubscribeToShardEvent?.Records ?? []).map((r) => text(r.Data)));
      if (more.length >= 5) break;
    }
    expect(more).toEqual(['r50', 'r51', 'r52', 'r53', 'r54']);
  });

  it('ends a subscription on a closed shard with ChildShards', async () => {
    await t.client.send(new CreateStreamCommand({ StreamName: 'fan2', ShardCount: 1 }));
    await untilActive(t.client, 'fan2');
    const arn2 = 'arn:aws:kinesis:us-east-1:000000000000:stream/fan2';
    const c = (await t.client.send(new RegisterStreamConsumerCommand({ StreamARN: arn2, ConsumerName: 'c' }))).Consumer!;
    await eventually('consumer ACTIVE', async () => (await t.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: c.ConsumerARN }))).ConsumerDescription?.ConsumerStatus === 'ACTIVE');
    await t.client.send(new PutRecordsCommand({ StreamName: 'fan2', Records: [{ PartitionKey: 'a', Data: Buffer.from('before') }] }));
    await t.client.send(new SplitShardCommand({ StreamName: 'fan2', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
    await untilActive(t.client, 'fan2');
    const sub = await t.client.send(new SubscribeToShardCommand({ ConsumerARN: c.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const events: SubscribeToShardEvent[] = [];
    for await (const event of sub.EventStream!) if (event.SubscribeToShardEvent) events.push(event.SubscribeToShardEvent);
    const last = events[events.length - 1]!;
    expect(events.flatMap((e) => e.Records!.map((r) => text(r.Data)))).toEqual(['before']);
    expect(last.ChildShards!.map((s) => s.ShardId)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(last.ChildShards![0]!.ParentShards).toEqual(['shardId-000000000000']);
  });

  it('refuses to subscribe for unknown consumers and shards, and deletes a stream with consumers only when told', async () => {
    await expect(
      t.client.send(new SubscribeToShardCommand({ ConsumerARN: `${STREAM_ARN}/consumer/nobody:1`, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      t.client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000099', StartingPosition: { Type: 'LATEST' } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(t.client.send(new DeleteStreamCommand({ StreamName: 'fan' }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await t.client.send(new DeleteStreamCommand({ StreamName: 'fan', EnforceConsumerDeletion: true }));
  });
});
