import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HASH_KEY_MAX, partitionKeyHashKey } from '../../src/ingest/hashing.js';
import { LogStore } from '../../src/ingest/log-store.js';
import { compareSequenceNumbers } from '../../src/ingest/sequence-number.js';
import type { Shard } from '../../src/ingest/shard.js';
import { bytes, readAll, removeDir, tempDir, text } from './helpers.js';

describe('resharding', () => {
  let dir: string;
  let store: LogStore;

  beforeEach(async () => {
    dir = tempDir();
    store = await LogStore.open(dir, { segmentBytes: 8192, retentionCheckMs: 0 });
  });

  afterEach(async () => {
    await store.close();
    removeDir(dir);
  });

  const keys = Array.from({ length: 64 }, (_, i) => `key-${i}`);
  const owner = (shards: Shard[], key: string): Shard => {
    const h = partitionKeyHashKey(key);
    return shards.find((s) => s.open && s.hashKeyRange.startingHashKey <= h && h <= s.hashKeyRange.endingHashKey)!;
  };

  it('splits a shard into two adjacent children and routes by their ranges', async () => {
    const stream = await store.createStream('split', 2);
    const before = await stream.append(keys.map((k) => ({ partitionKey: k, data: bytes(`before ${k}`) })));
    const parent = stream.shards()[0]!;
    const { startingHashKey: start, endingHashKey: end } = parent.hashKeyRange;
    const middle = (start + end) / 2n;

    const [left, right] = await stream.splitShard(parent.shardId, middle.toString());
    expect(left!.shardId).toBe('shardId-000000000002');
    expect(right!.shardId).toBe('shardId-000000000003');
    expect(left!.hashKeyRange).toEqual({ startingHashKey: start, endingHashKey: middle - 1n });
    expect(right!.hashKeyRange).toEqual({ startingHashKey: middle, endingHashKey: end });
    expect(left!.describe().parentShardId).toBe(parent.shardId);
    expect(right!.describe().parentShardId).toBe(parent.shardId);

    const closed = parent.describe();
    expect(closed.open).toBe(false);
    const lastInParent = before.filter((r) => r.shardId === parent.shardId).pop()!;
    expect(compareSequenceNumbers(closed.sequenceNumberRange.endingSequenceNumber!, lastInParent.sequenceNumber)).toBeGreaterThan(0);

    const after = await stream.append(keys.map((k) => ({ partitionKey: k, data: bytes(`after ${k}`) })));
    after.forEach((r, i) => {
      expect(r.shardId).not.toBe(parent.shardId);
      expect(r.shardId).toBe(owner(stream.shards(), keys[i]!).shardId);
    });
    // A key's later records sort after its earlier ones: children number above their parent.
    after.forEach((r, i) => expect(compareSequenceNumbers(before[i]!.sequenceNumber, r.sequenceNumber)).toBeLessThan(0));

    // The parent still reads to its end, then reports it.
    const parentRecords = await readAll(parent);
    expect(parentRecords.every((r) => text(r.data).startsWith('before'))).toBe(true);
    const end2 = await parent.read(parent.position({ type: 'LATEST' }));
    expect(end2.endOfShard).toBe(true);
    expect((await right!.read(right!.position({ type: 'LATEST' }))).endOfShard).toBe(false);

    // The layout survives a reopen.
    const described = stream.describe().shards;
    await store.close();
    store = await LogStore.open(dir, { retentionCheckMs: 0 });
    expect(store.getStream('split').describe().shards).toEqual(described);
    const again = await store.getStream('split').append([{ partitionKey: keys[0]!, data: bytes('reopened') }]);
    expect(again[0]!.shardId).toBe(after[0]!.shardId);
  });

  it('merges two adjacent shards into one child covering both', async () => {
    const stream = await store.createStream('merge', 3);
    const [a, b, c] = stream.shards();
    await stream.append(keys.map((k) => ({ partitionKey: k, data: bytes(k) })));
    await expect(stream.mergeShards(a!.shardId, c!.shardId)).rejects.toThrow(/not an adjacent pair/);

    const child = await stream.mergeShards(b!.shardId, a!.shardId);
    expect(child.hashKeyRange).toEqual({ startingHashKey: 0n, endingHashKey: b!.hashKeyRange.endingHashKey });
    expect(child.describe()).toMatchObject({ parentShardId: b!.shardId, adjacentParentShardId: a!.shardId, open: true });
    expect(a!.open || b!.open).toBe(false);
    const results = await stream.append(keys.map((k) => ({ partitionKey: k, data: bytes(k) })));
    expect(new Set(results.map((r) => r.shardId))).toEqual(new Set([child.shardId, c!.shardId]));
    expect(stream.shards().filter((s) => s.open).map((s) => s.shardId)).toEqual([c!.shardId, child.shardId]);
  });

  it('refuses bad split points, closed shards and a second reshard while one is running', async () => {
    const stream = await store.createStream('rules', 1);
    const only = stream.shards()[0]!;
    await expect(stream.splitShard(only.shardId, '1')).rejects.toThrow(/NewStartingHashKey/);
    await expect(stream.splitShard(only.shardId, HASH_KEY_MAX.toString())).rejects.toThrow(/NewStartingHashKey/);
    await expect(stream.splitShard('shardId-000000000009', '100')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });

    const first = stream.splitShard(only.shardId, (1n << 127n).toString());
    await expect(stream.splitShard(only.shardId, '100')).rejects.toMatchObject({ code: 'ResourceInUseException' });
    await first;
    await expect(stream.splitShard(only.shardId, '100')).rejects.toThrow(/closed/);
  });

  it('loses no append that races a split', async () => {
    const stream = await store.createStream('race', 1);
    const parent = stream.shards()[0]!;
    const appends: Promise<{ shardId: string; sequenceNumber: string }[]>[] = [];
    let batch = 0;
    const more = (): void => {
      appends.push(stream.append(keys.map((k) => ({ partitionKey: k, data: bytes(`${batch} ${k}`) }))));
      batch++;
    };
    for (let i = 0; i < 10; i++) more();
    let done = false;
    const split = stream.splitShard(parent.shardId, (1n << 127n).toString()).finally(() => (done = true));
    while (!done) {
      more();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await split;
    for (let i = 0; i < 10; i++) more();
    const acked = (await Promise.all(appends)).flat();
    expect(new Set(acked.map((r) => r.shardId)).size).toBe(3);
    const stored = new Set((await Promise.all(stream.shards().map((s) => readAll(s)))).flat().map((r) => r.sequenceNumber));
    expect(acked.every((r) => stored.has(r.sequenceNumber))).toBe(true);
    expect(stored.size).toBe(batch * keys.length);
  });
});
