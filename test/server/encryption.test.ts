import fs from 'node:fs';
import path from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  SubscribeToShardCommand,
  type _Record,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { toObjects, type Row } from '../../src/runtime/rows.js';
import { eventually, startTestServer, tempDir, text, untilActive, type TestServer } from './helpers.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/sse';

/** Every record of every shard, from the trim horizon, through GetRecords. */
async function readStream(client: KinesisClient, stream: string): Promise<_Record[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
  const out: _Record[] = [];
  for (const shard of shards) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 97 }));
      out.push(...page.Records!);
      if (page.Records!.length === 0) break;
      it = page.NextShardIterator;
    }
  }
  return out;
}

/** Every byte of the stream's segment files, as latin1 text to search in. */
function segmentBytes(dir: string, stream: string): string {
  const root = path.join(dir, 'streams', stream);
  let all = '';
  for (const shard of fs.readdirSync(root).filter((n) => n.startsWith('shardId-'))) {
    for (const file of fs.readdirSync(path.join(root, shard)).filter((n) => n.endsWith('.seg'))) all += fs.readFileSync(path.join(root, shard, file)).toString('latin1');
  }
  return all;
}

const byData = (records: _Record[]): Map<string, string | undefined> => new Map(records.map((r) => [text(r.Data), r.EncryptionType]));

describe('StartStreamEncryption / StopStreamEncryption through the AWS SDK', () => {
  let t: TestServer | undefined;
  let dir: string;

  afterEach(async () => {
    await t?.close();
    t = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encrypts what is put after it on disk, reads it back as KMS before and after a restart, and stops', async () => {
    dir = tempDir();
    t = await startTestServer({ dataDir: dir, throttle: false });
    await t.client.send(new CreateStreamCommand({ StreamName: 'sse', ShardCount: 2 }));
    await untilActive(t.client, 'sse');
    await t.client.send(new PutRecordsCommand({ StreamName: 'sse', Records: [{ PartitionKey: 'a', Data: Buffer.from('clear-before') }] }));

    await t.client.send(new StartStreamEncryptionCommand({ StreamARN: ARN, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    await untilActive(t.client, 'sse');
    const summary = (await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'sse' }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect(fs.statSync(path.join(dir, 'keys', 'master.key')).mode & 0o777).toBe(0o600);

    const secret = Array.from({ length: 300 }, (_, i) => `card-number-${i}`);
    const put = await t.client.send(
      new PutRecordsCommand({ StreamName: 'sse', Records: secret.map((s, i) => ({ PartitionKey: `customer-${i % 9}`, Data: Buffer.from(s) })) }),
    );
    expect(put.FailedRecordCount).toBe(0);
    expect(put.EncryptionType).toBe('KMS');
    const one = await t.client.send(new PutRecordCommand({ StreamName: 'sse', PartitionKey: 'customer-x', Data: Buffer.from('card-number-single') }));
    expect(one.EncryptionType).toBe('KMS');

    const disk = segmentBytes(dir, 'sse');
    expect(disk).toContain('clear-before');
    expect(disk).not.toContain('card-number');
    expect(disk).not.toContain('customer-');

    const expectRead = async (client: KinesisClient): Promise<void> => {
      const got = byData(await readStream(client, 'sse'));
      expect(got.size).toBe(302);
      expect(got.get('clear-before')).toBeUndefined();
      for (const s of [...secret, 'card-number-single']) expect(got.get(s)).toBe('KMS');
    };
    await expectRead(t.client);

    await t.close();
    t = await startTestServer({ dataDir: dir, throttle: false });
    const described = (await t.client.send(new DescribeStreamCommand({ StreamName: 'sse' }))).StreamDescription!;
    expect(described).toMatchObject({ StreamStatus: 'ACTIVE', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    await expectRead(t.client);

    await t.client.send(new StopStreamEncryptionCommand({ StreamName: 'sse', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    await untilActive(t.client, 'sse');
    const stopped = (await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'sse' }))).StreamDescriptionSummary!;
    expect(stopped.EncryptionType).toBe('NONE');
    expect(stopped.KeyId).toBeUndefined();
    const after = await t.client.send(new PutRecordCommand({ StreamName: 'sse', PartitionKey: 'a', Data: Buffer.from('clear-after') }));
    expect(after.EncryptionType).toBe('NONE');
    const afterBatch = await t.client.send(new PutRecordsCommand({ StreamName: 'sse', Records: [{ PartitionKey: 'b', Data: Buffer.from('clear-after-2') }] }));
    expect(afterBatch.EncryptionType).toBeUndefined();
    expect(segmentBytes(dir, 'sse')).toContain('clear-after-2');

    const all = byData(await readStream(t.client, 'sse'));
    expect(all.size).toBe(304);
    expect(all.get('card-number-299')).toBe('KMS');
    expect(all.has('clear-after')).toBe(true);
    expect(all.get('clear-after')).toBeUndefined();
    expect(all.get('clear-after-2')).toBeUndefined();
  });

  it('answers bad requests as AWS does', async () => {
    dir = tempDir();
    t = await startTestServer({ dataDir: dir, throttle: false });
    await t.client.send(new CreateStreamCommand({ StreamName: 'sse', ShardCount: 1 }));
    await untilActive(t.client, 'sse');
    const start = (input: object) => t!.client.send(new StartStreamEncryptionCommand({ StreamName: 'sse', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis', ...input }));

    await expect(start({ EncryptionType: 'NONE' })).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(start({ EncryptionType: 'AES' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value 'AES' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [KMS, NONE]"),
    });
    await expect(start({ KeyId: '' })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'keyId'") });
    await expect(start({ KeyId: 'x'.repeat(2049) })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(start({ KeyId: 'not-a-key' })).rejects.toMatchObject({ name: 'KMSNotFoundException' });
    await expect(start({ StreamName: 'absent' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(t.client.send(new StopStreamEncryptionCommand({ StreamName: 'sse', EncryptionType: 'NONE', KeyId: 'alias/aws/kinesis' }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
    });
    // Nothing changed: no key file was needed, and the stream is still plain.
    expect(fs.existsSync(path.join(dir, 'keys', 'master.key'))).toBe(false);
    expect((await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'sse' }))).StreamDescriptionSummary!.EncryptionType).toBe('NONE');

    // While the stream is UPDATING (held so here by a background task) it takes no encryption change.
    let release!: () => void;
    t.server.api.inBackground('sse', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(start({})).rejects.toMatchObject({ name: 'ResourceInUseException', message: expect.stringContaining('UPDATING') });
    release();
    await untilActive(t.client, 'sse');

    // Key ARNs, alias ARNs and key ids are accepted as AWS accepts them; a stream takes 25 keys a day.
    const keyIds = [
      'arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012',
      'arn:aws:kms:us-east-1:123456789012:alias/MyAliasName',
      '12345678-1234-1234-1234-123456789012',
    ];
    for (let i = 0; i < 25; i++) {
      await start({ KeyId: keyIds[i % keyIds.length] });
      await untilActive(t.client, 'sse');
    }
    expect((await t.client.send(new DescribeStreamSummaryCommand({ StreamName: 'sse' }))).StreamDescriptionSummary!.KeyId).toBe(keyIds[0]);
    await expect(start({})).rejects.toMatchObject({ name: 'LimitExceededException' });
  });

  it('feeds SubscribeToShard and SQL applications decrypted records', async () => {
    dir = tempDir();
    t = await startTestServer({ dataDir: dir, throttle: false, subscriptionMs: 1000 });
    await t.client.send(new CreateStreamCommand({ StreamName: 'sse', ShardCount: 1 }));
    await untilActive(t.client, 'sse');
    await t.client.send(new StartStreamEncryptionCommand({ StreamName: 'sse', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    await untilActive(t.client, 'sse');
    const events = Array.from({ length: 40 }, (_, i) => ({ page: `/secret-page-${i % 4}`, n: i }));
    await t.client.send(new PutRecordsCommand({ StreamName: 'sse', Records: events.map((e) => ({ PartitionKey: e.page, Data: Buffer.from(JSON.stringify(e)) })) }));
    expect(segmentBytes(dir, 'sse')).not.toContain('secret-page');

    const consumer = (await t.client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN, ConsumerName: 'c' }))).Consumer!;
    await eventually('consumer ACTIVE', async () => (await t!.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }))).ConsumerDescription?.ConsumerStatus === 'ACTIVE');
    const sub = await t.client.send(new SubscribeToShardCommand({ ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const pushed: _Record[] = [];
    for await (const event of sub.EventStream!) pushed.push(...(event.SubscribeToShardEvent?.Records ?? []));
    expect(pushed.map((r) => JSON.parse(text(r.Data)) as unknown)).toEqual(events);
    expect(pushed.every((r) => r.EncryptionType === 'KMS')).toBe(true);

    const engine = new Engine({ workers: 0, log: t.server.store });
    const rows: Row[] = [];
    try {
      engine.execute(`CREATE STREAM clicks (page VARCHAR, n INTEGER) WITH (source = 'kinesis', stream = 'sse', format = 'json');
        CREATE STREAM pages AS SELECT page, n FROM clicks WHERE n >= 30;`);
      engine.on('pages', (r, def) => rows.push(...toObjects(r, def.fields.slice(0, -1))));
      await eventually('rows from the encrypted stream', async () => rows.length === 10);
      expect(rows.map((r) => r['n'])).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));
      expect(rows[0]!['page']).toBe('/secret-page-2');
    } finally {
      await engine.close();
    }
  });
});
