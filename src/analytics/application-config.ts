/**
 * An application's inputs, outputs, reference data sources and logging options, read from the
 * request shapes of CreateApplication, the Add* operations and UpdateApplication, and checked
 * against this Sluice: inputs and outputs name streams of its log or its Firehose delivery
 * streams, reference data an object in its data directory's S3 layout. What Sluice cannot do
 * (Lambda, a Firehose delivery stream as input) is refused with InvalidArgumentException.
 */

import { ACCOUNT_ID, ApiError, apiErrors } from '../ingest/api/index.js';
import type { LogStore } from '../ingest/index.js';
import type { Input } from '../ingest/api/validation.js';
import { bucketName } from '../sinks/object-store.js';
import { inAppStreamNames, type InputConfig, type LoggingOption, type OutputConfig, type RecordFormatType, type ReferenceConfig } from './application.js';
import { recordMapper, type SourceSchema } from './record-mapper.js';

/** What the checks need from this Sluice. */
export interface ConfigContext {
  readonly log: LogStore;
  /** Whether a Firehose delivery stream of this name exists. */
  deliveryStreamExists(name: string): Promise<boolean>;
}

type Resource = { ResourceARN: string; RoleARN: string };

export const NO_LAMBDA = 'Sluice runs no AWS Lambda functions, so it cannot preprocess input records with an InputLambdaProcessor; remove the InputProcessingConfiguration and transform the records in the application code instead.';

export function invalid(message: string): ApiError {
  return apiErrors.invalid(message);
}

/** The Kinesis stream of this Sluice's log that an ARN names (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function kinesisStreamOf(arn: string, log: LogStore): string {
  const m = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]{1,128})$/.exec(arn);
  if (!m) throw invalid(`${arn} is not a Kinesis stream ARN (arn:aws:kinesis:<region>:${ACCOUNT_ID}:stream/<name>).`);
  if (!log.listStreams().includes(m[1]!)) throw invalid(`Kinesis stream ${m[1]} (${arn}) does not exist in this Sluice's log.`);
  return m[1]!;
}

export async function deliveryStreamOf(arn: string, ctx: ConfigContext): Promise<string> {
  const m = /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/([a-zA-Z0-9_.-]{1,64})$/.exec(arn);
  if (!m) throw invalid(`${arn} is not a Firehose delivery stream ARN (arn:aws:firehose:<region>:${ACCOUNT_ID}:deliverystream/<name>).`);
  if (!(await ctx.deliveryStreamExists(m[1]!))) throw invalid(`Firehose delivery stream ${m[1]} (${arn}) does not exist in this Sluice.`);
  return m[1]!;
}

/** A SourceSchema that the record mapping can apply (column names and types, JSONPaths, delimiters). */
export function checkSchema(schema: SourceSchema, what: string): SourceSchema {
  const format = schema.RecordFormat.RecordFormatType;
  const params = schema.RecordFormat.MappingParameters;
  if (format === 'JSON' && params?.CSVMappingParameters) throw invalid(`${what}: CSVMappingParameters do not apply to RecordFormatType JSON.`);
  if (format === 'CSV' && params?.JSONMappingParameters) throw invalid(`${what}: JSONMappingParameters do not apply to RecordFormatType CSV.`);
  const mapper = recordMapper(schema);
  if (typeof mapper === 'string') throw invalid(`${what}: ${mapper}.`);
  return schema;
}

export function inputFrom(given: Input, id: string, ctx: ConfigContext): InputConfig {
  if (given['InputProcessingConfiguration']) throw invalid(NO_LAMBDA);
  if (given['KinesisFirehoseInput']) throw invalid('Sluice reads application input from Kinesis streams of its log (KinesisStreamsInput); a Firehose delivery stream as input is not supported.');
  const source = given['KinesisStreamsInput'] as Resource | undefined;
  if (!source) throw invalid('An input needs KinesisStreamsInput: the ARN of a Kinesis stream of this Sluice.');
  const stream = kinesisStreamOf(source.ResourceARN, ctx.log);
  const prefix = given['NamePrefix'] as string;
  const parallelism = ((given['InputParallelism'] as { Count?: number } | undefined)?.Count) ?? 1;
  if (prefix.length + 4 > 32) throw invalid(`NamePrefix ${prefix} leaves no room for the _001 suffix of an in-application stream name (at most 32 characters).`);
  return { id, namePrefix: prefix, stream, resourceArn: source.ResourceARN, roleArn: source.RoleARN, parallelism, schema: checkSchema(given['InputSchema'] as SourceSchema, `input ${prefix}`) };
}

export async function outputFrom(given: Input, id: string, ctx: ConfigContext): Promise<OutputConfig> {
  if (given['LambdaOutput']) throw invalid('Sluice runs no AWS Lambda functions, so LambdaOutput cannot be a destination; deliver to a Kinesis stream or a Firehose delivery stream.');
  const stream = given['KinesisStreamsOutput'] as Resource | undefined;
  const firehose = given['KinesisFirehoseOutput'] as Resource | undefined;
  if ((stream ? 1 : 0) + (firehose ? 1 : 0) !== 1) throw invalid('An output needs exactly one destination: KinesisStreamsOutput or KinesisFirehoseOutput.');
  const format = (given['DestinationSchema'] as { RecordFormatType: RecordFormatType }).RecordFormatType;
  const name = given['Name'] as string;
  if (stream) return { id, name, kind: 'kinesis', target: kinesisStreamOf(stream.ResourceARN, ctx.log), resourceArn: stream.ResourceARN, roleArn: stream.RoleARN, format };
  return { id, name, kind: 'firehose', target: await deliveryStreamOf(firehose!.ResourceARN, ctx), resourceArn: firehose!.ResourceARN, roleArn: firehose!.RoleARN, format };
}

export function referenceFrom(given: Input, id: string): ReferenceConfig {
  const s3 = given['S3ReferenceDataSource'] as { BucketARN: string; FileKey: string; ReferenceRoleARN: string } | undefined;
  if (!s3) throw invalid('A reference data source needs S3ReferenceDataSource (BucketARN and FileKey of an object in the data directory).');
  const bucket = bucketName(s3.BucketARN);
  if (!bucket) throw invalid(`${s3.BucketARN} is not an S3 bucket ARN (arn:aws:s3:::<bucket>).`);
  const tableName = given['TableName'] as string;
  return { id, tableName, bucketArn: s3.BucketARN, bucket, fileKey: s3.FileKey, roleArn: s3.ReferenceRoleARN, schema: checkSchema(given['ReferenceSchema'] as SourceSchema, `reference table ${tableName}`) };
}

export function loggingFrom(given: Input, id: string): LoggingOption {
  return { id, logStreamArn: given['LogStreamARN'] as string, roleArn: given['RoleARN'] as string };
}

/** Names of in-application streams and tables must not repeat (KDA keeps them in one catalog). */
export function checkNames(inputs: readonly InputConfig[], references: readonly ReferenceConfig[]): void {
  const seen = new Set<string>();
  const names = [...inputs.flatMap(inAppStreamNames), ...references.map((r) => r.tableName)];
  for (const n of names) {
    if (seen.has(n)) throw invalid(`${n} names two in-application streams or tables of the application.`);
    seen.add(n);
  }
}
