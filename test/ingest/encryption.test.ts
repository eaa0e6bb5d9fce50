import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/errors.js';
import { crc32Of } from '../../src/ingest/log/checksum.js';
import { LogStore } from '../../src/ingest/log-store.js';
import type { LogStoreOptions } from '../../src/ingest/types.js';
import { bytes, readAll, removeDir, segmentFiles, shardDir, tempDir, text } from './helpers.js';

const OPTIONS: LogStoreOptions = { segmentBytes: 64 * 1024, indexIntervalBytes: 1024, retentionCheckMs: 0 };
const SHARD = 'shardId-000000000000';

function writeKeyFile(file: string, lines: string[]): void {
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

function hexKey(): string {
  return crypto.randomBytes(32).toString('hex');
}

describe('encryption at rest', () => {
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

  async function reopen(options: LogStoreOptions = {}): Promise<LogStore> {
    await store?.close();
    store = undefined;
    store = await LogStore.open(dir, { ...OPTIONS, ...options });
    return store;
  }

  function shardFiles(stream = 'log'): string[] {
    const d = shardDir(dir, stream, SHARD);
    return segmentFiles(d).map((f) => path.join(d, f));
  }

  /** Every byte of a shard's segment files, as latin1 text to search in. */
  function onDisk(stream = 'log'): string {
    return shardFiles(stream)
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
  }

  it('stores records written while encrypted unreadably on disk, and reads them back across a restart', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.append([{ partitionKey: 'before', data: bytes('plain-secret-0') }]);
    await stream.startEncryption('alias/aws/kinesis');
    expect(stream.encryptionKeyId).toBe('alias/aws/kinesis');
    const sent = Array.from({ length: 300 }, (_, i) => ({ partitionKey: `user-${i % 7}`, data: bytes(`hidden-payload-${i}`) }));
    for (let i = 0; i < sent.length; i += 50) await stream.append(sent.slice(i, i + 50));

    const keyFile = path.join(dir, 'keys', 'master.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'streams', 'log', 'stream.json'), 'utf8')) as { version: number; encryption: unknown };
    expect(meta).toMatchObject({ version: 2, encryption: { keyId: 'alias/aws/kinesis' } });
    const disk = onDisk();
    expect(disk).toContain('plain-secret-0');
    expect(disk).not.toContain('hidden-payload');
    expect(disk).not.toContain('user-');

    const check = async (st: LogStore): Promise<void> => {
      const records = await readAll(st.getStream('log').shards()[0]!);
      expect(records.map((r) => text(r.data))).toEqual(['plain-secret-0', ...sent.map((r) => text(r.data))]);
      expect(records.map((r) => r.partitionKey)).toEqual(['before', ...sent.map((r) => r.partitionKey)]);
      expect(records[0]!.encrypted).toBeUndefined();
      expect(records.slice(1).every((r) => r.encrypted === true)).toBe(true);
    };
    await check(s);
    const again = await reopen();
    expect(again.getStream('log').encryptionKeyId).toBe('alias/aws/kinesis');
    await check(again);
    await again.getStream('log').append([{ partitionKey: 'k', data: bytes('hidden-after-restart') }]);
    expect(onDisk()).not.toContain('hidden-after-restart');
    expect(text((await readAll(again.getStream('log').shards()[0]!)).pop()!.data)).toBe('hidden-after-restart');
  });

  it('stores records plain again after a stop, and reads the mix in order', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    await stream.append([{ partitionKey: 'k', data: bytes('sealed-one') }]);
    await stream.stopEncryption();
    expect(stream.encryptionKeyId).toBeUndefined();
    await stream.append([{ partitionKey: 'k', data: bytes('open-two') }]);
    // Stopped, but its older segments are still encrypted: the metadata stays at version 2.
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'streams', 'log', 'stream.json'), 'utf8')) as { version: number; encryption?: unknown };
    expect(meta.version).toBe(2);
    expect(meta.encryption).toBeUndefined();
    await stream.startEncryption('alias/aws/kinesis');
    await stream.append([{ partitionKey: 'k', data: bytes('sealed-three') }]);

    const disk = onDisk();
    expect(disk).toContain('open-two');
    expect(disk).not.toContain('sealed-');
    const check = async (st: LogStore): Promise<void> => {
      const records = await readAll(st.getStream('log').shards()[0]!);
      expect(records.map((r) => [text(r.data), r.encrypted ?? false])).toEqual([
        ['sealed-one', true],
        ['open-two', false],
        ['sealed-three', true],
      ]);
    };
    await check(s);
    await check(await reopen());
  });

  it('pages through a sealed block record by record, by limit, bytes and position', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    const results = await stream.append(Array.from({ length: 400 }, (_, i) => ({ partitionKey: 'k', data: bytes(`r${i}`.padEnd(100, '.')) })));
    const shard = stream.shards()[0]!;

    const paged = await readAll(shard, { type: 'TRIM_HORIZON' }, 7);
    expect(paged.map((r) => r.sequenceNumber)).toEqual(results.map((r) => r.sequenceNumber));

    const byBytes: string[] = [];
    let position = shard.position({ type: 'TRIM_HORIZON' });
    for (;;) {
      const page = await shard.read(position, { maxBytes: 1000 });
      if (page.records.length === 0) break;
      expect(page.records.length).toBeLessThanOrEqual(10);
      byBytes.push(...page.records.map((r) => r.sequenceNumber));
      position = page.next;
    }
    expect(byBytes).toEqual(results.map((r) => r.sequenceNumber));

    const from = await readAll(shard, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: results[123]!.sequenceNumber }, 50);
    expect(from.map((r) => text(r.data).replace(/\.+$/, ''))).toEqual(Array.from({ length: 277 }, (_, i) => `r${i + 123}`));

    // A later batch arrives later: AT_TIMESTAMP finds its first record past the earlier blocks.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await stream.append(Array.from({ length: 30 }, (_, i) => ({ partitionKey: 'k', data: bytes(`later-${i}`) })));
    const all = await readAll(shard);
    const at = all[400]!.approximateArrivalTimestamp;
    expect(at).toBeGreaterThan(all[399]!.approximateArrivalTimestamp);
    const later = await readAll(shard, { type: 'AT_TIMESTAMP', timestamp: at }, 4);
    expect(later.map((r) => text(r.data))).toEqual(Array.from({ length: 30 }, (_, i) => `later-${i}`));
  });

  it('cuts a torn encrypted tail on open, and writes on under a new data key', async () => {
    let s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      const [r] = await stream.append([{ partitionKey: 'k', data: bytes(`record-${i}`) }]);
      written.push(r!.sequenceNumber);
    }
    await s.close();
    store = undefined;
    const [file] = shardFiles();
    const size = fs.statSync(file!).size;
    // The last record's sealed frame loses its last 10 bytes, as a crash mid-write would leave it.
    fs.truncateSync(file!, size - 10);
    fs.rmSync(file!.replace(/\.seg$/, '.idx'));

    s = await reopen();
    const records = await readAll(s.getStream('log').shards()[0]!);
    expect(records.map((r) => r.sequenceNumber)).toEqual(written.slice(0, 19));
    expect(records.map((r) => text(r.data))).toEqual(Array.from({ length: 19 }, (_, i) => `record-${i}`));
    expect(fs.statSync(file!).size).toBeLessThan(size - 10);

    // The cut record's ordinal is handed out again: it goes into a new segment, under a new data key.
    const [next] = await s.getStream('log').append([{ partitionKey: 'k', data: bytes('after-crash') }]);
    expect(next!.sequenceNumber).toBe(written[19]);
    const files = shardFiles();
    expect(files).toHaveLength(2);
    const headers = files.map((f) => fs.readFileSync(f).subarray(0, 84));
    expect(headers[0]!.subarray(0, 4).toString()).toBe('SLE1');
    expect(headers[1]!.subarray(36, 68).equals(headers[0]!.subarray(36, 68))).toBe(false);
    expect(text((await readAll(s.getStream('log').shards()[0]!)).pop()!.data)).toBe('after-crash');
    expect(onDisk()).not.toContain('after-crash');
  });

  it('refuses to open with a wrong or missing master key, naming the problem, and opens with the right one', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    await stream.append([{ partitionKey: 'k', data: bytes('needs-the-key') }]);
    await s.close();
    store = undefined;

    const other = path.join(dir, 'other.key');
    writeKeyFile(other, [hexKey()]);
    await expect(LogStore.open(dir, { ...OPTIONS, kmsKeyFile: other })).rejects.toThrow(/encrypted under master key [0-9a-f]{16}, which key file .*other\.key does not hold/);

    const keyFile = path.join(dir, 'keys', 'master.key');
    const saved = path.join(dir, 'saved.key');
    fs.renameSync(keyFile, saved);
    await expect(LogStore.open(dir, OPTIONS)).rejects.toThrow(/master\.key does not exist/);
    expect(fs.existsSync(keyFile)).toBe(false);

    const again = await reopen({ kmsKeyFile: saved });
    expect(text((await readAll(again.getStream('log').shards()[0]!))[0]!.data)).toBe('needs-the-key');
  });

  it('answers a sealed frame that does not authenticate as corrupt, never as data', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    await stream.append([{ partitionKey: 'k', data: bytes('x'.repeat(200)) }]);
    const [file] = shardFiles();
    const bytesOnDisk = fs.readFileSync(file!);
    // Flip a ciphertext byte and mend the checksum, so only the authentication tag can notice.
    const frame = 84;
    bytesOnDisk[frame + 40]! ^= 1;
    const length = bytesOnDisk.readUInt32LE(frame);
    bytesOnDisk.writeUInt32LE(crc32Of(bytesOnDisk.subarray(frame + 8, frame + length)), frame + 4);
    fs.writeFileSync(file!, bytesOnDisk);
    const shard = stream.shards()[0]!;
    const failure = await shard.read(shard.position({ type: 'TRIM_HORIZON' })).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(IngestError);
    expect((failure as IngestError).message).toMatch(/fails authentication/);
  });

  it('maps KeyIds to the named keys of a key file, and refuses names it lacks', async () => {
    const keyFile = path.join(dir, 'keys.txt');
    writeKeyFile(keyFile, ['# two keys', `alias/orders ${hexKey()}`, `1234abcd-12ab-34cd-56ef-1234567890ab ${hexKey()}`]);
    const s = await reopen({ kmsKeyFile: keyFile });
    const orders = await s.keyring.resolve('arn:aws:kms:us-east-1:123456789012:alias/orders');
    expect(orders.name).toBe('alias/orders');
    expect((await s.keyring.resolve('alias/aws/kinesis')).fingerprint.equals(orders.fingerprint)).toBe(true);
    const byId = await s.keyring.resolve('arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(byId.fingerprint.equals(orders.fingerprint)).toBe(false);
    await expect(s.keyring.resolve('alias/missing')).rejects.toMatchObject({ code: 'KMSNotFoundException' });
    await expect(s.keyring.resolve('not a key id')).rejects.toMatchObject({ code: 'KMSNotFoundException' });

    const a = await s.createStream('a', 1);
    const b = await s.createStream('b', 1);
    await a.startEncryption('alias/orders');
    await b.startEncryption('1234abcd-12ab-34cd-56ef-1234567890ab');
    await a.append([{ partitionKey: 'k', data: bytes('for-a') }]);
    await b.append([{ partitionKey: 'k', data: bytes('for-b') }]);
    const fingerprintOf = (stream: string): string => fs.readFileSync(shardFiles(stream)[0]!).subarray(16, 24).toString('hex');
    expect(fingerprintOf('a')).toBe(orders.fingerprint.toString('hex'));
    expect(fingerprintOf('b')).toBe(byId.fingerprint.toString('hex'));
  });

  it('refuses a key file other users can read, or one it cannot read exactly', async () => {
    const keyFile = path.join(dir, 'open.key');
    writeKeyFile(keyFile, [hexKey()]);
    fs.chmodSync(keyFile, 0o644);
    await expect(LogStore.open(dir, { ...OPTIONS, kmsKeyFile: keyFile })).rejects.toThrow(/can be read by other users \(mode 644\); chmod 600 it/);
    const named = path.join(dir, 'named.key');
    writeKeyFile(named, [`orders ${hexKey()}`]);
    await expect(LogStore.open(dir, { ...OPTIONS, kmsKeyFile: named })).rejects.toThrow(/line 1: orders is not a KeyId/);
    writeKeyFile(named, [hexKey().slice(2)]);
    await expect(LogStore.open(dir, { ...OPTIONS, kmsKeyFile: named })).rejects.toThrow(/line 1: expected 64 hex digits/);
  });

  it('encrypts the children of a reshard, and in-memory stores too', async () => {
    const s = await reopen();
    const stream = await s.createStream('log', 1);
    await stream.startEncryption('alias/aws/kinesis');
    const [low, high] = await stream.splitShard(SHARD, (2n ** 127n).toString());
    await stream.append(Array.from({ length: 40 }, (_, i) => ({ partitionKey: `child-${i}`, data: bytes(`child-data-${i}`) })));
    const childRecords = [...(await readAll(low!)), ...(await readAll(high!))];
    expect(childRecords).toHaveLength(40);
    expect(childRecords.every((r) => r.encrypted === true)).toBe(true);
    for (const child of [low!, high!]) {
      const d = shardDir(dir, 'log', child.shardId);
      for (const f of segmentFiles(d)) expect(fs.readFileSync(path.join(d, f)).toString('latin1')).not.toContain('child-data');
    }

    const memory = await LogStore.open(null, { retentionCheckMs: 0 });
    try {
      const m = await memory.createStream('m', 2);
      await m.startEncryption('alias/aws/kinesis');
      await m.append(Array.from({ length: 30 }, (_, i) => ({ partitionKey: `p${i}`, data: bytes(`m${i}`) })));
      const records = (await Promise.all(m.shards().map((sh) => readAll(sh)))).flat();
      expect(records.map((r) => text(r.data)).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort());
      expect(records.every((r) => r.encrypted === true)).toBe(true);
    } finally {
      await memory.close();
    }
  });
});
