import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestServer, text, type TestServer } from './helpers.js';

let next = 0;
async function putBatch(client: KinesisClient, stream: string, count: number, keys = 23): Promise<void> {
  const records = Array.from({ length: count }, () => {
    const n = next++;
    return { PartitionKey: `k${n % keys}`, Data: Buffer.from(`${n % keys} ${n}`) };
  });
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  expect(out.FailedRecordCount).toBe(0);
}

async function waitActive(client: KinesisClient, stream: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (s.StreamDescriptionSummary!.StreamStatus === 'ACTIVE') return;
    await settle(25);
  }
  throw new Error(`${stream} never became ACTIVE`);
}

/**
 * Reads the whole stream as a KCL worker would: a shard only after its parents are finished, each
 * shard to its end (ChildShards, no NextShardIterator) or, if open, until it comes back empty.
 */
async function readInLineageOrder(client: KinesisClient, stream: string): Promise<{ order: string[]; byKey: Map<string, number[]> }> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
  const done = new Set<string>();
  const order: string[] = [];
  const byKey = new Map<string, number[]>();
  const ready = (s: Shard): boolean =>
    !done.has(s.ShardId!) && [s.ParentShardId, s.AdjacentParentShardId].every((p) => p === undefined || done.has(p) || !shards.some((x) => x.ShardId === p));
  while (done.size < shards.length) {
    const shard = shards.find(ready);
    if (!shard) throw new Error('lineage has a cycle');
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 400 }));
      for (const r of page.Records!) {
        const [key, n] = text(r.Data).split(' ');
        byKey.set(key!, [...(byKey.get(key!) ?? []), Number(n)]);
      }
      if (!page.NextShardIterator) {
        expect(shard.SequenceNumberRange?.EndingSequenceNumber).toBeDefined();
        const children = shards.filter((s) => s.ParentShardId === shard.ShardId || s.AdjacentParentShardId === shard.ShardId).map((s) => s.ShardId);
        expect(page.ChildShards!.map((c) => c.ShardId).sort()).toEqual(children.sort());
        break;
      }
      if (page.Records!.length === 0) break;
      it = page.NextShardIterator;
    }
    done.add(shard.ShardId!);
    order.push(shard.ShardId!);
  }
  return { order, byKey };
}

function expectIncreasing(byKey: Map<string, number[]>, total: number): void {
  let count = 0;
  for (const values of byKey.values()) {
    count += values.length;
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
  }
  expect(count).toBe(total);
}

describe('resharding through the AWS SDK', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ throttle: false });
    await t.client.send(new CreateStreamCommand({ StreamName: 'rs', ShardCount: 2 }));
    await settle();
  });

  afterAll(async () => {
    await t.close();
  });

  it('splits and merges, and a reader that finishes parents first sees every key in order', async () => {
    next = 0;
    await putBatch(t.client, 'rs', 500);
    const [first] = (await t.client.send(new ListShardsCommand({ StreamName: 'rs' }))).Shards!;
    const start = BigInt(first!.HashKeyRange!.StartingHashKey!);
    const end = BigInt(first!.HashKeyRange!.EndingHashKey!);
    await t.client.send(new SplitShardCommand({ StreamName: 'rs', ShardToSplit: first!.ShardId, NewStartingHashKey: ((start + end) / 2n).toString() }));
    await putBatch(t.client, 'rs', 500);
    await t.client.send(new MergeShardsCommand({ StreamName: 'rs', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000003' }));
    await putBatch(t.client, 'rs', 500);

    const shards = (await t.client.send(new ListShardsCommand({ StreamName: 'rs' }))).Shards!;
    expect(shards.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
    expect(shards[2]).toMatchObject({ ParentShardId: 'shardId-000000000000' });
    expect(shards[4]).toMatchObject({ ParentShardId: 'shardId-000000000002', AdjacentParentShardId: 'shardId-000000000003' });
    const open = (await t.client.send(new ListShardsCommand({ StreamName: 'rs', ShardFilter: { Type: 'AT_LATEST' } }))).Shards!;
    expect(open.map((s) => s.ShardId)).toEqual(['shardId-000000000001', 'shardId-000000000004']);

    const { order, byKey } = await readInLineageOrder(t.client, 'rs');
    expect(order.indexOf('shardId-000000000000')).toBeLessThan(order.indexOf('shardId-000000000002'));
    expect(order.indexOf('shardId-000000000003')).toBeLessThan(order.indexOf('shardId-000000000004'));
    expectIncreasing(byKey, 1500);
  });

  it('rejects splits and merges that make no sense', async () => {
    await expect(
      t.client.send(new SplitShardCommand({ StreamName: 'rs', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '12345' })),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(
      t.client.send(new SplitShardCommand({ StreamName: 'rs', ShardToSplit: 'shardId-000000000001', NewStartingHashKey: '1' })),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(
      t.client.send(new MergeShardsCommand({ StreamName: 'rs', ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000009' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('scales uniformly with UpdateShardCount, up and down, keeping per-key order', async () => {
    await t.client.send(new CreateStreamCommand({ StreamName: 'us', ShardCount: 3 }));
    await settle();
    next = 0;
    await putBatch(t.client, 'us', 400);
    const up = await t.client.send(new UpdateShardCountCommand({ StreamName: 'us', TargetShardCount: 6, ScalingType: 'UNIFORM_SCALING' }));
    expect(up).toMatchObject({ CurrentShardCount: 3, TargetShardCount: 6 });
    await waitActive(t.client, 'us');
    await putBatch(t.client, 'us', 400);
    let open = (await t.client.send(new ListShardsCommand({ StreamName: 'us', ShardFilter: { Type: 'AT_LATEST' } }))).Shards!;
    expect(open).toHaveLength(6);
    const widths = open.map((s) => BigInt(s.HashKeyRange!.EndingHashKey!) - BigInt(s.HashKeyRange!.StartingHashKey!));
    const spread = Number(widths.reduce((a, b) => (a > b ? a : b)) - widths.reduce((a, b) => (a < b ? a : b)));
    expect(spread / Number(widths[0]!)).toBeLessThan(0.001);

    await t.client.send(new UpdateShardCountCommand({ StreamName: 'us', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    await waitActive(t.client, 'us');
    await putBatch(t.client, 'us', 400);
    open = (await t.client.send(new ListShardsCommand({ StreamName: 'us', ShardFilter: { Type: 'AT_LATEST' } }))).Shards!;
    expect(open).toHaveLength(4);
    // Boundaries land on the quarters, give or take the rounding of earlier layouts.
    open.forEach((s, i) => {
      const off = BigInt(s.HashKeyRange!.StartingHashKey!) - (BigInt(i) * (1n << 128n)) / 4n;
      expect(off < 0n ? -off : off).toBeLessThan(1000n);
    });

    const { byKey } = await readInLineageOrder(t.client, 'us');
    expectIncreasing(byKey, 1200);

    await expect(t.client.send(new UpdateShardCountCommand({ StreamName: 'us', TargetShardCount: 9, ScalingType: 'UNIFORM_SCALING' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    await expect(t.client.send(new UpdateShardCountCommand({ StreamName: 'us', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });
});
