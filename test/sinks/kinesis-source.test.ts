import fs from 'node:fs';
import path from 'node:path';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, ListDeliveryStreamsCommand, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { readFrames } from '../../src/sinks/index.js';
import { bytes, closeAndRemove, errorOf, listFiles, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';

let t: FirehoseTestServer | undefined;
let dir: string;

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
});

const append = (from: number, to: number) =>
  t!.server.store.getStream('clicks').append(
    Array.from({ length: to - from }, (_, i) => ({ partitionKey: `user-${(from + i) % 7}`, data: Buffer.from(JSON.stringify({ user: `user-${(from + i) % 7}`, n: from + i })) })),
  );

/** Records in the delivery stream's buffer files (acknowledged, not yet delivered). */
const buffered = (name: string): number =>
  listFiles(path.join(dir, 'firehose', name))
    .filter((f) => f.startsWith('buffer-'))
    .reduce((n, f) => n + readFrames(fs.readFileSync(path.join(dir, 'firehose', name, f))).length, 0);

/** Delivered records, objects in delivery order (names within one second sort by their uuid). */
const delivered = (earlier: readonly string[]): { user: string; n: number }[] => {
  const bucket = path.join(dir, 's3', 'bucket');
  const keys = [...earlier, ...listFiles(bucket).filter((k) => !earlier.includes(k))];
  return keys.flatMap((k) =>
    fs
      .readFileSync(path.join(bucket, k), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { user: string; n: number }),
  );
};

describe('KinesisStreamAsSource', () => {
  it('reads a stream of the ingest log from the trim horizon, parents before children, and resumes after a restart with nothing lost', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await t.server.store.createStream('clicks', 2);
    await append(0, 100);
    const missing = await errorOf(
      t.client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'nope',
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/absent', RoleARN: ROLE },
          S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' },
        }),
      ),
    );
    expect(missing.name).toBe('InvalidArgumentException');
    const noSource = await errorOf(
      t.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'nope', DeliveryStreamType: 'KinesisStreamAsSource', S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket' } })),
    );
    expect(noSource.name).toBe('InvalidArgumentException');

    await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'from-log',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: 'arn:aws:s3:::bucket',
          BufferingHints: { IntervalInSeconds: 900 },
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
        },
      }),
    );
    await waitFor(() => buffered('from-log') === 100);
    // A split: the children are read only after the parent is read to its end.
    const shard0 = t.server.store.getStream('clicks').shards()[0]!;
    await t.server.store.getStream('clicks').splitShard(shard0.shardId, '85070591730234615865843651857942052864');
    await append(100, 160);
    await waitFor(() => buffered('from-log') === 160);

    const d = (await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'from-log' }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(d.Source?.KinesisStreamSourceDescription).toMatchObject({ KinesisStreamARN: STREAM_ARN, RoleARN: ROLE });
    expect(d.Source?.KinesisStreamSourceDescription?.DeliveryStartTimestamp).toBeInstanceOf(Date);
    expect((await t.client.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: 'KinesisStreamAsSource' }))).DeliveryStreamNames).toEqual(['from-log']);
    const put = await errorOf(t.client.send(new PutRecordCommand({ DeliveryStreamName: 'from-log', Record: { Data: bytes('x') } })));
    expect(put.name).toBe('InvalidArgumentException');
    const putBatch = await errorOf(t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'from-log', Records: [{ Data: bytes('x') }] })));
    expect(putBatch.name).toBe('InvalidArgumentException');

    // A restart delivers the buffer, and the source goes on from its checkpoint.
    await t.close();
    const firstRun = listFiles(path.join(dir, 's3', 'bucket'));
    expect(firstRun).toHaveLength(1);
    t = await startFirehoseServer(dir);
    await append(160, 200);
    await waitFor(() => buffered('from-log') === 40);
    await t.close();
    t = undefined;

    const rows = delivered(firstRun);
    expect(rows.map((r) => r.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Per partition key, records arrive in the order they were written, across the split.
    const byUser = new Map<string, number[]>();
    for (const r of rows) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r.n]);
    for (const ns of byUser.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
  });

  it('reads an encrypted stream as plain records (the delivery buffer holds them plain, as Firehose would)', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    const stream = await t.server.store.createStream('clicks', 2);
    await stream.startEncryption('alias/aws/kinesis');
    await append(0, 50);
    await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'sealed',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
        ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', BufferingHints: { IntervalInSeconds: 900 } },
      }),
    );
    await waitFor(() => buffered('sealed') === 50);
    const name = path.join(dir, 'firehose', 'sealed');
    const records = listFiles(name)
      .filter((f) => f.startsWith('buffer-'))
      .flatMap((f) => readFrames(fs.readFileSync(path.join(name, f))).map((r) => (JSON.parse(Buffer.from(r).toString()) as { n: number }).n));
    expect(records.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('loses nothing after a crash: what a checkpoint names is already durable in the buffer', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await t.server.store.createStream('clicks', 2);
    await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'from-log',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
        ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } },
      }),
    );
    await append(0, 100);
    await waitFor(() => buffered('from-log') === 100);
    const writing = append(100, 300);
    // A crash image taken while the source reads: the checkpoint first, then the buffers, then the log.
    const image = tempDir();
    const stream = path.join('firehose', 'from-log');
    fs.mkdirSync(path.join(image, stream), { recursive: true });
    if (fs.existsSync(path.join(dir, stream, 'source.json'))) fs.copyFileSync(path.join(dir, stream, 'source.json'), path.join(image, stream, 'source.json'));
    for (const f of fs.readdirSync(path.join(dir, stream))) if (f !== 'source.json') fs.copyFileSync(path.join(dir, stream, f), path.join(image, stream, f));
    await writing;
    fs.cpSync(path.join(dir, 'streams'), path.join(image, 'streams'), { recursive: true });
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
    dir = image;
    const recovered = buffered('from-log');

    t = await startFirehoseServer(dir);
    // Every record, once read again from the checkpoint, is buffered or delivered (maybe twice: at least once).
    const covered = (): number =>
      new Set([
        ...listFiles(path.join(dir, stream))
          .filter((f) => f.startsWith('buffer-'))
          .flatMap((f) => readFrames(fs.readFileSync(path.join(dir, stream, f))).map((r) => (JSON.parse(Buffer.from(r).toString()) as { n: number }).n)),
        ...delivered([]).map((r) => r.n),
      ]).size;
    await waitFor(() => covered() === 300);
    await t.close();
    t = undefined;
    const seen = new Set(delivered([]).map((r) => r.n));
    expect(recovered).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('reads and delivers each record once after a crash between writing an object and removing its buffer, with source.json older than the buffer', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    await t.server.store.createStream('clicks', 2);
    await t.client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'from-log',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: 'arn:aws:s3:::bucket',
          BufferingHints: { IntervalInSeconds: 900 },
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
        },
      }),
    );
    const stream = path.join('firehose', 'from-log');
    await append(0, 100);
    await waitFor(() => buffered('from-log') === 100);
    // source.json is rewritten after the round that buffered the records, a moment later.
    await waitFor(() => fs.existsSync(path.join(dir, stream, 'source.json')));
    const olderSourceJson = fs.readFileSync(path.join(dir, stream, 'source.json'));
    await append(100, 200);
    await waitFor(() => buffered('from-log') === 200);
    const buffers = listFiles(path.join(dir, stream)).filter((f) => f.startsWith('buffer-')).map((f) => [f, fs.readFileSync(path.join(dir, stream, f))] as const);
    // Shutting down delivers the buffer: its object is written, then the buffer is removed.
    await t.close();
    t = undefined;
    expect(listFiles(path.join(dir, 's3', 'bucket'))).toHaveLength(1);

    // The crash image: the object is there, the buffer is not yet removed, and source.json is
    // the one from before the last 100 records were buffered.
    for (const [f, body] of buffers) fs.writeFileSync(path.join(dir, stream, f), body);
    fs.writeFileSync(path.join(dir, stream, 'source.json'), olderSourceJson);
    t = await startFirehoseServer(dir);
    await append(200, 250);
    await waitFor(() => buffered('from-log') === 50);
    await t.close();
    t = undefined;

    const ns = delivered([]).map((r) => r.n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 250 }, (_, i) => i));
    // The buffer delivered again replaced its own object.
    expect(listFiles(path.join(dir, 's3', 'bucket'))).toHaveLength(2);
  });
});
