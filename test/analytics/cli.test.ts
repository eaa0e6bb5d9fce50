import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, untilActive, type TestServer } from '../server/helpers.js';
import { analyticsClient, untilRecords, untilStatus } from './helpers.js';

const run = promisify(execFile);
/** Debian's AWS CLI (apt-get install awscli, as .ci/run does), never a pyenv shim that may shadow it on PATH. */
const AWS = '/usr/bin/aws';
const ROLE = 'arn:aws:iam::000000000000:role/kda';

const CODE = `-- KDA's Getting Started application, with a filter
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "SECTOR", "PRICE" FROM "SOURCE_SQL_STREAM_001" WHERE "SECTOR" = 'TECHNOLOGY';
`;

const INPUTS = [
  {
    NamePrefix: 'SOURCE_SQL_STREAM',
    KinesisStreamsInput: { ResourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/ticks', RoleARN: ROLE },
    InputSchema: {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { Name: 'TICKER_SYMBOL', Mapping: '$.TICKER_SYMBOL', SqlType: 'VARCHAR(4)' },
        { Name: 'SECTOR', Mapping: '$.SECTOR', SqlType: 'VARCHAR(16)' },
        { Name: 'PRICE', Mapping: '$.PRICE', SqlType: 'REAL' },
      ],
    },
  },
];

describe.skipIf(!fs.existsSync(AWS))(`the AWS CLI deploys a KDA application (skipped when ${AWS} is missing: .ci/run installs Debian's awscli)`, () => {
  let t: TestServer;
  const dir = tempDir();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(AWS, ['--endpoint-url', t.server.url, '--no-cli-pager', '--output', 'json', ...args], { env, timeout: 30_000 });
    return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
  };
  // Each CLI call starts Python (~1 s): the waits between the steps poll with the SDKs instead.
  const untilApp = (status: string) => {
    const client = analyticsClient(t.server.url);
    return untilStatus(client, 'tickers', status, 20_000).finally(() => client.destroy());
  };

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, analytics: { checkpointIntervalMs: 500 } });
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('create-application with file:// code, add-application-output, start-application, put-records, and the destination stream has the rows', async () => {
    for (const name of ['ticks', 'tech']) await aws('kinesis', 'create-stream', '--stream-name', name, '--shard-count', '1');
    for (const name of ['ticks', 'tech']) await untilActive(t.client, name);
    const codeFile = path.join(dir, 'tickers.sql');
    fs.writeFileSync(codeFile, CODE);
    const created = await aws('kinesisanalytics', 'create-application', '--application-name', 'tickers', '--application-code', `file://${codeFile}`, '--inputs', JSON.stringify(INPUTS));
    expect(created.ApplicationSummary).toMatchObject({ ApplicationName: 'tickers', ApplicationStatus: 'READY' });
    const detail = (await aws('kinesisanalytics', 'describe-application', '--application-name', 'tickers')).ApplicationDetail as {
      ApplicationVersionId: number;
      ApplicationCode: string;
      CreateTimestamp: string;
      InputDescriptions: { InputId: string; InAppStreamNames: string[] }[];
    };
    expect(detail.ApplicationCode).toBe(CODE);
    expect(detail.InputDescriptions[0]!.InAppStreamNames).toEqual(['SOURCE_SQL_STREAM_001']);

    await aws('kinesisanalytics', 'add-application-output', '--application-name', 'tickers', '--current-application-version-id', String(detail.ApplicationVersionId), '--application-output', JSON.stringify({
      Name: 'DESTINATION_SQL_STREAM',
      KinesisStreamsOutput: { ResourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/tech', RoleARN: ROLE },
      DestinationSchema: { RecordFormatType: 'CSV' },
    }));
    await aws('kinesisanalytics', 'start-application', '--application-name', 'tickers', '--input-configurations', JSON.stringify([{ Id: detail.InputDescriptions[0]!.InputId, InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }]));
    await untilApp('RUNNING');

    const ticks = [
      { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: -0.38, PRICE: 84.51 },
      { TICKER_SYMBOL: 'XTC', SECTOR: 'HEALTHCARE', CHANGE: 1.5, PRICE: 17.7 },
      { TICKER_SYMBOL: 'MSFT', SECTOR: 'TECHNOLOGY', CHANGE: 0.2, PRICE: 40.25 },
    ];
    const put = await aws('kinesis', 'put-records', '--stream-name', 'ticks', '--cli-binary-format', 'raw-in-base64-out', '--records', JSON.stringify(ticks.map((r) => ({ Data: JSON.stringify(r), PartitionKey: r.TICKER_SYMBOL }))));
    expect(put.FailedRecordCount).toBe(0);

    await untilRecords(t.client, 'tech', 2, 20_000);
    const shard = ((await aws('kinesis', 'list-shards', '--stream-name', 'tech')).Shards as { ShardId: string }[])[0]!.ShardId;
    const iterator = (await aws('kinesis', 'get-shard-iterator', '--stream-name', 'tech', '--shard-id', shard, '--shard-iterator-type', 'TRIM_HORIZON')).ShardIterator as string;
    const got = (await aws('kinesis', 'get-records', '--shard-iterator', iterator)).Records as { Data: string }[];
    expect(got.map((r) => Buffer.from(r.Data, 'base64').toString('utf8'))).toEqual(['AMZN,TECHNOLOGY,84.51\n', 'MSFT,TECHNOLOGY,40.25\n']);

    const listed = await aws('kinesisanalytics', 'list-applications');
    expect(listed).toEqual({ ApplicationSummaries: [{ ApplicationName: 'tickers', ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/tickers', ApplicationStatus: 'RUNNING' }], HasMoreApplications: false });
    await aws('kinesisanalytics', 'stop-application', '--application-name', 'tickers');
    await untilApp('READY');
    await aws('kinesisanalytics', 'delete-application', '--application-name', 'tickers', '--create-timestamp', detail.CreateTimestamp);
    const missing = await run(AWS, ['--endpoint-url', t.server.url, '--no-cli-pager', 'kinesisanalytics', 'describe-application', '--application-name', 'tickers'], { env }).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toContain('ResourceNotFoundException');
  });
});
