import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type _Record,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, settle, startTestServer, text, type TestServer } from './helpers.js';

async function iterator(client: KinesisClient, stream: string, shardId: string, type: ShardIteratorType, extra: object = {}): Promise<string> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }));
  return out.ShardIterator!;
}

/** Every record from the iterator on, `limit` at a time, until a read comes back empty. */
async function drain(client: KinesisClient, it: string, limit = 1000): Promise<_Record[]> {
  const out: _Record[] = [];
  for (;;) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit }));
    out.push(...page.Records!);
    if (page.Records!.length === 0 || !page.NextShardIterator) return out;
    it = page.NextShardIterator;
  }
}

describe('PutRecords / GetRecords through the AWS SDK', () => {
  let t: TestServer;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, clock: clock.read });
    await t.client.send(new CreateStreamCommand({ StreamName: 'rt', ShardCount: 4 }));
    await settle();
  });

  afterAll(async () => {
    await t.close();
  });

  it('round-trips records, in order per partition key, across shards', async () => {
    const sent = new Map<string, number[]>();
    for (let batch = 0; batch < 6; batch++) {
      const records = Array.from({ length: 500 }, (_, i) => {
        const n = batch * 500 + i;
        const key = `user-${n % 37}`;
        sent.set(key, [...(sent.get(key) ?? []), n]);
        return { PartitionKey: key, Data: Buffer.from(JSON.stringify({ n, key })) };
      });
      const out = await t.client.send(new PutRecordsCommand({ StreamName: 'rt', Records: records }));
      expect(out.FailedRecordCount).toBe(0);
      expect(out.Records).toHaveLength(500);
      for (const r of out.Records!) expect(r.ShardId).toMatch(/^shardId-00000000000[0-3]$/);
    }
    const shards = (await t.client.send(new ListShardsCommand({ StreamName: 'rt' }))).Shards!;
    const seen = new Map<string, number[]>();
    const keyShard = new Map<string, string>();
    let total = 0;
    for (const shard of shards) {
      const records = await drain(t.client, await iterator(t.client, 'rt', shard.ShardId!, 'TRIM_HORIZON'), 700);
      total += records.length;
      for (const r of records) {
        const body = JSON.parse(text(r.Data)) as { n: number; key: string };
        expect(r.PartitionKey).toBe(body.key);
        expect(r.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
        expect(keyShard.get(body.key) ?? shard.ShardId).toBe(shard.ShardId);
        keyShard.set(body.key, shard.ShardId!);
        seen.set(body.key, [...(seen.get(body.key) ?? []), body.n]);
      }
    }
    expect(total).toBe(3000);
    expect(new Set(keyShard.values()).size).toBeGreaterThan(1);
    expect(seen).toEqual(sent);
  });

  it('routes by ExplicitHashKey and takes StreamARN', async () => {
    const top = ((1n << 128n) - 1n).toString();
    const out = await t.client.send(
      new PutRecordCommand({ StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/rt', PartitionKey: 'x', ExplicitHashKey: top, Data: Buffer.from('top') }),
    );
    expect(out.ShardId).toBe('shardId-000000000003');
    const low = await t.client.send(new PutRecordsCommand({ StreamName: 'rt', Records: [{ PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('low') }] }));
    expect(low.Records![0]!.ShardId).toBe('shardId-000000000000');
  });

  it('starts iterators at every position type', async () => {
    const shard = 'shardId-000000000001';
    const put = async (body: string): Promise<string> =>
      (await t.client.send(new PutRecordCommand({ StreamName: 'rt', PartitionKey: 'p', ExplicitHashKey: ((1n << 126n) + 1n).toString(), Data: Buffer.from(body) })))
        .SequenceNumber!;
    const latest = await iterator(t.client, 'rt', shard, 'LATEST');
    const first = await put('a');
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const second = await put('b');
    await put('c');

    const bodies = async (it: string): Promise<string[]> => (await drain(t.client, it)).map((r) => text(r.Data)).filter((b) => ['a', 'b', 'c'].includes(b));
    expect(await bodies(latest)).toEqual(['a', 'b', 'c']);
    expect(await bodies(await iterator(t.client, 'rt', shard, 'TRIM_HORIZON'))).toEqual(['a', 'b', 'c']);
    expect(await bodies(await iterator(t.client, 'rt', shard, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: second }))).toEqual(['b', 'c']);
    expect(await bodies(await iterator(t.client, 'rt', shard, 'AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: first }))).toEqual(['b', 'c']);
    expect(await bodies(await iterator(t.client, 'rt', shard, 'AT_TIMESTAMP', { Timestamp: between }))).toEqual(['b', 'c']);
    expect(await bodies(await iterator(t.client, 'rt', shard, 'LATEST'))).toEqual([]);
  });

  it('pages with Limit and reports MillisBehindLatest', async () => {
    const it0 = await iterator(t.client, 'rt', 'shardId-000000000002', 'TRIM_HORIZON');
    const page = await t.client.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 3 }));
    expect(page.Records).toHaveLength(3);
    expect(page.MillisBehindLatest).toBeGreaterThanOrEqual(0);
    expect(page.NextShardIterator).toBeTruthy();
    const next = await t.client.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator, Limit: 3 }));
    expect(BigInt(next.Records![0]!.SequenceNumber!)).toBeGreaterThan(BigInt(page.Records![2]!.SequenceNumber!));
  });

  it('expires iterators after five minutes and refuses forged ones', async () => {
    const it0 = await iterator(t.client, 'rt', 'shardId-000000000000', 'TRIM_HORIZON');
    clock.advance(299_000);
    const ok = await t.client.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 1 }));
    expect(ok.Records).toHaveLength(1);
    clock.advance(2_000);
    await expect(t.client.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 1 }))).rejects.toMatchObject({ name: 'ExpiredIteratorException' });
    // The NextShardIterator handed out at 299 s is fresh.
    const next = await t.client.send(new GetRecordsCommand({ ShardIterator: ok.NextShardIterator, Limit: 1 }));
    expect(next.Records).toHaveLength(1);

    const forged = Buffer.from(it0, 'base64');
    forged[25] = forged[25]! ^ 1;
    await expect(t.client.send(new GetRecordsCommand({ ShardIterator: forged.toString('base64') }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Invalid ShardIterator.',
    });
    await expect(t.client.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });
});
