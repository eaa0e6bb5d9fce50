import fs from 'node:fs';
import path from 'node:path';
import { DiscoverInputSchemaCommand, type KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { settle, startTestServer, type TestServer } from '../server/helpers.js';
import { analyticsClient, createStreams, ROLE, streamArn } from './helpers.js';

let t: TestServer;
let ka: KinesisAnalyticsClient;

beforeAll(async () => {
  t = await startTestServer({ throttle: false, analytics: { discoveryWaitMs: 1500 } });
  ka = analyticsClient(t.server.url);
  await createStreams(t.client, 'demo', 'quiet', 'later');
});

afterAll(async () => {
  ka?.destroy();
  await t?.close();
});

const put = (stream: string, records: string[]) =>
  t.client.send(new PutRecordsCommand({ StreamName: stream, Records: records.map((r) => ({ PartitionKey: 'k', Data: Buffer.from(r) })) }));

const writeObject = (bucket: string, key: string, body: string) => {
  const file = path.join(t.dir, 's3', bucket, ...key.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
};

group('DiscoverInputSchema', () => {
  it("infers KDA's schema of the demo stock ticker stream", async () => {
    const records = [
      { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: -0.38, PRICE: 84.51 },
      { TICKER_SYMBOL: 'XTC', SECTOR: 'HEALTHCARE', CHANGE: 1.5, PRICE: 17.7 },
      { TICKER_SYMBOL: 'NFS', SECTOR: 'ENERGY', CHANGE: 0, PRICE: 101 },
    ].map((r) => JSON.stringify(r));
    await put('demo', records);
    const found = await ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('demo'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }));
    expect(found.InputSchema).toEqual({
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { Name: 'TICKER_SYMBOL', Mapping: '$.TICKER_SYMBOL', SqlType: 'VARCHAR(4)' },
        { Name: 'SECTOR', Mapping: '$.SECTOR', SqlType: 'VARCHAR(16)' },
        { Name: 'CHANGE', Mapping: '$.CHANGE', SqlType: 'REAL' },
        { Name: 'PRICE', Mapping: '$.PRICE', SqlType: 'REAL' },
      ],
    });
    expect(found.RawInputRecords).toEqual(records);
    expect(found.ParsedInputRecords).toEqual([
      ['AMZN', 'TECHNOLOGY', '-0.38', '84.51'],
      ['XTC', 'HEALTHCARE', '1.5', '17.7'],
      ['NFS', 'ENERGY', '0', '101'],
    ]);
  });

  it('names columns as KDA does and maps nested fields by JSONPath', async () => {
    await put('later', [JSON.stringify({ USER: 'ann', 'USER@DOMAIN': 'a@b', '@@': 1, order: { id: 7, lines: [1, 2] }, year: 2024, seen_at: '2024-05-01 10:00:00' })]);
    const found = await ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('later'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }));
    expect(found.InputSchema!.RecordColumns).toEqual([
      { Name: 'COL_USER', Mapping: '$.USER', SqlType: 'VARCHAR(4)' },
      { Name: 'COL_USERDOMAIN', Mapping: "$['USER@DOMAIN']", SqlType: 'VARCHAR(4)' },
      { Name: 'COL_2', Mapping: "$['@@']", SqlType: 'INTEGER' },
      { Name: 'id', Mapping: '$.order.id', SqlType: 'INTEGER' },
      { Name: 'lines', Mapping: '$.order.lines[0:]', SqlType: 'VARCHAR(8)' },
      { Name: 'COL_year', Mapping: '$.year', SqlType: 'INTEGER' },
      { Name: 'seen_at', Mapping: '$.seen_at', SqlType: 'TIMESTAMP' },
    ]);
    expect(found.ParsedInputRecords).toEqual([['ann', 'a@b', '1', '7', '[1,2]', '2024', '2024-05-01 10:00:00']]);
  });

  it("infers a CSV object's schema as in KDA's discovery example for static data", async () => {
    const body = [
      'year,month,state,producer_type,energy_source,units,consumption',
      '2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615',
      '2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535',
      '2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890',
      '2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601',
      '2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681',
    ].join('\r\n');
    writeObject('energy', 'samples/data.csv', body);
    const found = await ka.send(new DiscoverInputSchemaCommand({ S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::energy', FileKey: 'samples/data.csv' } }));
    expect(found.InputSchema).toEqual({
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { SqlType: 'INTEGER', Name: 'COL_year' },
        { SqlType: 'INTEGER', Name: 'COL_month' },
        { SqlType: 'VARCHAR(4)', Name: 'state' },
        { SqlType: 'VARCHAR(64)', Name: 'producer_type' },
        { SqlType: 'VARCHAR(4)', Name: 'energy_source' },
        { SqlType: 'VARCHAR(16)', Name: 'units' },
        { SqlType: 'INTEGER', Name: 'consumption' },
      ],
      RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\r\n', RecordColumnDelimiter: ',' } } },
    });
    expect(found.RawInputRecords).toEqual([body]);
    // The SDK drops the nulls of a list; the response has them where a value does not fit its column.
    const raw = (await t.server.analytics.call('DiscoverInputSchema', { S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::energy', FileKey: 'samples/data.csv' } })) as { ParsedInputRecords: unknown[][] };
    expect(raw.ParsedInputRecords[0]).toEqual([null, null, 'state', 'producer_type', 'energy_source', 'units', null]);
    expect(raw.ParsedInputRecords[1]).toEqual(['2001', '1', 'AK', 'TotalElectricPowerIndustry', 'Coal', 'ShortTons', '47615']);
    expect(found.ParsedInputRecords).toHaveLength(6);
  });

  it('with NOW samples what arrives while it waits; with nothing to sample it is UnableToDetectSchemaException', async () => {
    await put('quiet', ['{"old":1}']);
    const waiting = ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('quiet'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }));
    await settle(300);
    await put('quiet', ['a|b|c', 'd|e|f']);
    const found = await waiting;
    expect(found.RawInputRecords).toEqual(['a|b|c', 'd|e|f']);
    expect(found.InputSchema!.RecordFormat!.MappingParameters!.CSVMappingParameters).toEqual({ RecordRowDelimiter: '\n', RecordColumnDelimiter: '|' });
    expect(found.InputSchema!.RecordColumns!.map((c) => c.Name)).toEqual(['COL_0', 'COL_1', 'COL_2']);
    await expect(ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('quiet'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } })))
      .rejects.toMatchObject({ name: 'UnableToDetectSchemaException' });
  });

  it('refuses what it cannot sample with InvalidArgumentException', async () => {
    const lambda = { InputLambdaProcessor: { ResourceARN: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleARN: ROLE } };
    await expect(ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('demo'), RoleARN: ROLE, InputProcessingConfiguration: lambda }))).rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining('Lambda') });
    await expect(ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('absent'), RoleARN: ROLE }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(ka.send(new DiscoverInputSchemaCommand({ S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::energy', FileKey: 'missing.csv' } }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(ka.send(new DiscoverInputSchemaCommand({}))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });
});
