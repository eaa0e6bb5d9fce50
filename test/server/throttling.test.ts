import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, settle, startTestServer, type TestServer } from './helpers.js';

function batch(count: number, keyPrefix = 'k', bytes = 10): { PartitionKey: string; Data: Uint8Array }[] {
  return Array.from({ length: count }, (_, i) => ({ PartitionKey: `${keyPrefix}${i}`, Data: Buffer.alloc(bytes, 97) }));
}

describe('per-shard limits, enforced by default', () => {
  let t: TestServer;
  let client: KinesisClient;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    t = await startTestServer({ clock: clock.read });
    // Throttling errors are retried by the SDK; with a clock that only moves by hand that would just wait.
    client = t.clientWith({ maxAttempts: 1 });
    await client.send(new CreateStreamCommand({ StreamName: 'one', ShardCount: 1 }));
    await client.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await settle();
  });

  afterAll(async () => {
    await t.close();
  });

  it('admits 1,000 records/s per shard and fails the rest record by record', async () => {
    for (let i = 0; i < 2; i++) expect((await client.send(new PutRecordsCommand({ StreamName: 'one', Records: batch(500) }))).FailedRecordCount).toBe(0);
    const over = await client.send(new PutRecordsCommand({ StreamName: 'one', Records: batch(10) }));
    expect(over.FailedRecordCount).toBe(10);
    expect(over.Records![0]).toEqual({
      ErrorCode: 'ProvisionedThroughputExceededException',
      ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream one under account 000000000000.',
    });
    await expect(client.send(new PutRecordCommand({ StreamName: 'one', PartitionKey: 'a', Data: Buffer.from('x') }))).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    clock.advance(250);
    const partly = await client.send(new PutRecordsCommand({ StreamName: 'one', Records: batch(300) }));
    expect(partly.FailedRecordCount).toBe(50);
    expect(partly.Records!.slice(0, 250).every((r) => r.SequenceNumber)).toBe(true);
    expect(partly.Records!.slice(250).every((r) => r.ErrorCode === 'ProvisionedThroughputExceededException')).toBe(true);
    clock.advance(1000);
  });

  it('admits 1 MiB/s per shard', async () => {
    const big = batch(3, 'b', 400 * 1024);
    const out = await client.send(new PutRecordsCommand({ StreamName: 'one', Records: big }));
    expect(out.Records!.map((r) => r.ErrorCode ?? 'ok')).toEqual(['ok', 'ok', 'ProvisionedThroughputExceededException']);
    clock.advance(1000);
  });

  it('admits 5 GetRecords calls/s per shard', async () => {
    const it0 = (await client.send(new GetShardIteratorCommand({ StreamName: 'one', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' }))).ShardIterator;
    for (let i = 0; i < 5; i++) await client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    await expect(client.send(new GetRecordsCommand({ ShardIterator: it0 }))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    clock.advance(200);
    await client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    clock.advance(1000);
  });

  it('charges GetRecords 2 MiB/s per shard, so a big read makes the next calls wait', async () => {
    for (let i = 0; i < 2; i++) {
      const out = await client.send(new PutRecordsCommand({ StreamName: 'one', Records: batch(1, `big${i}`, 900 * 1024) }));
      expect(out.FailedRecordCount).toBe(0);
      clock.advance(1000);
    }
    const it0 = (await client.send(new GetShardIteratorCommand({ StreamName: 'one', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })))
      .ShardIterator;
    // Everything written so far (~2.6 MB) comes back in one call, taking the bucket below zero.
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    expect(page.Records!.length).toBeGreaterThan(1000);
    await expect(client.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator }))).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    clock.advance(2000);
    await client.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator }));
  });

  it('grows an ON_DEMAND stream when its write rate nears capacity', async () => {
    expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))).StreamDescriptionSummary!.OpenShardCount).toBe(4);
    for (let i = 0; i < 8; i++) await client.send(new PutRecordsCommand({ StreamName: 'od', Records: batch(500, `w${i}-`) }));
    clock.advance(1000);
    await client.send(new PutRecordsCommand({ StreamName: 'od', Records: batch(10) }));
    let open = 0;
    for (let i = 0; i < 100 && open !== 8; i++) {
      await settle(20);
      open = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))).StreamDescriptionSummary!.OpenShardCount!;
    }
    expect(open).toBe(8);
    // A quiet second does not grow it further.
    clock.advance(1000);
    await client.send(new PutRecordsCommand({ StreamName: 'od', Records: batch(10) }));
    clock.advance(1000);
    await client.send(new PutRecordsCommand({ StreamName: 'od', Records: batch(10) }));
    await settle(50);
    expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))).StreamDescriptionSummary!.OpenShardCount).toBe(8);
  });
});

describe('--no-throttle', () => {
  it('takes far more than 1,000 records/s on one shard', async () => {
    const t = await startTestServer({ throttle: false });
    try {
      await t.client.send(new CreateStreamCommand({ StreamName: 'free', ShardCount: 1 }));
      await settle();
      const results = await Promise.all(Array.from({ length: 6 }, () => t.client.send(new PutRecordsCommand({ StreamName: 'free', Records: batch(500) }))));
      expect(results.map((r) => r.FailedRecordCount)).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await t.close();
    }
  });
});
