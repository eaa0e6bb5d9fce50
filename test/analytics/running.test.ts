import fs from 'node:fs';
import path from 'node:path';
import { CreateApplicationCommand, StartApplicationCommand, StopApplicationCommand, UpdateApplicationCommand, type KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { CreateStreamCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { eventually, settle, startTestServer, untilActive, type TestServer } from '../server/helpers.js';
import { analyticsClient, createStreams, csvInput, describe, firehoseArn, jsonInput, readStream, ROLE, streamArn, tickerApp, untilRecords, untilStatus } from './helpers.js';

let t: TestServer;
let ka: KinesisAnalyticsClient;

beforeAll(async () => {
  t = await startTestServer({ throttle: false, analytics: { checkpointIntervalMs: 200 } });
  ka = analyticsClient(t.server.url);
});

afterAll(async () => {
  ka?.destroy();
  await t?.close();
});

const put = (kinesis: KinesisClient, stream: string, ...records: string[]) =>
  kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records.map((r, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(r) })) }));

const start = (name: string, position: 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT', client = ka) =>
  client.send(new StartApplicationCommand({ ApplicationName: name, InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: position } }] }));

const kinesisOutput = (name: string, stream: string, format: 'JSON' | 'CSV') => ({ Name: name, KinesisStreamsOutput: { ResourceARN: streamArn(stream), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: format } });

group('a running application', () => {
  it('maps JSON records through JSONPath, runs the code from NOW, and delivers JSON to a Kinesis stream', async () => {
    await createStreams(t.client, 'ticks', 'ticks-out');
    await put(t.client, 'ticks', '{"ticker":"OLD","quote":{"price":99}}');
    await ka.send(new CreateApplicationCommand(tickerApp('json-app', 'ticks', { Outputs: [kinesisOutput('DESTINATION_SQL_STREAM', 'ticks-out', 'JSON')] })));
    await start('json-app', 'NOW');
    await untilStatus(ka, 'json-app', 'RUNNING');
    await put(t.client, 'ticks', '{"ticker":"AMZNX","quote":{"price":12.5}}', '{"ticker":"LOW","quote":{"price":2}}', '{"ticker":"MSFT","quote":{"price":"30"},"extra":true}');
    const got = await untilRecords(t.client, 'ticks-out', 2);
    await settle(300);
    expect((await readStream(t.client, 'ticks-out')).map((r) => JSON.parse(r))).toEqual([
      { ticker_symbol: 'AMZN', price: 12.5 },
      { ticker_symbol: 'MSFT', price: 30 },
    ]);
    expect(got).toHaveLength(2);
  });

  it('reads CSV rows by position with the given delimiters and delivers CSV, JSON to Firehose, and error_stream', async () => {
    await createStreams(t.client, 'orders', 'orders-csv', 'orders-errors');
    await t.server.firehose.call('CreateDeliveryStream', {
      DeliveryStreamName: 'orders-lake',
      ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::lake', RoleARN: ROLE, BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } },
    });
    await eventually('delivery stream active', async () => ((await t.server.firehose.call('DescribeDeliveryStream', { DeliveryStreamName: 'orders-lake' })) as { DeliveryStreamDescription: { DeliveryStreamStatus: string } }).DeliveryStreamDescription.DeliveryStreamStatus === 'ACTIVE');
    const code = `CREATE OR REPLACE STREAM "BIG_ORDERS" ("item" VARCHAR(16), "total" DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "BIG_ORDERS"
  SELECT STREAM "ITEM", "QTY" * "PRICE" FROM "SOURCE_SQL_STREAM_001" WHERE "QTY" * "PRICE" >= 10;`;
    await ka.send(new CreateApplicationCommand({
      ApplicationName: 'csv-app',
      ApplicationCode: code,
      Inputs: [csvInput('orders', [{ Name: 'ITEM', SqlType: 'VARCHAR(16)' }, { Name: 'QTY', SqlType: 'INTEGER' }, { Name: 'PRICE', SqlType: 'DECIMAL(6,2)' }], '|')],
      Outputs: [
        kinesisOutput('BIG_ORDERS', 'orders-csv', 'CSV'),
        { Name: 'BIG_ORDERS', KinesisFirehoseOutput: { ResourceARN: firehoseArn('orders-lake'), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' } },
        kinesisOutput('error_stream', 'orders-errors', 'JSON'),
      ],
    }));
    await start('csv-app', 'TRIM_HORIZON');
    await untilStatus(ka, 'csv-app', 'RUNNING');
    await put(t.client, 'orders', 'widget|2|7.50\ngadget|1|3.00', '"nut, bolt"|10|1.25|ignored', 'lemon|many|1.00');
    const csv = await untilRecords(t.client, 'orders-csv', 2);
    expect(csv.sort()).toEqual(['"nut, bolt",12.5\n', 'widget,15\n']);
    const errors = (await untilRecords(t.client, 'orders-errors', 1)).map((r) => JSON.parse(r) as Record<string, unknown>);
    expect(errors[0]).toMatchObject({ ERROR_NAME: 'COERCION_ERROR', DATA_ROW: expect.stringContaining('many') });
    const lake = path.join(t.dir, 's3', 'lake');
    const files = (): string[] => (fs.existsSync(lake) ? fs.readdirSync(lake, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.join(e.parentPath, e.name)) : []);
    // (An object being written is a dot-named temporary file until it is renamed.)
    await eventually('firehose objects', async () => files().length > 0);
    const rows = files().flatMap((f) => fs.readFileSync(f, 'utf8').trim().split('\n')).map((l) => JSON.parse(l));
    expect(rows).toEqual(expect.arrayContaining([{ item: 'widget', total: 15 }, { item: 'nut, bolt', total: 12.5 }]));
  });

  it('flattens one array per record into rows, repeating the fields outside it', async () => {
    await createStreams(t.client, 'customers', 'customer-orders');
    const code = `CREATE OR REPLACE STREAM "D" ("customer" VARCHAR(16), "order_id" VARCHAR(8), "city" VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" SELECT STREAM "NAME", "ORDER_ID", "CITY" FROM "SOURCE_SQL_STREAM_001";`;
    await ka.send(new CreateApplicationCommand({
      ApplicationName: 'array-app',
      ApplicationCode: code,
      Inputs: [jsonInput('customers', [
        { Name: 'NAME', Mapping: '$.customerName', SqlType: 'VARCHAR(16)' },
        { Name: 'ORDER_ID', Mapping: '$.orders[0:].orderId', SqlType: 'VARCHAR(8)' },
        { Name: 'CITY', Mapping: "$.address['city']", SqlType: 'VARCHAR(16)' },
      ])],
      Outputs: [kinesisOutput('D', 'customer-orders', 'JSON')],
    }));
    await start('array-app', 'NOW');
    await untilStatus(ka, 'array-app', 'RUNNING');
    await put(t.client, 'customers', JSON.stringify({ customerName: 'John Doe', address: { city: 'Anytown' }, orders: [{ orderId: '23284' }, { orderId: '63122' }, { orderId: '77284' }] }));
    const rows = (await untilRecords(t.client, 'customer-orders', 3)).map((r) => JSON.parse(r));
    expect(rows).toEqual(['23284', '63122', '77284'].map((id) => ({ customer: 'John Doe', order_id: id, city: 'Anytown' })));
  });

  it('goes on from the last stopped point after a stop, and restarts on new code when updated while running', async () => {
    await createStreams(t.client, 'steps', 'steps-out');
    await put(t.client, 'steps', '{"ticker":"A1","quote":{"price":11}}');
    await ka.send(new CreateApplicationCommand(tickerApp('steps-app', 'steps', { Outputs: [kinesisOutput('DESTINATION_SQL_STREAM', 'steps-out', 'JSON')] })));
    await start('steps-app', 'TRIM_HORIZON');
    await untilStatus(ka, 'steps-app', 'RUNNING');
    await untilRecords(t.client, 'steps-out', 1);
    await ka.send(new StopApplicationCommand({ ApplicationName: 'steps-app' }));
    await untilStatus(ka, 'steps-app', 'READY');
    await put(t.client, 'steps', '{"ticker":"A2","quote":{"price":12}}');
    await start('steps-app', 'LAST_STOPPED_POINT');
    await untilStatus(ka, 'steps-app', 'RUNNING');
    await untilRecords(t.client, 'steps-out', 2);

    const version = (await describe(ka, 'steps-app')).ApplicationVersionId!;
    const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ticker_symbol" VARCHAR(4), "price" DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE" * 100 FROM "SOURCE_SQL_STREAM_001";`;
    await ka.send(new UpdateApplicationCommand({ ApplicationName: 'steps-app', CurrentApplicationVersionId: version, ApplicationUpdate: { ApplicationCodeUpdate: code } }));
    expect(['UPDATING', 'RUNNING']).toContain((await describe(ka, 'steps-app')).ApplicationStatus);
    await untilStatus(ka, 'steps-app', 'RUNNING');
    await put(t.client, 'steps', '{"ticker":"A3","quote":{"price":1}}');
    await untilRecords(t.client, 'steps-out', 3);
    await settle(300);
    expect((await readStream(t.client, 'steps-out')).map((r) => JSON.parse(r))).toEqual([
      { ticker_symbol: 'A1', price: 11 },
      { ticker_symbol: 'A2', price: 12 },
      { ticker_symbol: 'A3', price: 100 },
    ]);
  });

  it('gives each of InputParallelism in-application streams its share of the shards', async () => {
    await t.client.send(new CreateStreamCommand({ StreamName: 'wide', ShardCount: 2 }));
    await untilActive(t.client, 'wide');
    await createStreams(t.client, 'wide-out');
    const code = `CREATE OR REPLACE STREAM "D" ("n" INTEGER, "via" VARCHAR(8));
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "D" SELECT STREAM "N", 'first' FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "D" SELECT STREAM "N", 'second' FROM "SOURCE_SQL_STREAM_002";`;
    await ka.send(new CreateApplicationCommand({
      ApplicationName: 'wide-app',
      ApplicationCode: code,
      Inputs: [{ ...jsonInput('wide', [{ Name: 'N', Mapping: '$.n', SqlType: 'INTEGER' }]), InputParallelism: { Count: 2 } }],
      Outputs: [kinesisOutput('D', 'wide-out', 'JSON')],
    }));
    expect((await describe(ka, 'wide-app')).InputDescriptions![0]).toMatchObject({ InAppStreamNames: ['SOURCE_SQL_STREAM_001', 'SOURCE_SQL_STREAM_002'], InputParallelism: { Count: 2 } });
    await start('wide-app', 'NOW');
    await untilStatus(ka, 'wide-app', 'RUNNING');
    // The lowest and the highest hash key: one record to each of the two shards.
    await t.client.send(new PutRecordsCommand({ StreamName: 'wide', Records: [
      { PartitionKey: 'k', ExplicitHashKey: '0', Data: Buffer.from('{"n":1}') },
      { PartitionKey: 'k', ExplicitHashKey: String(2n ** 128n - 1n), Data: Buffer.from('{"n":2}') },
    ] }));
    const rows = (await untilRecords(t.client, 'wide-out', 2)).map((r) => JSON.parse(r));
    expect(rows.sort((a, b) => a.n - b.n)).toEqual([{ n: 1, via: 'first' }, { n: 2, via: 'second' }]);
  });

  it('loads a reference table from an S3 object of the data directory and says what joining it needs', async () => {
    await createStreams(t.client, 'ref-in', 'ref-out');
    const object = path.join(t.dir, 's3', 'refs', 'tables', 'companies.csv');
    fs.mkdirSync(path.dirname(object), { recursive: true });
    fs.writeFileSync(object, 'AMZN,Amazon\nXYZ,SomeCompany\n');
    const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ticker" VARCHAR(4), "company" VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "TICKER", "COMPANY" FROM "COMPANIES";`;
    // As in KDA's reference data example: the table is added to an application, then the code reads it.
    await ka.send(new CreateApplicationCommand({ ApplicationName: 'ref-app', Inputs: [jsonInput('ref-in', [{ Name: 'TICKER', Mapping: '$.t', SqlType: 'VARCHAR(4)' }])], Outputs: [kinesisOutput('DESTINATION_SQL_STREAM', 'ref-out', 'JSON')] }));
    await t.server.analytics.call('AddApplicationReferenceDataSource', {
      ApplicationName: 'ref-app',
      CurrentApplicationVersionId: 1,
      ReferenceDataSource: {
        TableName: 'COMPANIES',
        S3ReferenceDataSource: { BucketARN: 'arn:aws:s3:::refs', FileKey: 'tables/companies.csv', ReferenceRoleARN: ROLE },
        ReferenceSchema: { RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: ',', RecordRowDelimiter: '\n' } } }, RecordColumns: [{ Name: 'TICKER', SqlType: 'VARCHAR(4)' }, { Name: 'COMPANY', SqlType: 'VARCHAR(32)' }] },
      },
    });
    await expect(ka.send(new UpdateApplicationCommand({ ApplicationName: 'ref-app', CurrentApplicationVersionId: 2, ApplicationUpdate: { ApplicationCodeUpdate: code.replace('"COMPANY" FROM', '"NAME" FROM') } })))
      .rejects.toMatchObject({ name: 'CodeValidationException', message: expect.stringContaining('COMPANY') });
    await ka.send(new UpdateApplicationCommand({ ApplicationName: 'ref-app', CurrentApplicationVersionId: 2, ApplicationUpdate: { ApplicationCodeUpdate: code } }));
    await start('ref-app', 'NOW');
    await untilStatus(ka, 'ref-app', 'RUNNING');
    const rows = (await untilRecords(t.client, 'ref-out', 2)).map((r) => JSON.parse(r));
    expect(rows).toEqual([{ ticker: 'AMZN', company: 'Amazon' }, { ticker: 'XYZ', company: 'SomeCompany' }]);
    const detail = (await t.server.analytics.call('DescribeApplication', { ApplicationName: 'ref-app' })) as { ApplicationDetail: { ReferenceDataSourceDescriptions: { SluiceNote: string }[] } };
    expect(detail.ApplicationDetail.ReferenceDataSourceDescriptions[0]!.SluiceNote).toMatch(/^COMPANIES is an in-application stream loaded with 2 rows from the S3 object; .*join/);
  });
});
