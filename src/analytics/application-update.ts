/**
 * UpdateApplication's ApplicationUpdate applied to an application's configuration: each update
 * names an input, output, reference data source or logging option by id and replaces the parts
 * it gives. The result is checked as a new configuration would be.
 */

import { apiErrors } from '../ingest/api/index.js';
import type { Input } from '../ingest/api/validation.js';
import type { ApplicationRecord, InputConfig, LoggingOption, OutputConfig, ReferenceConfig } from './application.js';
import { checkNames, checkSchema, deliveryStreamOf, invalid, kinesisStreamOf, NO_LAMBDA, type ConfigContext } from './application-config.js';
import { bucketName } from '../sinks/object-store.js';
import type { SourceSchema } from './record-mapper.js';

type Change = Pick<ApplicationRecord, 'code' | 'inputs' | 'outputs' | 'references' | 'logging'>;
type ResourceUpdate = { ResourceARNUpdate?: string; RoleARNUpdate?: string };
type SchemaUpdate = { RecordFormatUpdate?: SourceSchema['RecordFormat']; RecordEncodingUpdate?: string; RecordColumnUpdates?: SourceSchema['RecordColumns'] };

export async function applyUpdate(app: ApplicationRecord, update: Input, ctx: ConfigContext): Promise<Change> {
  const inputs = app.inputs.map((i) => ({ ...i }));
  const outputs = app.outputs.map((o) => ({ ...o }));
  const references = app.references.map((r) => ({ ...r }));
  const logging = app.logging.map((l) => ({ ...l }));
  for (const u of (update['InputUpdates'] as Input[] | undefined) ?? []) {
    const at = indexOf(inputs, u['InputId'] as string, 'Input', app.name);
    inputs[at] = updatedInput(inputs[at]!, u, ctx);
  }
  for (const u of (update['OutputUpdates'] as Input[] | undefined) ?? []) {
    const at = indexOf(outputs, u['OutputId'] as string, 'Output', app.name);
    outputs[at] = await updatedOutput(outputs[at]!, u, ctx);
  }
  for (const u of (update['ReferenceDataSourceUpdates'] as Input[] | undefined) ?? []) {
    const at = indexOf(references, u['ReferenceId'] as string, 'Reference data source', app.name);
    references[at] = updatedReference(references[at]!, u);
  }
  for (const u of (update['CloudWatchLoggingOptionUpdates'] as Input[] | undefined) ?? []) {
    const at = indexOf(logging, u['CloudWatchLoggingOptionId'] as string, 'CloudWatch logging option', app.name);
    const l: LoggingOption = logging[at]!;
    logging[at] = { ...l, logStreamArn: (u['LogStreamARNUpdate'] as string | undefined) ?? l.logStreamArn, roleArn: (u['RoleARNUpdate'] as string | undefined) ?? l.roleArn };
  }
  checkNames(inputs, references);
  return { code: (update['ApplicationCodeUpdate'] as string | undefined) ?? app.code, inputs, outputs, references, logging };
}

function indexOf(list: readonly { id: string }[], id: string, what: string, app: string): number {
  const at = list.findIndex((x) => x.id === id);
  if (at < 0) throw apiErrors.notFound(`${what} ${id} of application ${app} not found.`);
  return at;
}

function updatedSchema(schema: SourceSchema, u: SchemaUpdate | undefined, what: string): SourceSchema {
  if (!u) return schema;
  const next: SourceSchema = {
    RecordFormat: u.RecordFormatUpdate ?? schema.RecordFormat,
    RecordColumns: u.RecordColumnUpdates ?? schema.RecordColumns,
    ...((u.RecordEncodingUpdate ?? schema.RecordEncoding) !== undefined ? { RecordEncoding: u.RecordEncodingUpdate ?? schema.RecordEncoding } : {}),
  };
  return checkSchema(next, what);
}

function updatedInput(i: InputConfig, u: Input, ctx: ConfigContext): InputConfig {
  if (u['InputProcessingConfigurationUpdate']) throw invalid(NO_LAMBDA);
  if (u['KinesisFirehoseInputUpdate']) throw invalid('Sluice reads application input from Kinesis streams of its log; a Firehose delivery stream as input is not supported.');
  const source = u['KinesisStreamsInputUpdate'] as ResourceUpdate | undefined;
  const resourceArn = source?.ResourceARNUpdate ?? i.resourceArn;
  const namePrefix = (u['NamePrefixUpdate'] as string | undefined) ?? i.namePrefix;
  if (namePrefix.length + 4 > 32) throw invalid(`NamePrefix ${namePrefix} leaves no room for the _001 suffix of an in-application stream name (at most 32 characters).`);
  return {
    ...i,
    namePrefix,
    resourceArn,
    stream: source?.ResourceARNUpdate ? kinesisStreamOf(resourceArn, ctx.log) : i.stream,
    roleArn: source?.RoleARNUpdate ?? i.roleArn,
    parallelism: (u['InputParallelismUpdate'] as { CountUpdate?: number } | undefined)?.CountUpdate ?? i.parallelism,
    schema: updatedSchema(i.schema, u['InputSchemaUpdate'] as SchemaUpdate | undefined, `input ${namePrefix}`),
  };
}

async function updatedOutput(o: OutputConfig, u: Input, ctx: ConfigContext): Promise<OutputConfig> {
  if (u['LambdaOutputUpdate']) throw invalid('Sluice runs no AWS Lambda functions, so LambdaOutput cannot be a destination; deliver to a Kinesis stream or a Firehose delivery stream.');
  const stream = u['KinesisStreamsOutputUpdate'] as ResourceUpdate | undefined;
  const firehose = u['KinesisFirehoseOutputUpdate'] as ResourceUpdate | undefined;
  if (stream && firehose) throw invalid('An output update gives one destination: KinesisStreamsOutputUpdate or KinesisFirehoseOutputUpdate.');
  let next: OutputConfig = { ...o, name: (u['NameUpdate'] as string | undefined) ?? o.name, format: (u['DestinationSchemaUpdate'] as { RecordFormatType?: OutputConfig['format'] } | undefined)?.RecordFormatType ?? o.format };
  const change = stream ?? firehose;
  if (change) {
    const kind = stream ? 'kinesis' : 'firehose';
    // A destination of another kind needs its own ARN; the same kind may change only its role.
    const resourceArn = change.ResourceARNUpdate ?? (kind === o.kind ? o.resourceArn : undefined);
    if (resourceArn === undefined) throw invalid(`Output ${o.id} moves to a ${kind === 'kinesis' ? 'Kinesis stream' : 'Firehose delivery stream'}: give its ResourceARNUpdate.`);
    const target = kind === 'kinesis' ? kinesisStreamOf(resourceArn, ctx.log) : await deliveryStreamOf(resourceArn, ctx);
    next = { ...next, kind, target, resourceArn, roleArn: change.RoleARNUpdate ?? o.roleArn };
  }
  return next;
}

function updatedReference(r: ReferenceConfig, u: Input): ReferenceConfig {
  const s3 = u['S3ReferenceDataSourceUpdate'] as { BucketARNUpdate?: string; FileKeyUpdate?: string; ReferenceRoleARNUpdate?: string } | undefined;
  const bucketArn = s3?.BucketARNUpdate ?? r.bucketArn;
  const bucket = bucketName(bucketArn);
  if (!bucket) throw invalid(`${bucketArn} is not an S3 bucket ARN (arn:aws:s3:::<bucket>).`);
  const tableName = (u['TableNameUpdate'] as string | undefined) ?? r.tableName;
  const schema = u['ReferenceSchemaUpdate'] ? checkSchema(u['ReferenceSchemaUpdate'] as SourceSchema, `reference table ${tableName}`) : r.schema;
  return { ...r, tableName, bucketArn, bucket, fileKey: s3?.FileKeyUpdate ?? r.fileKey, roleArn: s3?.ReferenceRoleARNUpdate ?? r.roleArn, schema };
}
