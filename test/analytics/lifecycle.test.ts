import {
  AddApplicationCloudWatchLoggingOptionCommand,
  AddApplicationInputCommand,
  AddApplicationInputProcessingConfigurationCommand,
  AddApplicationOutputCommand,
  AddApplicationReferenceDataSourceCommand,
  CreateApplicationCommand,
  DeleteApplicationCloudWatchLoggingOptionCommand,
  DeleteApplicationCommand,
  DeleteApplicationInputProcessingConfigurationCommand,
  DeleteApplicationOutputCommand,
  DeleteApplicationReferenceDataSourceCommand,
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type KinesisAnalyticsClient,
} from '@aws-sdk/client-kinesis-analytics';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from '../server/helpers.js';
import { analyticsClient, createStreams, describe, firehoseArn, jsonInput, ROLE, streamArn, TICKER_CODE, TICKER_COLUMNS, tickerApp, untilStatus } from './helpers.js';

let t: TestServer;
let ka: KinesisAnalyticsClient;

beforeAll(async () => {
  t = await startTestServer({ throttle: false, analytics: { checkpointIntervalMs: 200 } });
  ka = analyticsClient(t.server.url);
  await createStreams(t.client, 'in', 'out', 'out2');
});

afterAll(async () => {
  ka?.destroy();
  await t?.close();
});

const output = (name: string, stream = 'out', format: 'JSON' | 'CSV' = 'JSON') => ({
  Name: name,
  KinesisStreamsOutput: { ResourceARN: streamArn(stream), RoleARN: ROLE },
  DestinationSchema: { RecordFormatType: format },
});

group('the application lifecycle', () => {
  it('creates, describes, changes with version checks, and deletes as KDA does', async () => {
    const created = await ka.send(new CreateApplicationCommand(tickerApp('ticker', 'in', { ApplicationDescription: 'stock ticks', Tags: [{ Key: 'team', Value: 'quotes' }] })));
    expect(created.ApplicationSummary).toEqual({ ApplicationName: 'ticker', ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/ticker', ApplicationStatus: 'READY' });
    const first = await describe(ka, 'ticker');
    expect(first).toMatchObject({ ApplicationName: 'ticker', ApplicationDescription: 'stock ticks', ApplicationStatus: 'READY', ApplicationVersionId: 1, ApplicationCode: TICKER_CODE });
    expect(first.CreateTimestamp).toBeInstanceOf(Date);
    expect(first.InputDescriptions).toEqual([
      {
        InputId: '1.1',
        NamePrefix: 'SOURCE_SQL_STREAM',
        InAppStreamNames: ['SOURCE_SQL_STREAM_001'],
        KinesisStreamsInputDescription: { ResourceARN: streamArn('in'), RoleARN: ROLE },
        InputSchema: jsonInput('in', TICKER_COLUMNS).InputSchema,
        InputParallelism: { Count: 1 },
      },
    ]);
    await expect(ka.send(new CreateApplicationCommand(tickerApp('ticker', 'in')))).rejects.toMatchObject({ name: 'ResourceInUseException' });

    await ka.send(new AddApplicationOutputCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 1, Output: output('DESTINATION_SQL_STREAM') }));
    await expect(ka.send(new AddApplicationOutputCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 1, Output: output('DESTINATION_SQL_STREAM', 'out2') })))
      .rejects.toMatchObject({ name: 'ConcurrentModificationException', message: expect.stringContaining('version 2') });
    const two = await describe(ka, 'ticker');
    expect(two.ApplicationVersionId).toBe(2);
    expect(two.LastUpdateTimestamp).toBeInstanceOf(Date);
    expect(two.OutputDescriptions).toEqual([
      { OutputId: '2.1', Name: 'DESTINATION_SQL_STREAM', KinesisStreamsOutputDescription: { ResourceARN: streamArn('out'), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' } },
    ]);

    const code = TICKER_CODE.replace('> 10', '> 20');
    await ka.send(new UpdateApplicationCommand({
      ApplicationName: 'ticker',
      CurrentApplicationVersionId: 2,
      ApplicationUpdate: { ApplicationCodeUpdate: code, OutputUpdates: [{ OutputId: '2.1', DestinationSchemaUpdate: { RecordFormatType: 'CSV' }, KinesisStreamsOutputUpdate: { ResourceARNUpdate: streamArn('out2') } }] },
    }));
    const three = await describe(ka, 'ticker');
    expect(three).toMatchObject({ ApplicationVersionId: 3, ApplicationCode: code });
    expect(three.OutputDescriptions![0]).toMatchObject({ KinesisStreamsOutputDescription: { ResourceARN: streamArn('out2') }, DestinationSchema: { RecordFormatType: 'CSV' } });
    await expect(ka.send(new UpdateApplicationCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 2, ApplicationUpdate: { ApplicationCodeUpdate: TICKER_CODE } })))
      .rejects.toMatchObject({ name: 'ConcurrentModificationException' });
    await expect(ka.send(new UpdateApplicationCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 3, ApplicationUpdate: { InputUpdates: [{ InputId: '9.1', NamePrefixUpdate: 'X' }] } })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await ka.send(new AddApplicationReferenceDataSourceCommand({
      ApplicationName: 'ticker',
      CurrentApplicationVersionId: 3,
      ReferenceDataSource: {
        TableName: 'COMPANIES',
        S3ReferenceDataSource: { BucketARN: 'arn:aws:s3:::refs', FileKey: 'companies.csv', ReferenceRoleARN: ROLE },
        ReferenceSchema: { RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: ',', RecordRowDelimiter: '\n' } } }, RecordColumns: [{ Name: 'TICKER', SqlType: 'VARCHAR(4)' }, { Name: 'COMPANY', SqlType: 'VARCHAR(32)' }] },
      },
    }));
    await ka.send(new AddApplicationCloudWatchLoggingOptionCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 4, CloudWatchLoggingOption: { LogStreamARN: 'arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:ticker', RoleARN: ROLE } }));
    const five = await describe(ka, 'ticker');
    expect(five.ApplicationVersionId).toBe(5);
    expect(five.ReferenceDataSourceDescriptions).toMatchObject([{ ReferenceId: '3.1', TableName: 'COMPANIES', S3ReferenceDataSourceDescription: { BucketARN: 'arn:aws:s3:::refs', FileKey: 'companies.csv', ReferenceRoleARN: ROLE } }]);
    expect(five.CloudWatchLoggingOptionDescriptions).toEqual([{ CloudWatchLoggingOptionId: '4.1', LogStreamARN: 'arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:ticker', RoleARN: ROLE }]);
    await ka.send(new DeleteApplicationReferenceDataSourceCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 5, ReferenceId: '3.1' }));
    await ka.send(new DeleteApplicationCloudWatchLoggingOptionCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 6, CloudWatchLoggingOptionId: '4.1' }));
    await expect(ka.send(new DeleteApplicationOutputCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 7, OutputId: '7.1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await ka.send(new DeleteApplicationOutputCommand({ ApplicationName: 'ticker', CurrentApplicationVersionId: 7, OutputId: '2.1' }));
    const eight = await describe(ka, 'ticker');
    expect(eight).toMatchObject({ ApplicationVersionId: 8, OutputDescriptions: [], ReferenceDataSourceDescriptions: [], CloudWatchLoggingOptionDescriptions: [] });

    await expect(ka.send(new DeleteApplicationCommand({ ApplicationName: 'ticker', CreateTimestamp: new Date(eight.CreateTimestamp!.getTime() - 5000) })))
      .rejects.toMatchObject({ name: 'ConcurrentModificationException' });
    await ka.send(new DeleteApplicationCommand({ ApplicationName: 'ticker', CreateTimestamp: eight.CreateTimestamp }));
    await eventually('ticker deleted', async () => {
      await ka.send(new DescribeApplicationCommand({ ApplicationName: 'ticker' })).then(() => { throw new Error('still there'); }, (e: Error) => { if (e.name !== 'ResourceNotFoundException') throw e; });
      return true;
    });
  });

  it('starts and stops, and refuses a transition the status does not allow', async () => {
    await ka.send(new CreateApplicationCommand(tickerApp('cycle', 'in', { Outputs: [output('DESTINATION_SQL_STREAM')] })));
    await expect(ka.send(new StopApplicationCommand({ ApplicationName: 'cycle' }))).rejects.toMatchObject({ name: 'ResourceInUseException', message: expect.stringContaining('READY') });
    await expect(ka.send(new StartApplicationCommand({ ApplicationName: 'cycle', InputConfigurations: [{ Id: '7.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] })))
      .rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await ka.send(new StartApplicationCommand({ ApplicationName: 'cycle', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] }));
    await untilStatus(ka, 'cycle', 'RUNNING');
    expect((await describe(ka, 'cycle')).InputDescriptions![0]!.InputStartingPositionConfiguration).toEqual({ InputStartingPosition: 'NOW' });
    await expect(ka.send(new StartApplicationCommand({ ApplicationName: 'cycle', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] })))
      .rejects.toMatchObject({ name: 'ResourceInUseException', message: expect.stringContaining('RUNNING') });
    await ka.send(new StopApplicationCommand({ ApplicationName: 'cycle' }));
    await untilStatus(ka, 'cycle', 'READY');
  });

  it('refuses to start when an output names an in-application stream the code does not create', async () => {
    await ka.send(new CreateApplicationCommand(tickerApp('misnamed', 'in', { Outputs: [output('NO_SUCH_STREAM')] })));
    await expect(ka.send(new StartApplicationCommand({ ApplicationName: 'misnamed', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] })))
      .rejects.toMatchObject({ name: 'InvalidApplicationConfigurationException', message: expect.stringContaining('NO_SUCH_STREAM') });
    expect((await describe(ka, 'misnamed')).ApplicationStatus).toBe('READY');
  });

  it('lists applications a page at a time', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await ka.send(new CreateApplicationCommand({ ApplicationName: name }));
    const names: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await ka.send(new ListApplicationsCommand({ Limit: 2, ...(after ? { ExclusiveStartApplicationName: after } : {}) }));
      expect(page.ApplicationSummaries!.length).toBeLessThanOrEqual(2);
      names.push(...page.ApplicationSummaries!.map((s) => s.ApplicationName!));
      if (!page.HasMoreApplications) break;
      after = names[names.length - 1];
    }
    expect(names.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
    expect(names).toEqual([...names].sort());
  });
});

group('what Sluice refuses, with AWS error types', () => {
  const code = (sql: string) => ka.send(new CreateApplicationCommand({ ApplicationName: 'coded', ApplicationCode: sql, Inputs: [jsonInput('in', TICKER_COLUMNS)] }));

  it('answers code that does not parse or bind with CodeValidationException and the rendered diagnostic', async () => {
    const parse = await code('CREATE OR REPLACE STREAM "D" ("t" VARCHAR(4));\nCREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM FROM "SOURCE_SQL_STREAM_001";').catch((e: Error) => e);
    expect(parse).toMatchObject({ name: 'CodeValidationException' });
    expect((parse as Error).message).toMatch(/error\[SQL_\w+\]/);
    expect((parse as Error).message).toContain('--> application code:2:');
    const bind = await code('CREATE OR REPLACE STREAM "D" ("t" VARCHAR(4));\nCREATE PUMP "P" AS INSERT INTO "D"\n  SELECT STREAM "TICKER" FROM "SOURCE_SQL_STREAM_001";').catch((e: Error) => e);
    expect(bind).toMatchObject({ name: 'CodeValidationException' });
    expect((bind as Error).message).toContain('--> application code:3:17');
    expect((bind as Error).message).toContain('3 |   SELECT STREAM "TICKER" FROM "SOURCE_SQL_STREAM_001";');
    expect((bind as Error).message).toMatch(/\^{8}/);
    expect((bind as Error).message).toContain('TICKER_SYMBOL');
    const fn = await code("CREATE FUNCTION twice AS 'data:text/javascript,export const f = (x) => x * 2#f' LANGUAGE JAVASCRIPT;").catch((e: Error) => e);
    expect(fn).toMatchObject({ name: 'CodeValidationException', message: expect.stringContaining('CREATE FUNCTION is not allowed') });
    await expect(ka.send(new DescribeApplicationCommand({ ApplicationName: 'coded' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('checks the code again when an input arrives', async () => {
    await ka.send(new CreateApplicationCommand({ ApplicationName: 'late-input', ApplicationCode: TICKER_CODE }));
    const wrong = jsonInput('in', [{ Name: 'SYMBOL', Mapping: '$.ticker', SqlType: 'VARCHAR(4)' }]);
    await expect(ka.send(new AddApplicationInputCommand({ ApplicationName: 'late-input', CurrentApplicationVersionId: 1, Input: wrong }))).rejects.toMatchObject({ name: 'CodeValidationException' });
    await ka.send(new AddApplicationInputCommand({ ApplicationName: 'late-input', CurrentApplicationVersionId: 1, Input: jsonInput('in', TICKER_COLUMNS) }));
    await expect(ka.send(new AddApplicationInputCommand({ ApplicationName: 'late-input', CurrentApplicationVersionId: 2, Input: jsonInput('in', TICKER_COLUMNS, 'OTHER') })))
      .rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining('one streaming source') });
  });

  it('refuses Lambda, Firehose inputs, unknown streams and what the schema cannot map with InvalidArgumentException', async () => {
    const refused = async (input: Parameters<typeof tickerApp>[2], message: string) =>
      expect(ka.send(new CreateApplicationCommand(tickerApp('refused', 'in', input)))).rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining(message) });
    const lambda = { InputLambdaProcessor: { ResourceARN: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleARN: ROLE } };
    await refused({ Inputs: [{ ...jsonInput('in', TICKER_COLUMNS), InputProcessingConfiguration: lambda }] }, 'Sluice runs no AWS Lambda');
    await refused({ Inputs: [{ ...jsonInput('in', TICKER_COLUMNS), KinesisStreamsInput: undefined, KinesisFirehoseInput: { ResourceARN: firehoseArn('f'), RoleARN: ROLE } }] }, 'Firehose delivery stream as input');
    await refused({ Inputs: [jsonInput('missing', TICKER_COLUMNS)] }, 'does not exist');
    await refused({ Inputs: [jsonInput('in', [{ Name: 'T', Mapping: '$.t', SqlType: 'TIME' }])] }, 'not supported by Sluice');
    await refused({ Inputs: [jsonInput('in', [{ Name: 'T', Mapping: 't', SqlType: 'VARCHAR(8)' }])] }, 'must start with $');
    await refused({ Inputs: [jsonInput('in', [{ Name: 'T', SqlType: 'VARCHAR(8)' }])] }, 'needs a Mapping');
    await refused({ Inputs: [jsonInput('in', [{ Name: 'A', Mapping: '$.a[0:].x', SqlType: 'INTEGER' }, { Name: 'B', Mapping: '$.b[0:].y', SqlType: 'INTEGER' }])] }, 'only one array');
    await refused({ Outputs: [{ Name: 'D', LambdaOutput: { ResourceARN: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' } }] }, 'LambdaOutput');
    await refused({ Outputs: [output('D'), output('D'), output('D'), output('D')] }, 'at most 3 destinations');
    await refused({ Outputs: [{ ...output('D'), KinesisStreamsOutput: undefined, KinesisFirehoseOutput: { ResourceARN: firehoseArn('nowhere'), RoleARN: ROLE } }] }, 'does not exist');

    await ka.send(new CreateApplicationCommand(tickerApp('processing', 'in')));
    const add = ka.send(new AddApplicationInputProcessingConfigurationCommand({ ApplicationName: 'processing', CurrentApplicationVersionId: 1, InputId: '1.1', InputProcessingConfiguration: lambda }));
    await expect(add).rejects.toMatchObject({ name: 'InvalidArgumentException', message: expect.stringContaining('Sluice runs no AWS Lambda') });
    await expect(ka.send(new DeleteApplicationInputProcessingConfigurationCommand({ ApplicationName: 'processing', CurrentApplicationVersionId: 1, InputId: '1.1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await describe(ka, 'processing')).ApplicationVersionId).toBe(1);
  });

  it('checks requests against the service model with ValidationException, and unknown applications with ResourceNotFoundException', async () => {
    await expect(ka.send(new CreateApplicationCommand({ ApplicationName: 'no spaces' }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'applicationName' failed to satisfy constraint") });
    await expect(ka.send(new CreateApplicationCommand({ ApplicationName: 'x', ApplicationCode: 'x'.repeat(102_401) }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ka.send(new AddApplicationOutputCommand({ ApplicationName: 'x', CurrentApplicationVersionId: 0, Output: output('D') }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ka.send(new DescribeApplicationCommand({ ApplicationName: 'nobody' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(ka.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/nobody' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

group('tags', () => {
  it('adds, replaces, lists and removes tags, within the 50 AWS allows', async () => {
    await ka.send(new CreateApplicationCommand({ ApplicationName: 'tagged', Tags: [{ Key: 'a', Value: '1' }] }));
    const arn = 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/tagged';
    await ka.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b' }] }));
    expect((await ka.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b' }]);
    await ka.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }));
    expect((await ka.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'b' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(ka.send(new TagResourceCommand({ ResourceARN: arn, Tags: many }))).rejects.toMatchObject({ name: 'TooManyTagsException' });
    await expect(ka.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'aws:owner', Value: 'x' }] }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(ka.send(new TagResourceCommand({ ResourceARN: 'arn:aws:s3:::bucket', Tags: [{ Key: 'k' }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect((await describe(ka, 'tagged')).ApplicationVersionId).toBe(1);
  });
});
