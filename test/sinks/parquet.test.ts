import fs from 'node:fs';
import path from 'node:path';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand, type DataFormatConversionConfiguration } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/sinks/index.js';
import { bytes, closeAndRemove, createStream, errorOf, listFiles, query, ROLE, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

const T0 = Date.UTC(2030, 2, 4, 5, 6, 7);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CONVERSION: DataFormatConversionConfiguration = {
  Enabled: true,
  SchemaConfiguration: { RoleARN: ROLE, DatabaseName: 'web', TableName: 'clicks' },
  InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
  OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
};

let t: FirehoseTestServer | undefined;
let dir: string;

afterEach(async () => {
  await closeAndRemove(t, dir);
  t = undefined;
});

describe('record format conversion to Parquet', () => {
  it('writes each buffer of JSON records as one .parquet object and sends records that are not JSON objects to format-conversion-failed', async () => {
    dir = tempDir();
    const scheduler = new ManualScheduler(T0);
    t = await startFirehoseServer(dir, { scheduler });
    const bucket = path.join(dir, 's3', 'bucket');
    await createStream(t.client, 'clicks', {
      Prefix: 'parquet/',
      ErrorOutputPrefix: 'bad/!{firehose:error-output-type}/',
      BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
      DataFormatConversionConfiguration: CONVERSION,
    });
    const d = (await t.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }))).DeliveryStreamDescription!;
    expect(d.Destinations![0]!.ExtendedS3DestinationDescription?.DataFormatConversionConfiguration).toMatchObject({ Enabled: true, OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } } });

    const records = [
      '{"page": "/home", "user": "ann", "ms": 120, "at": "2030-03-04T05:06:07Z"}',
      '{"page": "/cart", "user": "bob", "ms": 80.5}',
      'this is not json',
      '{\n  "page": "/pay",\n  "user": "cy",\n  "ms": 3\n}',
      '[1, 2]',
    ];
    const out = await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'clicks', Records: records.map((r) => ({ Data: bytes(r) })) }));
    expect(out.FailedPutCount).toBe(0);
    scheduler.advance(60_000);
    await waitFor(() => listFiles(bucket).length === 2);
    const keys = listFiles(bucket);
    const parquet = keys.find((k) => k.startsWith('parquet/'))!;
    expect(parquet).toMatch(new RegExp(`^parquet/2030/03/04/05/clicks-1-2030-03-04-05-06-07-${UUID}\\.parquet$`));
    const rows = await query(`SELECT page, "user", ms FROM read_parquet('${path.join(bucket, parquet)}') ORDER BY page`);
    expect(rows).toEqual([
      { page: '/cart', user: 'bob', ms: 80.5 },
      { page: '/home', user: 'ann', ms: 120 },
      { page: '/pay', user: 'cy', ms: 3 },
    ]);
    const failed = keys.filter((k) => k.startsWith('bad/format-conversion-failed/2030/03/04/05/'));
    expect(failed).toHaveLength(1);
    const lines = failed.flatMap((k) => fs.readFileSync(path.join(bucket, k), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rawData: string; errorCode: string }));
    expect(lines.map((l) => Buffer.from(l.rawData, 'base64').toString()).sort()).toEqual(['[1, 2]', 'this is not json']);
    expect(lines[0]!.errorCode).toBe('DataFormatConversion.MalformedData');
  });

  it('applies OpenX JSON SerDe renames: ColumnToJsonKeyMappings and ConvertDotsInJsonKeysToUnderscores', async () => {
    dir = tempDir();
    const scheduler = new ManualScheduler(T0);
    t = await startFirehoseServer(dir, { scheduler });
    const bucket = path.join(dir, 's3', 'bucket');
    await createStream(t.client, 'renamed', {
      BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
      DataFormatConversionConfiguration: {
        ...CONVERSION,
        InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: { ConvertDotsInJsonKeysToUnderscores: true, ColumnToJsonKeyMappings: { ts: 'timestamp' } } } },
      },
    });
    await t.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'renamed', Records: [{ Data: bytes('{"user.name": "ann", "timestamp": "2030-03-04 05:06:07", "n": 1}') }] }));
    scheduler.advance(60_000);
    await waitFor(() => listFiles(bucket).length === 1);
    const rows = await query(`SELECT * FROM read_parquet('${path.join(bucket, listFiles(bucket)[0]!)}')`);
    expect(Object.keys(rows[0]!).sort()).toEqual(['n', 'ts', 'user_name']);
    expect(rows[0]!['user_name']).toBe('ann');
  });

  it('rejects what AWS rejects with conversion enabled', async () => {
    dir = tempDir();
    t = await startFirehoseServer(dir);
    const create = (extra: object) =>
      errorOf(t!.client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'p', ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', DataFormatConversionConfiguration: CONVERSION, ...extra } })));
    expect((await create({ BufferingHints: { SizeInMBs: 5 } })).name).toBe('InvalidArgumentException');
    expect((await create({ CompressionFormat: 'GZIP' })).name).toBe('InvalidArgumentException');
    expect((await create({ DataFormatConversionConfiguration: { ...CONVERSION, OutputFormatConfiguration: { Serializer: { OrcSerDe: {} } } } })).name).toBe('InvalidArgumentException');
    expect((await create({ DataFormatConversionConfiguration: { ...CONVERSION, InputFormatConfiguration: { Deserializer: {} } } })).name).toBe('InvalidArgumentException');
    expect((await create({ DataFormatConversionConfiguration: { ...CONVERSION, OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'LZ4' as 'GZIP' } } } } })).name).toBe('ValidationException');
  });
});
