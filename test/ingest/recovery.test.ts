import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogStore } from '../../src/ingest/log-store.js';
import { compareSequenceNumbers } from '../../src/ingest/sequence-number.js';
import type { LogStoreOptions } from '../../src/ingest/types.js';
import { bytes, readAll, removeDir, segmentFiles, shardDir, tempDir, text } from './helpers.js';

const OPTIONS: LogStoreOptions = { segmentBytes: 8 * 1024, indexIntervalBytes: 512, retentionCheckMs: 0 };

describe('reopening a store', () => {
  let dir: string;
  let store: LogStore | undefined;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    removeDir(dir);
  });

  async function reopen(): Promise<LogStore> {
    await store?.close();
    store = await LogStore.open(dir, OPTIONS);
    return store;
  }

  /** Writes `count` records (one per append so each is its own commit) to a one-shard stream. */
  async function fillOneShard(count: number): Promise<string[]> {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    const sequenceNumbers: string[] = [];
    for (let i = 0; i < count; i++) {
      const [result] = await stream.append([{ partitionKey: 'k', data: bytes(`record-${i}`) }]);
      sequenceNumbers.push(result!.sequenceNumber);
    }
    await s.close();
    store = undefined;
    return sequenceNumbers;
  }

  function activeSegment(): string {
    const files = segmentFiles(shardDir(dir, 'log', 'shardId-000000000000'));
    return path.join(shardDir(dir, 'log', 'shardId-000000000000'), files[files.length - 1]!);
  }

  it('brings back streams, shards, metadata and records, and keeps numbering after them', async () => {
    const s = await reopen();
    const stream = await s.createStream('clicks', 3, { retentionHours: 48 });
    const before = await stream.append(Array.from({ length: 500 }, (_, i) => ({ partitionKey: `u${i % 17}`, data: bytes(`r${i}`) })));

    const again = await reopen();
    expect(again.listStreams()).toEqual(['clicks']);
    const reopened = again.getStream('clicks');
    expect(reopened.retentionHours).toBe(48);
    expect(reopened.describe().shards).toEqual(stream.describe().shards);
    const records = (await Promise.all(reopened.shards().map((sh) => readAll(sh)))).flat();
    expect(records.map((r) => r.sequenceNumber).sort()).toEqual(before.map((r) => r.sequenceNumber).sort());

    const after = await reopened.append([{ partitionKey: 'u1', data: bytes('later') }]);
    const sameShard = before.filter((r) => r.shardId === after[0]!.shardId);
    expect(compareSequenceNumbers(sameShard[sameShard.length - 1]!.sequenceNumber, after[0]!.sequenceNumber)).toBeLessThan(0);
  });

  it('cuts garbage appended after the last record', async () => {
    const written = await fillOneShard(50);
    const file = activeSegment();
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from('this is not a frame, just junk left by a crash'));

    const s = await reopen();
    expect(fs.statSync(file).size).toBe(size);
    const records = await readAll(s.getStream('log').shards()[0]!);
    expect(records.map((r) => r.sequenceNumber)).toEqual(written);
    const [next] = await s.getStream('log').append([{ partitionKey: 'k', data: bytes('after') }]);
    expect(compareSequenceNumbers(written[written.length - 1]!, next!.sequenceNumber)).toBeLessThan(0);
    expect(text((await readAll(s.getStream('log').shards()[0]!)).pop()!.data)).toBe('after');
  });

  it('drops a record cut in half, keeping everything before it', async () => {
    const written = await fillOneShard(50);
    const file = activeSegment();
    fs.truncateSync(file, fs.statSync(file).size - 5);

    const s = await reopen();
    const records = await readAll(s.getStream('log').shards()[0]!);
    expect(records.map((r) => r.sequenceNumber)).toEqual(written.slice(0, -1));
    // The lost ordinal is handed out again: it was never acknowledged.
    const [next] = await s.getStream('log').append([{ partitionKey: 'k', data: bytes('again') }]);
    expect(next!.sequenceNumber).toBe(written[written.length - 1]);
  });

  it('drops a record whose bytes fail the checksum, and everything after it', async () => {
    const written = await fillOneShard(50);
    const file = activeSegment();
    const content = fs.readFileSync(file);
    const starts = frameStarts(content);
    expect(starts).toHaveLength(written.length);
    // Flip the last data byte of the third-to-last record. A clean close leaves an index that
    // vouches for the file; a crash does not, so remove it as a crash would have.
    const at = starts[starts.length - 2]! - 1;
    content[at] = content[at]! ^ 0xff;
    fs.writeFileSync(file, content);
    fs.rmSync(file.replace(/\.seg$/, '.idx'));

    const s = await reopen();
    expect(fs.statSync(file).size).toBe(starts[starts.length - 3]);
    const records = await readAll(s.getStream('log').shards()[0]!);
    expect(records.map((r) => r.sequenceNumber)).toEqual(written.slice(0, -3));
  });

  it('reports, rather than returns, a record corrupted in place in a sealed segment', async () => {
    await fillOneShard(400);
    const first = path.join(shardDir(dir, 'log', 'shardId-000000000000'), segmentFiles(shardDir(dir, 'log', 'shardId-000000000000'))[0]!);
    const content = fs.readFileSync(first);
    const at = frameStarts(content)[5]! + 40;
    content[at] = content[at]! ^ 0x01;
    fs.writeFileSync(first, content);

    const s = await reopen();
    await expect(readAll(s.getStream('log').shards()[0]!)).rejects.toMatchObject({ code: 'Corrupt' });
  });

  it('rebuilds a missing or stale segment index by scanning', async () => {
    const written = await fillOneShard(400);
    const dirOfShard = shardDir(dir, 'log', 'shardId-000000000000');
    const indexes = fs.readdirSync(dirOfShard).filter((n) => n.endsWith('.idx'));
    expect(indexes.length).toBeGreaterThan(1);
    fs.rmSync(path.join(dirOfShard, indexes[0]!));
    fs.writeFileSync(path.join(dirOfShard, indexes[1]!), 'garbage');

    const s = await reopen();
    const shard = s.getStream('log').shards()[0]!;
    expect((await readAll(shard)).map((r) => r.sequenceNumber)).toEqual(written);
    const at = await shard.read(shard.position({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: written[333]! }), { limit: 1 });
    expect(text(at.records[0]!.data)).toBe('record-333');
  });

  it('forgets a stream whose creation never finished', async () => {
    await reopen();
    fs.mkdirSync(path.join(dir, 'streams', 'half', 'shardId-000000000000'), { recursive: true });
    const s = await reopen();
    expect(s.listStreams()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'streams', 'half'))).toBe(false);
  });

  it('refuses a second open of the same directory while the first holds it', async () => {
    await reopen();
    await expect(LogStore.open(dir, OPTIONS)).rejects.toThrow(/already open/);
  });
});

/** Byte offsets of the frames in a segment file (whole frames only, in these tests). */
function frameStarts(content: Buffer): number[] {
  const starts: number[] = [];
  for (let p = 0; p + 4 <= content.length; p += content.readUInt32LE(p)) starts.push(p);
  return starts;
}
