import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogStore } from '../../src/ingest/log-store.js';
import { bytes, readAll, removeDir, tempDir } from './helpers.js';

describe('log store', () => {
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(() => {
    removeDir(dir);
  });

  it('creates, lists, describes and deletes streams', async () => {
    const store = await LogStore.open(dir, { retentionCheckMs: 0 });
    try {
      const stream = await store.createStream('b-stream', 2);
      await store.createStream('a-stream', 1, { retentionHours: 168 });
      expect(store.listStreams()).toEqual(['a-stream', 'b-stream']);
      await expect(store.createStream('a-stream', 1)).rejects.toMatchObject({ code: 'ResourceInUseException' });

      const description = stream.describe();
      expect(description).toMatchObject({ name: 'b-stream', status: 'ACTIVE', retentionHours: 24 });
      expect(description.shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      expect(description.createdAt).toBeLessThanOrEqual(Date.now());

      await stream.append([{ partitionKey: 'k', data: bytes('x') }]);
      await store.deleteStream('b-stream');
      expect(store.listStreams()).toEqual(['a-stream']);
      expect(fs.existsSync(path.join(dir, 'streams', 'b-stream'))).toBe(false);
      expect(() => store.getStream('b-stream')).toThrow(/not found/);
      await expect(stream.append([{ partitionKey: 'k', data: bytes('x') }])).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
      await expect(store.deleteStream('b-stream')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });

      // The name is free again, and the new stream starts empty.
      const reborn = await store.createStream('b-stream', 1);
      expect(await readAll(reborn.shards()[0]!)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('validates names, shard counts and retention', async () => {
    const store = await LogStore.open(null);
    try {
      for (const name of ['', 'a/b', 'x'.repeat(129), 'sp ace', 'caf\u00e9']) {
        await expect(store.createStream(name, 1), name).rejects.toMatchObject({ code: 'InvalidArgumentException' });
      }
      await expect(store.createStream('s', 0)).rejects.toMatchObject({ code: 'InvalidArgumentException' });
      await expect(store.createStream('s', 1.5)).rejects.toMatchObject({ code: 'InvalidArgumentException' });
      await expect(store.createStream('s', 1, { retentionHours: 10 })).rejects.toMatchObject({ code: 'InvalidArgumentException' });
    } finally {
      await store.close();
    }
  });

  it('runs entirely in memory without a directory', async () => {
    const store = await LogStore.open(null, { segmentBytes: 2048 });
    const stream = await store.createStream('mem', 2);
    const results = [];
    for (let b = 0; b < 10; b++) {
      results.push(...(await stream.append(Array.from({ length: 30 }, (_, i) => ({ partitionKey: `k${i}`, data: bytes(`v${b}-${i}`) })))));
    }
    const records = (await Promise.all(stream.shards().map((s) => readAll(s)))).flat();
    expect(records.map((r) => r.sequenceNumber).sort()).toEqual(results.map((r) => r.sequenceNumber).sort());
    expect(stream.shards()[0]!.log.segments.length).toBeGreaterThan(1);
    await store.close();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('finishes pending appends on close and refuses work afterwards', async () => {
    const store = await LogStore.open(dir, { retentionCheckMs: 0 });
    const stream = await store.createStream('s', 2);
    const pending = Array.from({ length: 20 }, (_, b) => stream.append([{ partitionKey: `k${b}`, data: bytes(String(b)) }]));
    await store.close();
    expect((await Promise.all(pending)).flat()).toHaveLength(20);
    await expect(stream.append([{ partitionKey: 'k', data: bytes('late') }])).rejects.toMatchObject({ code: 'Closed' });
    await expect(store.createStream('t', 1)).rejects.toMatchObject({ code: 'Closed' });

    const reopened = await LogStore.open(dir, { retentionCheckMs: 0 });
    const records = (await Promise.all(reopened.getStream('s').shards().map((s) => readAll(s)))).flat();
    expect(records).toHaveLength(20);
    await reopened.close();
  });
});
