import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogStore } from '../../src/ingest/log-store.js';
import type { Stream } from '../../src/ingest/stream.js';
import { bytes, readAll, removeDir, segmentFiles, shardDir, tempDir, text } from './helpers.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

describe('retention', () => {
  let dir: string;
  let store: LogStore;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    dir = tempDir();
    store = await LogStore.open(dir, { segmentBytes: 4096, indexIntervalBytes: 512, retentionCheckMs: 0 });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    removeDir(dir);
  });

  /** Appends `count` ~100-byte records at `time`, one commit each so segments roll often. */
  async function appendAt(stream: Stream, time: number, count: number, label: string): Promise<void> {
    vi.setSystemTime(time);
    for (let i = 0; i < count; i++) await stream.append([{ partitionKey: 'k', data: bytes(`${label}-${i}-${'p'.repeat(60)}`) }]);
  }

  it('deletes only whole segments whose newest record is older than the retention period', async () => {
    const stream = await store.createStream('events', 1);
    const shard = stream.shards()[0]!;
    const files = (): string[] => segmentFiles(shardDir(dir, 'events', shard.shardId));
    await appendAt(stream, T0, 100, 'old');
    await appendAt(stream, T0 + 10 * HOUR, 100, 'new');
    const before = await readAll(shard);
    const segments = shard.log.segments.map((s) => ({ base: s.base, last: s.lastTimestamp, first: s.firstTimestamp }));
    expect(segments.length).toBeGreaterThan(4);
    const mixed = segments.find((s) => s.first === T0 && s.last === T0 + 10 * HOUR);

    // 24 h after the old records: they are expired, the new ones are 14 h old.
    const report = await stream.enforceRetention(T0 + 24 * HOUR + 1);
    const kept = shard.log.segments.map((s) => s.base);
    const expectedGone = segments.filter((s) => s.last < T0 + 1);
    expect(expectedGone.length).toBeGreaterThan(0);
    expect(report.segmentsDeleted).toBe(expectedGone.length);
    expect(kept).toEqual(segments.filter((s) => s.last >= T0 + 1).map((s) => s.base));
    expect(files()).toHaveLength(kept.length);

    // Records come back whole-segment at a time: any old ones left share a segment with new ones.
    const after = await readAll(shard);
    expect(after).toEqual(before.slice(before.length - after.length));
    const oldLeft = after.filter((r) => text(r.data).startsWith('old'));
    if (mixed) expect(oldLeft.length).toBeGreaterThan(0);
    expect(after.filter((r) => text(r.data).startsWith('new'))).toHaveLength(100);
    expect(shard.position({ type: 'TRIM_HORIZON' }).ordinal).toBe(kept[0]);
  });

  it('rolls and then deletes the active segment once everything in it has expired', async () => {
    const stream = await store.createStream('idle', 1);
    const shard = stream.shards()[0]!;
    await appendAt(stream, T0, 10, 'only');
    expect(shard.log.segments).toHaveLength(1);
    const next = shard.log.counter.ordinal;

    await stream.enforceRetention(T0 + 25 * HOUR);
    expect(await readAll(shard)).toEqual([]);
    expect(shard.log.segments.map((s) => s.base)).toEqual([next]);

    vi.setSystemTime(T0 + 25 * HOUR);
    const [result] = await stream.append([{ partitionKey: 'k', data: bytes('fresh') }]);
    const records = await readAll(shard);
    expect(records.map((r) => r.sequenceNumber)).toEqual([result!.sequenceNumber]);
    await store.close();
    store = await LogStore.open(dir, { retentionCheckMs: 0 });
    const [again] = await store.getStream('idle').append([{ partitionKey: 'k', data: bytes('after reopen') }]);
    expect(BigInt(again!.sequenceNumber)).toBe(BigInt(result!.sequenceNumber) + 1n);
  });

  it('honours the retention period set on the stream, and keeps it across a reopen', async () => {
    const stream = await store.createStream('long', 1);
    await appendAt(stream, T0, 30, 'r');
    await expect(stream.setRetentionHours(23)).rejects.toThrow(/24 to 8760/);
    await expect(stream.setRetentionHours(8761)).rejects.toThrow(/24 to 8760/);
    await stream.setRetentionHours(48);
    expect((await stream.enforceRetention(T0 + 30 * HOUR)).segmentsDeleted).toBe(0);
    expect(await readAll(stream.shards()[0]!)).toHaveLength(30);

    await store.close();
    store = await LogStore.open(dir, { retentionCheckMs: 0 });
    const reopened = store.getStream('long');
    expect(reopened.retentionHours).toBe(48);
    expect((await store.enforceRetention(T0 + 49 * HOUR)).segmentsDeleted).toBeGreaterThan(0);
    expect(await readAll(reopened.shards()[0]!)).toEqual([]);
  });

  it('forgets a closed shard once its records have expired and it closed before the cutoff', async () => {
    const stream = await store.createStream('resharded', 1);
    await appendAt(stream, T0, 20, 'parent');
    const parent = stream.shards()[0]!;
    const children = await stream.splitShard(parent.shardId, (1n << 127n).toString());
    await appendAt(stream, T0 + 20 * HOUR, 20, 'child');

    expect((await stream.enforceRetention(T0 + 23 * HOUR)).shardsRemoved).toBe(0);
    const report = await stream.enforceRetention(T0 + 25 * HOUR);
    expect(report.shardsRemoved).toBe(1);
    expect(stream.shards().map((s) => s.shardId)).toEqual(children.map((c) => c.shardId));
    expect(stream.describe().shards.map((s) => s.parentShardId)).toEqual([parent.shardId, parent.shardId]);
    expect(fs.existsSync(shardDir(dir, 'resharded', parent.shardId))).toBe(false);

    await store.close();
    store = await LogStore.open(dir, { retentionCheckMs: 0 });
    expect(store.getStream('resharded').shards()).toHaveLength(2);
    const records = (await Promise.all(store.getStream('resharded').shards().map((s) => readAll(s)))).flat();
    expect(records).toHaveLength(20);
  });

  it('offers no way to delete a single record', () => {
    const methods = (o: object): string[] => Object.getOwnPropertyNames(Object.getPrototypeOf(o));
    return store.createStream('s', 1).then((stream) => {
      const names = [...methods(stream), ...methods(stream.shards()[0]!)];
      expect(names.filter((n) => /delete|remove|truncate/i.test(n))).toEqual([]);
      expect(fs.existsSync(dir)).toBe(true);
    });
  });
});
