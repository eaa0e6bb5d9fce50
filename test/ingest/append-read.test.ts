import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compareSequenceNumbers } from '../../src/ingest/sequence-number.js';
import { LogStore } from '../../src/ingest/log-store.js';
import type { Shard } from '../../src/ingest/shard.js';
import type { AppendRecord } from '../../src/ingest/types.js';
import { bytes, readAll, removeDir, tempDir, text } from './helpers.js';

describe.each([
  ['files', true],
  ['memory', false],
])('append and read (%s)', (_mode, onDisk) => {
  let dir: string;
  let store: LogStore;

  beforeEach(async () => {
    dir = tempDir();
    store = await LogStore.open(onDisk ? dir : null, { segmentBytes: 16 * 1024, indexIntervalBytes: 1024, retentionCheckMs: 0 });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    removeDir(dir);
  });

  it('keeps each partition key in order and numbers records uniquely and increasingly per shard', async () => {
    const stream = await store.createStream('orders', 4);
    const batches: AppendRecord[][] = [];
    for (let b = 0; b < 40; b++) {
      batches.push(Array.from({ length: 50 }, (_, i) => ({ partitionKey: `key-${(b * 50 + i) % 13}`, data: bytes(String(b * 50 + i)) })));
    }
    const results = (await Promise.all(batches.map((batch) => stream.append(batch)))).flat();
    expect(results).toHaveLength(2000);
    expect(new Set(results.map((r) => r.sequenceNumber)).size).toBe(2000);

    const seen = new Map<string, number>();
    for (const shard of stream.shards()) {
      const records = await readAll(shard, { type: 'TRIM_HORIZON' }, 77);
      for (let i = 1; i < records.length; i++) {
        expect(compareSequenceNumbers(records[i - 1]!.sequenceNumber, records[i]!.sequenceNumber)).toBeLessThan(0);
        expect(records[i]!.approximateArrivalTimestamp).toBeGreaterThanOrEqual(records[i - 1]!.approximateArrivalTimestamp);
      }
      for (const record of records) {
        const n = Number(text(record.data));
        const last = seen.get(record.partitionKey);
        if (last !== undefined) expect(n).toBeGreaterThan(last);
        seen.set(record.partitionKey, n);
      }
    }
    expect(seen.size).toBe(13);
    // A key always lands on the shard its append result named.
    const byKey = new Map<string, string>();
    results.forEach((r, i) => {
      const key = `key-${i % 13}`;
      expect(byKey.get(key) ?? r.shardId).toBe(r.shardId);
      byKey.set(key, r.shardId);
    });
  });

  it('routes explicit hash keys to the shard whose range holds them', async () => {
    const stream = await store.createStream('explicit', 3);
    for (const shard of stream.shards()) {
      const { startingHashKey, endingHashKey } = shard.hashKeyRange;
      for (const key of [startingHashKey, endingHashKey, (startingHashKey + endingHashKey) / 2n]) {
        const [result] = await stream.append([{ partitionKey: 'ignored', explicitHashKey: key.toString(), data: bytes('x') }]);
        expect(result!.shardId).toBe(shard.shardId);
      }
    }
    const [record] = await readAll(stream.shards()[0]!);
    expect(record!.explicitHashKey).toBe('0');
    await expect(stream.append([{ partitionKey: 'k', explicitHashKey: '-5', data: bytes('x') }])).rejects.toThrow(/hash key/);
  });

  it('starts iterators at TRIM_HORIZON, LATEST, AT_ and AFTER_SEQUENCE_NUMBER', async () => {
    const stream = await store.createStream('iterators', 1);
    const shard = stream.shards()[0]!;
    const first = await stream.append(Array.from({ length: 300 }, (_, i) => ({ partitionKey: 'k', data: bytes(`a${i}`) })));
    const latest = shard.position({ type: 'LATEST' });
    await stream.append(Array.from({ length: 5 }, (_, i) => ({ partitionKey: 'k', data: bytes(`b${i}`) })));

    expect((await readAll(shard)).map((r) => text(r.data))).toHaveLength(305);
    expect((await readAll(shard, { type: 'TRIM_HORIZON' }))[0]!.sequenceNumber).toBe(first[0]!.sequenceNumber);
    expect((await shard.read(latest)).records.map((r) => text(r.data))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    const at = await shard.read(shard.position({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: first[200]!.sequenceNumber }), { limit: 2 });
    expect(at.records.map((r) => text(r.data))).toEqual(['a200', 'a201']);
    const after = await shard.read(shard.position({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: first[299]!.sequenceNumber }), { limit: 1 });
    expect(after.records.map((r) => text(r.data))).toEqual(['b0']);
    const caughtUp = await shard.read(shard.position({ type: 'LATEST' }));
    expect(caughtUp.records).toEqual([]);
    expect(caughtUp.millisBehindLatest).toBe(0);
    expect(caughtUp.endOfShard).toBe(false);
  });

  it('starts AT_TIMESTAMP at the first record that arrived at or after the time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const stream = await store.createStream('clock', 2);
    for (let minute = 0; minute < 10; minute++) {
      vi.setSystemTime(1_700_000_000_000 + minute * 60_000);
      await stream.append(Array.from({ length: 40 }, (_, i) => ({ partitionKey: `p${i}`, data: bytes(`${minute}:${i}`) })));
    }
    for (const shard of stream.shards()) {
      const all = await readAll(shard);
      const from = await readAll(shard, { type: 'AT_TIMESTAMP', timestamp: 1_700_000_000_000 + 6 * 60_000 - 1 });
      expect(from.map((r) => text(r.data))).toEqual(all.filter((r) => Number(text(r.data).split(':')[0]) >= 6).map((r) => text(r.data)));
      expect(from[0]!.approximateArrivalTimestamp).toBe(1_700_000_000_000 + 6 * 60_000);
      expect(await readAll(shard, { type: 'AT_TIMESTAMP', timestamp: 0 })).toHaveLength(all.length);
      const future = shard.position({ type: 'AT_TIMESTAMP', timestamp: 1_800_000_000_000 });
      expect((await shard.read(future)).records).toEqual([]);
    }
  });

  it('pages by limit and maxBytes across segment files, always making progress', async () => {
    const stream = await store.createStream('paging', 1);
    const shard = stream.shards()[0]!;
    const data = Array.from({ length: 400 }, (_, i) => `${i}:${'z'.repeat(i % 200)}`);
    for (let i = 0; i < data.length; i += 20) {
      await stream.append(data.slice(i, i + 20).map((d) => ({ partitionKey: 'same', data: bytes(d) })));
    }
    expect(shard.log.segments.length).toBeGreaterThan(2);
    for (const options of [{ limit: 1 }, { limit: 33 }, { maxBytes: 500 }, { maxBytes: 1 }, { limit: 10_000 }]) {
      let position = shard.position({ type: 'TRIM_HORIZON' });
      const got: string[] = [];
      for (;;) {
        const result = await shard.read(position, options);
        if (result.records.length === 0) break;
        if (options.maxBytes !== undefined && result.records.length > 1) {
          const size = result.records.reduce((sum, r) => sum + r.data.length + r.partitionKey.length, 0);
          expect(size).toBeLessThanOrEqual(options.maxBytes);
        }
        got.push(...result.records.map((r) => text(r.data)));
        position = result.next;
      }
      expect(got).toEqual(data);
    }
  });

  it('ignores a stale position hint and rejects sequence numbers from another shard', async () => {
    const stream = await store.createStream('hints', 2);
    const results = await stream.append(Array.from({ length: 200 }, (_, i) => ({ partitionKey: `k${i}`, data: bytes(String(i)) })));
    const shard = stream.shard(results[0]!.shardId);
    const other: Shard = stream.shards().find((s) => s.shardId !== shard.shardId)!;
    const records = await readAll(shard);
    const wrongHint = { ordinal: 3, segment: 0, offset: 17 };
    expect((await shard.read(wrongHint, { limit: 1 })).records[0]!.sequenceNumber).toBe(records[3]!.sequenceNumber);
    expect(() => other.position({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: records[0]!.sequenceNumber })).toThrow(/did not come from/);
    expect(() => shard.position({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '12345' })).toThrow(/did not come from/);
  });

  it('rejects malformed records without writing any of the batch', async () => {
    const stream = await store.createStream('bad', 1);
    await expect(stream.append([{ partitionKey: 'ok', data: bytes('1') }, { partitionKey: 'k', data: 'text' as unknown as Uint8Array }])).rejects.toThrow(/data/);
    await expect(stream.append([{ partitionKey: 7 as unknown as string, data: bytes('1') }])).rejects.toThrow(/partitionKey/);
    expect(await readAll(stream.shards()[0]!)).toEqual([]);
    expect(await stream.append([])).toEqual([]);
  });

  it('keeps the bytes a reader gets apart from the log', async () => {
    const stream = await store.createStream('copy', 1);
    await stream.append([{ partitionKey: 'k', data: bytes('original') }]);
    const [record] = await readAll(stream.shards()[0]!);
    record!.data.fill(0);
    expect(text((await readAll(stream.shards()[0]!))[0]!.data)).toBe('original');
  });
});
