import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  RemoveTagsFromStreamCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStreamModeCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestServer, type TestServer } from './helpers.js';

const ARN = (name: string): string => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

describe('stream lifecycle through the AWS SDK (HTTP/2)', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ createDelayMs: 300 });
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates a stream that is CREATING, then ACTIVE for the waiter', async () => {
    await t.client.send(new CreateStreamCommand({ StreamName: 'life', ShardCount: 3 }));
    const first = await t.client.send(new DescribeStreamCommand({ StreamName: 'life' }));
    expect(first.StreamDescription?.StreamStatus).toBe('CREATING');
    const waited = await waitUntilStreamExists({ client: t.client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { StreamName: 'life' });
    expect(waited.state).toBe('SUCCESS');
    const d = (await t.client.send(new DescribeStreamCommand({ StreamName: 'life' }))).StreamDescription!;
    expect(d).toMatchObject({
      StreamName: 'life',
      StreamARN: ARN('life'),
      StreamStatus: 'ACTIVE',
      RetentionPeriodHours: 24,
      HasMoreShards: false,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      EncryptionType: 'NONE',
    });
    expect(d.StreamCreationTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(d.StreamCreationTimestamp!.getTime() - Date.now())).toBeLessThan(10_000);
    expect(d.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    expect(d.Shards![0]!.HashKeyRange!.StartingHashKey).toBe('0');
    expect(d.Shards![2]!.HashKeyRange!.EndingHashKey).toBe(((1n << 128n) - 1n).toString());
    expect(d.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber).toMatch(/^\d+$/);
  });

  it('answers by StreamARN as by StreamName, and summarises', async () => {
    const s = (await t.client.send(new DescribeStreamSummaryCommand({ StreamARN: ARN('life') }))).StreamDescriptionSummary!;
    expect(s).toMatchObject({ StreamName: 'life', OpenShardCount: 3, ConsumerCount: 0, StreamStatus: 'ACTIVE' });
  });

  it('pages DescribeStream, ListShards and ListStreams', async () => {
    const page1 = (await t.client.send(new DescribeStreamCommand({ StreamName: 'life', Limit: 2 }))).StreamDescription!;
    expect(page1.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(page1.HasMoreShards).toBe(true);
    const page2 = (await t.client.send(new DescribeStreamCommand({ StreamName: 'life', Limit: 2, ExclusiveStartShardId: 'shardId-000000000001' })))
      .StreamDescription!;
    expect(page2.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000002']);
    expect(page2.HasMoreShards).toBe(false);

    const l1 = await t.client.send(new ListShardsCommand({ StreamName: 'life', MaxResults: 2 }));
    expect(l1.Shards).toHaveLength(2);
    const l2 = await t.client.send(new ListShardsCommand({ NextToken: l1.NextToken, MaxResults: 2 }));
    expect(l2.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000002']);
    expect(l2.NextToken).toBeUndefined();
    const after = await t.client.send(new ListShardsCommand({ StreamName: 'life', ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000000' } }));
    expect(after.Shards!.map((s) => s.ShardId)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    const latest = await t.client.send(new ListShardsCommand({ StreamName: 'life', ShardFilter: { Type: 'AT_LATEST' } }));
    expect(latest.Shards).toHaveLength(3);

    for (const name of ['list-b', 'list-a', 'list-c']) await t.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const s1 = await t.client.send(new ListStreamsCommand({ Limit: 2 }));
    expect(s1.StreamNames).toEqual(['life', 'list-a']);
    expect(s1.HasMoreStreams).toBe(true);
    expect(s1.StreamSummaries!.map((s) => s.StreamARN)).toEqual([ARN('life'), ARN('list-a')]);
    const s2 = await t.client.send(new ListStreamsCommand({ NextToken: s1.NextToken }));
    expect(s2.StreamNames).toEqual(['list-b', 'list-c']);
    expect(s2.HasMoreStreams).toBe(false);
    const s3 = await t.client.send(new ListStreamsCommand({ ExclusiveStartStreamName: 'list-b' }));
    expect(s3.StreamNames).toEqual(['list-c']);
  });

  it('changes retention within 24-8760 hours, in the right direction only', async () => {
    await t.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'life', RetentionPeriodHours: 48 }));
    expect((await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'life' }))).StreamDescriptionSummary!.RetentionPeriodHours).toBe(48);
    await expect(t.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'life', RetentionPeriodHours: 72 }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
    });
    await expect(t.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'life', RetentionPeriodHours: 9000 }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringContaining('8760'),
    });
    await expect(t.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'life', RetentionPeriodHours: 12 }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringContaining('24 hours'),
    });
    await t.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'life', RetentionPeriodHours: 24 }));
    expect((await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'life' }))).StreamDescriptionSummary!.RetentionPeriodHours).toBe(24);
  });

  it('tags streams by name and by ARN, and pages them', async () => {
    await t.client.send(new AddTagsToStreamCommand({ StreamName: 'life', Tags: { team: 'data', env: 'dev', tier: 'gold' } }));
    const page1 = await t.client.send(new ListTagsForStreamCommand({ StreamName: 'life', Limit: 2 }));
    expect(page1.Tags).toEqual([
      { Key: 'env', Value: 'dev' },
      { Key: 'team', Value: 'data' },
    ]);
    expect(page1.HasMoreTags).toBe(true);
    const page2 = await t.client.send(new ListTagsForStreamCommand({ StreamName: 'life', ExclusiveStartTagKey: 'team' }));
    expect(page2.Tags).toEqual([{ Key: 'tier', Value: 'gold' }]);
    await t.client.send(new RemoveTagsFromStreamCommand({ StreamName: 'life', TagKeys: ['tier'] }));
    await t.client.send(new TagResourceCommand({ ResourceARN: ARN('life'), Tags: { owner: 'me' } }));
    await t.client.send(new UntagResourceCommand({ ResourceARN: ARN('life'), TagKeys: ['env'] }));
    const all = await t.client.send(new ListTagsForResourceCommand({ ResourceARN: ARN('life') }));
    expect(all.Tags).toEqual([
      { Key: 'owner', Value: 'me' },
      { Key: 'team', Value: 'data' },
    ]);
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v']));
    await expect(t.client.send(new AddTagsToStreamCommand({ StreamName: 'life', Tags: many }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });

  it('reports limits and switches stream mode', async () => {
    const limits = await t.client.send(new DescribeLimitsCommand({}));
    expect(limits.ShardLimit).toBe(500);
    expect(limits.OpenShardCount).toBe(6);
    await settle(350);
    await t.client.send(new UpdateStreamModeCommand({ StreamARN: ARN('list-a'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    let summary = (await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'list-a' }))).StreamDescriptionSummary!;
    expect(summary.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
    for (let i = 0; i < 100 && summary.OpenShardCount !== 4; i++) {
      await settle(20);
      summary = (await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'list-a' }))).StreamDescriptionSummary!;
    }
    expect(summary.OpenShardCount).toBe(4);
    expect((await t.client.send(new DescribeLimitsCommand({}))).OnDemandStreamCount).toBe(1);
  });

  it('deletes streams, which the not-exists waiter sees', async () => {
    await t.client.send(new DeleteStreamCommand({ StreamName: 'list-c' }));
    const waited = await waitUntilStreamNotExists({ client: t.client, maxWaitTime: 20, minDelay: 1 }, { StreamName: 'list-c' });
    expect(waited.state).toBe('SUCCESS');
    await expect(t.client.send(new DescribeStreamCommand({ StreamName: 'list-c' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Stream list-c under account 000000000000 not found.',
    });
    expect((await t.client.send(new ListStreamsCommand({}))).StreamNames).toEqual(['life', 'list-a', 'list-b']);
  });

  it('keeps mode and tags across a restart', async () => {
    const dir = t.dir;
    await t.server.close();
    const again = await startTestServer({ dataDir: dir });
    try {
      const summary = (await again.client.send(new DescribeStreamSummaryCommand({ StreamName: 'list-a' }))).StreamDescriptionSummary!;
      expect(summary.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
      const tags = await again.client.send(new ListTagsForStreamCommand({ StreamName: 'life' }));
      expect(tags.Tags!.map((x) => x.Key)).toEqual(['owner', 'team']);
    } finally {
      again.client.destroy();
      await again.server.close();
    }
  });
});
