import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/sinks/index.js';
import { bytes, closeAndRemove, createStream, listFiles, pause, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

const T0 = Date.UTC(2030, 2, 4, 5, 6, 7); // 2030-03-04 05:06:07 UTC
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let t: FirehoseTestServer | undefined;
let dir: string;

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
});

async function start(scheduler = new ManualScheduler(T0)): Promise<{ t: FirehoseTestServer; scheduler: ManualScheduler; bucket: string }> {
  dir = tempDir();
  t = await startFirehoseServer(dir, { scheduler });
  return { t, scheduler, bucket: path.join(dir, 's3', 'bucket') };
}

const read = (bucket: string, key: string): Buffer => fs.readFileSync(path.join(bucket, ...key.split('/')));

describe('Firehose buffering and delivery', () => {
  it('delivers when IntervalInSeconds has passed since the buffer’s first record', async () => {
    const { t, scheduler, bucket } = await start();
    await createStream(t.client, 'clicks', { BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 } });
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: bytes('a,') } }));
    scheduler.advance(30_000);
    await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'clicks', Records: [{ Data: bytes('b,') }, { Data: bytes('c') }] }));
    scheduler.advance(29_999);
    await pause(50);
    expect(listFiles(bucket)).toEqual([]);
    expect(listFiles(path.join(dir, 'firehose', 'clicks')).filter((f) => f.startsWith('buffer-'))).toHaveLength(1);
    scheduler.advance(1);
    await waitFor(() => listFiles(bucket).length === 1);
    const [key] = listFiles(bucket);
    // Default prefix and name use the first record's arrival, not the delivery time.
    expect(key).toMatch(new RegExp(`^2030/03/04/05/clicks-1-2030-03-04-05-06-07-${UUID}$`));
    expect(read(bucket, key!).toString()).toBe('a,b,c');
    await waitFor(() => listFiles(path.join(dir, 'firehose', 'clicks')).every((f) => !f.startsWith('buffer-')));

    // The next buffer starts its own interval at its own first record.
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: bytes('d') } }));
    scheduler.advance(59_000);
    await pause(30);
    expect(listFiles(bucket)).toHaveLength(1);
    scheduler.advance(1_000);
    await waitFor(() => listFiles(bucket).length === 2);
  });

  it('delivers when SizeInMBs is reached, without waiting for the interval', async () => {
    const { t, bucket } = await start();
    await createStream(t.client, 'big', { BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 1 } });
    const record = (n: number): Uint8Array => Buffer.alloc(300_000, 97 + n);
    await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'big', Records: [0, 1, 2].map((n) => ({ Data: record(n) })) }));
    await pause(50);
    expect(listFiles(bucket)).toEqual([]);
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'big', Record: { Data: record(3) } }));
    await waitFor(() => listFiles(bucket).length === 1);
    const body = read(bucket, listFiles(bucket)[0]!);
    expect(body.equals(Buffer.concat([0, 1, 2, 3].map(record)))).toBe(true);
  });

  it('writes GZIP objects that gunzip to the input, with newline delimiters when asked', async () => {
    const { t, bucket } = await start();
    await createStream(t.client, 'zipped', {
      CompressionFormat: 'GZIP',
      BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
      ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
    });
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i, page: `/p/${i % 7}` }));
    await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'zipped', Records: lines.map((l) => ({ Data: bytes(l) })) }));
    await waitFor(() => listFiles(bucket).length === 1);
    const [key] = listFiles(bucket);
    expect(key).toMatch(new RegExp(`^2030/03/04/05/zipped-1-2030-03-04-05-06-07-${UUID}\\.gz$`));
    expect(zlib.gunzipSync(read(bucket, key!)).toString()).toBe(lines.map((l) => `${l}\n`).join(''));
  });

  it('expands custom prefixes and names objects as Firehose does', async () => {
    const { t, scheduler, bucket } = await start();
    await createStream(t.client, 'custom', {
      Prefix: "logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/!{timestamp:mm'm'ss's'}/!{firehose:random-string}/",
      ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/',
      BufferingHints: { IntervalInSeconds: 10 },
    });
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'custom', Record: { Data: bytes('x') } }));
    scheduler.advance(10_000);
    await waitFor(() => listFiles(bucket).length === 1);
    expect(listFiles(bucket)[0]).toMatch(new RegExp(`^logs/year=2030/month=03/day=04/hour=05/06m07s/[a-z0-9]{11}/custom-1-2030-03-04-05-06-07-${UUID}$`));

    // A plain prefix gets the default time prefix appended.
    await createStream(t.client, 'plain', { Prefix: 'plain/', BufferingHints: { IntervalInSeconds: 0 } });
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'plain', Record: { Data: bytes('y') } }));
    await waitFor(() => listFiles(bucket).length === 2);
    expect(listFiles(bucket).find((k) => k.startsWith('plain/'))).toMatch(new RegExp(`^plain/2030/03/04/05/plain-1-2030-03-04-05-06-17-${UUID}$`));
  });

  it('delivers what is buffered when the server closes', async () => {
    const { t, bucket } = await start();
    await createStream(t.client, 'late', { BufferingHints: { IntervalInSeconds: 900 } });
    await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'late', Records: [{ Data: bytes('1') }, { Data: bytes('2') }] }));
    await t.close();
    expect(listFiles(bucket)).toHaveLength(1);
    expect(read(bucket, listFiles(bucket)[0]!).toString()).toBe('12');
    expect(listFiles(path.join(dir, 'firehose', 'late'))).toEqual(['stream.json']);
  });

  it('retries a failing destination with backoff, then writes under the error prefix', async () => {
    dir = tempDir();
    const scheduler = new ManualScheduler(T0);
    const sleeps: number[] = [];
    const errors: unknown[] = [];
    t = await startFirehoseServer(dir, {
      scheduler,
      retry: { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms) },
      onError: (e) => errors.push(e),
    });
    const bucket = path.join(dir, 's3', 'bucket');
    // A file where the prefix's folder should be: every write under it fails.
    fs.mkdirSync(bucket, { recursive: true });
    fs.writeFileSync(path.join(bucket, 'good'), 'in the way');
    await createStream(t.client, 'failing', { Prefix: 'good/', BufferingHints: { IntervalInSeconds: 5 } });
    await t.client.send(new PutRecordCommand({ DeliveryStreamName: 'failing', Record: { Data: bytes('keep me') } }));
    scheduler.advance(5_000);
    await waitFor(() => listFiles(bucket).length === 2);
    expect(sleeps).toEqual([100, 200]);
    const key = listFiles(bucket).find((k) => k !== 'good')!;
    expect(key).toMatch(new RegExp(`^errors/delivery-failed/2030/03/04/05/failing-1-2030-03-04-05-06-07-${UUID}$`));
    expect(read(bucket, key).toString()).toBe('keep me');
    expect(errors).toEqual([]);
    // No temporary files are left behind by the failed attempts.
    expect(listFiles(bucket, true).some((k) => k.endsWith('.tmp'))).toBe(false);
  });
});
