import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisApi, type KinesisApi } from '../../src/ingest/api/index.js';
import { kinesisResource } from '../../src/ingest/api/resources.js';
import { LogStore } from '../../src/ingest/index.js';

const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';

describe('the resource each Kinesis operation is authorized on', () => {
  let store: LogStore;
  let api: KinesisApi;
  let consumerArn: string;
  const resource = (operation: string, input: Record<string, unknown>): string | undefined => kinesisResource(api, operation, input);
  const seen: (string | undefined)[] = [];
  const authorizeAs = async (operation: string, input: Record<string, unknown>): Promise<unknown> => api.call(operation, input, (r) => seen.push(r));

  beforeAll(async () => {
    store = await LogStore.open(null);
    api = await createKinesisApi(store, { throttle: false, createDelayMs: 0 });
    await api.call('CreateStream', { StreamName: 'clicks', ShardCount: 2 });
    const registered = (await api.call('RegisterStreamConsumer', { StreamARN: STREAM, ConsumerName: 'app' })) as { Consumer: { ConsumerARN: string } };
    consumerArn = registered.Consumer.ConsumerARN;
  });

  afterAll(async () => {
    await api.close();
    await store.close();
  });

  it('names account-level operations by nothing (IAM: "*")', () => {
    expect(resource('ListStreams', {})).toBeUndefined();
    expect(resource('DescribeLimits', {})).toBeUndefined();
  });

  it("rebuilds a stream's ARN with this server's region and account, whatever the request's ARN said", () => {
    expect(resource('DescribeStream', { StreamName: 'clicks' })).toBe(STREAM);
    expect(resource('PutRecords', { StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', Records: [] })).toBe(STREAM);
    expect(resource('UpdateStreamMode', { StreamARN: STREAM })).toBe(STREAM);
    expect(() => resource('PutRecords', { StreamName: 'clicks', StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders' })).toThrow(/name different streams/);
  });

  it('finds the stream of GetRecords in its iterator and of ListShards in its token', async () => {
    const { ShardIterator } = (await api.call('GetShardIterator', { StreamName: 'clicks', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })) as { ShardIterator: string };
    expect(resource('GetRecords', { ShardIterator })).toBe(STREAM);
    const { NextToken } = (await api.call('ListShards', { StreamName: 'clicks', MaxResults: 1 })) as { NextToken: string };
    expect(resource('ListShards', { NextToken })).toBe(STREAM);
    expect(() => resource('GetRecords', { ShardIterator: 'forged' })).toThrow(/Invalid ShardIterator/);
  });

  it('names consumers by their ARN, looked up when the request names them by stream and name', () => {
    expect(consumerArn).toMatch(new RegExp(`^${STREAM}/consumer/app:\\d+$`));
    expect(resource('DescribeStreamConsumer', { ConsumerARN: consumerArn })).toBe(consumerArn);
    expect(resource('DescribeStreamConsumer', { StreamARN: STREAM, ConsumerName: 'app' })).toBe(consumerArn);
    expect(resource('SubscribeToShard', { ConsumerARN: consumerArn, ShardId: 'shardId-000000000000' })).toBe(consumerArn);
    expect(resource('ListTagsForResource', { ResourceARN: consumerArn })).toBe(consumerArn);
    expect(resource('ListTagsForResource', { ResourceARN: STREAM })).toBe(STREAM);
    expect(resource('RegisterStreamConsumer', { StreamARN: STREAM, ConsumerName: 'new' })).toBe(STREAM);
  });

  it('is asked after the input is checked and before the operation runs, which does not run when it refuses', async () => {
    await authorizeAs('DescribeStreamSummary', { StreamName: 'clicks' });
    expect(seen).toEqual([STREAM]);
    await expect(authorizeAs('DescribeStreamSummary', { StreamName: 'bad name!' })).rejects.toMatchObject({ type: 'ValidationException' });
    expect(seen).toHaveLength(1);
    await expect(
      api.call('DeleteStream', { StreamName: 'clicks' }, () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(store.listStreams()).toEqual(['clicks']);
  });
});
