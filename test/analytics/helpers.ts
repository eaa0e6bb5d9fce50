import {
  DescribeApplicationCommand,
  KinesisAnalyticsClient,
  type CreateApplicationCommandInput,
  type Input,
  type RecordColumn,
} from '@aws-sdk/client-kinesis-analytics';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { eventually, untilActive } from '../server/helpers.js';

export const ROLE = 'arn:aws:iam::000000000000:role/kda';
export const streamArn = (name: string): string => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
export const firehoseArn = (name: string): string => `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`;

export function analyticsClient(url: string): KinesisAnalyticsClient {
  return new KinesisAnalyticsClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

export async function createStreams(kinesis: KinesisClient, ...names: string[]): Promise<void> {
  for (const name of names) await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  for (const name of names) await untilActive(kinesis, name);
}

/** A JSON input of `stream` named SOURCE_SQL_STREAM (so SOURCE_SQL_STREAM_001 in the code). */
export function jsonInput(stream: string, columns: RecordColumn[], prefix = 'SOURCE_SQL_STREAM'): Input {
  return {
    NamePrefix: prefix,
    KinesisStreamsInput: { ResourceARN: streamArn(stream), RoleARN: ROLE },
    InputSchema: { RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } }, RecordEncoding: 'UTF-8', RecordColumns: columns },
  };
}

export function csvInput(stream: string, columns: RecordColumn[], columnDelimiter = ',', rowDelimiter = '\n'): Input {
  return {
    NamePrefix: 'SOURCE_SQL_STREAM',
    KinesisStreamsInput: { ResourceARN: streamArn(stream), RoleARN: ROLE },
    InputSchema: { RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: columnDelimiter, RecordRowDelimiter: rowDelimiter } } }, RecordColumns: columns },
  };
}

/** The stock-ticker application of KDA's Getting Started exercise, over JSON records. */
export const TICKER_CODE = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ticker_symbol" VARCHAR(4), "price" DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001" WHERE "PRICE" > 10;`;

export const TICKER_COLUMNS: RecordColumn[] = [
  { Name: 'TICKER_SYMBOL', Mapping: '$.ticker', SqlType: 'VARCHAR(4)' },
  { Name: 'PRICE', Mapping: '$.quote.price', SqlType: 'DOUBLE' },
];

export function tickerApp(name: string, input: string, extra: Partial<CreateApplicationCommandInput> = {}): CreateApplicationCommandInput {
  return { ApplicationName: name, ApplicationCode: TICKER_CODE, Inputs: [jsonInput(input, TICKER_COLUMNS)], ...extra };
}

export async function describe(client: KinesisAnalyticsClient, name: string) {
  return (await client.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail!;
}

/** Waits until the application has the status. */
export function untilStatus(client: KinesisAnalyticsClient, name: string, status: string, ms = 15_000): Promise<void> {
  return eventually(`application ${name} ${status}`, async () => (await describe(client, name)).ApplicationStatus === status, ms);
}

/** Every record of a stream (every shard from the trim horizon), as text. */
export async function readStream(kinesis: KinesisClient, stream: string): Promise<string[]> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const out: string[] = [];
  for (const s of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator! }));
      out.push(...(got.Records ?? []).map((r) => Buffer.from(r.Data!).toString('utf8')));
      if (!got.Records?.length || !got.NextShardIterator) break;
      iterator = got.NextShardIterator;
    }
  }
  return out;
}

/** Waits until the stream holds at least `n` records, and returns them. */
export async function untilRecords(kinesis: KinesisClient, stream: string, n: number, ms = 15_000): Promise<string[]> {
  let got: string[] = [];
  await eventually(`${n} records in ${stream}`, async () => (got = await readStream(kinesis, stream)).length >= n, ms);
  return got;
}
