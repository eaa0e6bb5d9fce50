import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LogStore } from '../../src/ingest/log-store.js';
import { startTestServer, untilActive } from '../server/helpers.js';
import { readAll, removeDir, tempDir, text } from './helpers.js';

/** A real 1 MiB filesystem (tmpfs), where the kernel answers ENOSPC; needs root, as CI and the dev machines have. */
function mountSmallDisk(): string | undefined {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    removeDir(dir);
    return undefined;
  }
}

/** Writes `file` until the disk is full; returns its size. */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  let size = 0;
  try {
    for (;;) size += fs.writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

const disk = mountSmallDisk();

type Records = { partitionKey: string; data: Uint8Array }[];

/** 7 records of 1,000 bytes each, tagged so each can be found again. */
function batch(tag: string): Records {
  return Array.from({ length: 7 }, (_, i) => ({ partitionKey: 'k', data: Buffer.from(`${tag}-${i}:`.padEnd(1000, '.')) }));
}

describe.skipIf(disk === undefined)('a full disk (tmpfs of 1 MiB)', () => {
  const filler = disk === undefined ? '' : path.join(disk, 'filler');

  afterAll(() => {
    if (disk === undefined) return;
    execFileSync('umount', ['-l', disk]);
    removeDir(disk);
  });

  /**
   * Fills the disk but for 3 pages, then appends 4 batches: one fits (~7.3 KB), the next is cut
   * short by ENOSPC with some of its frames written whole, the rest find no room at all.
   */
  async function appendWhileFull(store: LogStore): Promise<{ acked: string[]; refused: string[] }> {
    const stream = store.getStream('s');
    const acked: string[] = [];
    const refused: string[] = [];
    await stream.append(batch('before'));
    acked.push(...batch('before').map((r) => text(r.data)));
    const full = fillDisk(filler);
    fs.truncateSync(filler, full - 3 * 4096);
    for (let n = 0; n < 4; n++) {
      const records = batch(`full${n}`);
      try {
        await stream.append(records);
        acked.push(...records.map((r) => text(r.data)));
      } catch (err) {
        expect((err as Error).message).toContain('ENOSPC');
        refused.push(...records.map((r) => text(r.data)));
      }
    }
    expect(acked.length).toBe(14);
    expect(refused.length).toBe(21);
    expect((await readAll(stream.shard('shardId-000000000000'))).map((r) => text(r.data))).toEqual(acked);
    return { acked, refused };
  }

  it('keeps no refused record, also after a restart', async () => {
    const root = path.join(disk!, 'restart');
    const store = await LogStore.open(root, { retentionCheckMs: 0 });
    await store.createStream('s', 1);
    const { acked, refused } = await appendWhileFull(store);
    await store.close();
    fs.rmSync(filler);

    const reopened = await LogStore.open(root, { retentionCheckMs: 0 });
    const again = (await readAll(reopened.getStream('s').shard('shardId-000000000000'))).map((r) => text(r.data));
    await reopened.close();
    expect(again).toEqual(acked);
    for (const r of refused) expect(again).not.toContain(r);
  });

  it('takes appends again once space is back, without a restart and with no gap in sequence numbers', async () => {
    const root = path.join(disk!, 'retry');
    const store = await LogStore.open(root, { retentionCheckMs: 0 });
    const stream = await store.createStream('s', 1);
    const { acked } = await appendWhileFull(store);
    fs.rmSync(filler);

    const after = await stream.append(batch('after'));
    acked.push(...batch('after').map((r) => text(r.data)));
    const records = await readAll(stream.shard('shardId-000000000000'));
    expect(records.map((r) => text(r.data))).toEqual(acked);
    expect(records.map((r) => r.sequenceNumber).slice(-7)).toEqual(after.map((r) => r.sequenceNumber));
    const ordinals = records.map((r) => Number(BigInt(r.sequenceNumber) % 10n ** 16n));
    expect(ordinals).toEqual(ordinals.map((_, i) => i));
    await store.close();

    const reopened = await LogStore.open(root, { retentionCheckMs: 0 });
    expect((await readAll(reopened.getStream('s').shard('shardId-000000000000'))).map((r) => text(r.data))).toEqual(acked);
    await reopened.close();
  });

  it('PutRecords over two shards, one out of space: that shard\'s records fail one by one with InternalFailure, the other\'s are stored', async () => {
    const t = await startTestServer({ dataDir: path.join(disk!, 'api'), throttle: false });
    try {
      await t.client.send(new CreateStreamCommand({ StreamName: 'two', ShardCount: 2 }));
      await untilActive(t.client, 'two');
      const low = { PartitionKey: 'a', ExplicitHashKey: '0' };
      const high = { PartitionKey: 'b', ExplicitHashKey: ((1n << 128n) - 1n).toString() };
      // A record on each shard first, so each segment's last page has room left for a small write.
      await t.client.send(new PutRecordsCommand({ StreamName: 'two', Records: [{ ...low, Data: Buffer.from('first-low') }, { ...high, Data: Buffer.from('first-high') }] }));
      fillDisk(filler);
      const records = [{ ...low, Data: Buffer.from('small') }, ...Array.from({ length: 6 }, (_, i) => ({ ...high, Data: Buffer.alloc(1000, 65 + i) }))];
      const out = await t.client.send(new PutRecordsCommand({ StreamName: 'two', Records: records }));
      expect(out.FailedRecordCount).toBe(6);
      expect(out.Records![0]).toMatchObject({ ShardId: 'shardId-000000000000' });
      expect(out.Records!.slice(1).every((r) => r.ErrorCode === 'InternalFailure' && r.SequenceNumber === undefined)).toBe(true);
      const stream = t.server.store.getStream('two');
      expect((await readAll(stream.shard('shardId-000000000000'))).map((r) => text(r.data))).toEqual(['first-low', 'small']);
      expect((await readAll(stream.shard('shardId-000000000001'))).map((r) => text(r.data))).toEqual(['first-high']);

      // The client retries the failed records once there is room; each is stored once.
      fs.rmSync(filler);
      const retry = await t.client.send(new PutRecordsCommand({ StreamName: 'two', Records: records.slice(1) }));
      expect(retry.FailedRecordCount).toBe(0);
      expect(await readAll(stream.shard('shardId-000000000001'))).toHaveLength(7);
    } finally {
      fs.rmSync(filler, { force: true });
      await t.close();
    }
  });
});
