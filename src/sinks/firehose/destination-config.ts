/**
 * A delivery stream's S3 destination: read from either S3DestinationConfiguration or
 * ExtendedS3DestinationConfiguration (or an HTTP endpoint's S3Configuration), kept in one
 * normalised shape, and described back in both forms as DescribeDeliveryStream does.
 */

import { apiErrors } from '../../ingest/api/index.js';
import type { Spec } from '../../ingest/api/validation.js';
import { bucketName } from '../object-store.js';
import { checkPrefix, hasExpressions } from '../s3-naming.js';
import { FORMAT_CONVERSION_SPEC, parseFormatConversion, type FormatConversion } from './format-conversion-config.js';

export type Compression = 'UNCOMPRESSED' | 'GZIP';

export interface S3Destination {
  readonly kind: 's3';
  readonly roleArn: string;
  readonly bucketArn: string;
  readonly bucket: string;
  readonly prefix: string | undefined;
  readonly errorOutputPrefix: string | undefined;
  readonly sizeInMBs: number;
  readonly intervalInSeconds: number;
  readonly compression: Compression;
  /** ProcessingConfiguration's AppendDelimiterToRecord: a newline after each record. */
  readonly appendDelimiter: boolean;
  /** Where the request put it, so it is described back the same way. */
  readonly extended: boolean;
  /** JSON to Parquet (ExtendedS3 DataFormatConversionConfiguration), with the request's own text to describe back. */
  readonly conversion?: FormatConversion;
  readonly conversionConfig?: object;
}

export const ROLE_ARN: Spec = { type: 'string', required: true, min: 1, max: 512, pattern: 'arn:.*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+' };
const BUCKET_ARN: Spec = { type: 'string', required: true, min: 1, max: 2048, pattern: 'arn:.*:s3:::[\\w\\.\\-]{1,255}' };
const PREFIX: Spec = { type: 'string', min: 0, max: 1024 };
const BUFFERING_HINTS: Spec = {
  type: 'structure',
  fields: { SizeInMBs: { type: 'integer', min: 1, max: 128 }, IntervalInSeconds: { type: 'integer', min: 0, max: 900 } },
};
const COMPRESSION: Spec = { type: 'string', values: ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'] };
export const PROCESSING: Spec = {
  type: 'structure',
  fields: {
    Enabled: { type: 'boolean' },
    Processors: {
      type: 'list',
      member: {
        type: 'structure',
        fields: {
          Type: {
            type: 'string',
            required: true,
            values: ['RecordDeAggregation', 'Decompression', 'CloudWatchLogProcessing', 'Lambda', 'MetadataExtraction', 'AppendDelimiterToRecord'],
          },
          Parameters: {
            type: 'list',
            member: { type: 'structure', fields: { ParameterName: { type: 'string', required: true }, ParameterValue: { type: 'string', required: true, min: 1, max: 5120 } } },
          },
        },
      },
    },
  },
};

const S3_FIELDS = { RoleARN: ROLE_ARN, BucketARN: BUCKET_ARN, Prefix: PREFIX, ErrorOutputPrefix: PREFIX, BufferingHints: BUFFERING_HINTS, CompressionFormat: COMPRESSION };

export const S3_DESTINATION_SPEC: Spec = { type: 'structure', fields: S3_FIELDS };
export const EXTENDED_S3_DESTINATION_SPEC: Spec = {
  type: 'structure',
  fields: { ...S3_FIELDS, ProcessingConfiguration: PROCESSING, DataFormatConversionConfiguration: FORMAT_CONVERSION_SPEC, S3BackupMode: { type: 'string', values: ['Disabled', 'Enabled'] } },
};

/** The same shapes as UpdateDestination takes them: nothing required, what is left out is kept. */
export function optionalFields(spec: Spec): Spec {
  if (spec.type !== 'structure') return spec;
  return { type: 'structure', fields: Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, { ...v, required: false }])) };
}

export const S3_DESTINATION_UPDATE_SPEC = optionalFields(S3_DESTINATION_SPEC);
export const EXTENDED_S3_DESTINATION_UPDATE_SPEC = optionalFields(EXTENDED_S3_DESTINATION_SPEC);

interface S3Input {
  RoleARN: string;
  BucketARN: string;
  Prefix?: string;
  ErrorOutputPrefix?: string;
  BufferingHints?: { SizeInMBs?: number; IntervalInSeconds?: number };
  CompressionFormat?: string;
  ProcessingConfiguration?: { Enabled?: boolean; Processors?: { Type: string; Parameters?: { ParameterName: string; ParameterValue: string }[] }[] };
  DataFormatConversionConfiguration?: object;
  S3BackupMode?: string;
}

/** The S3 destination of a validated CreateDeliveryStream input; throws what AWS would. */
export function parseDestination(input: Record<string, unknown>): S3Destination {
  const extended = input['ExtendedS3DestinationConfiguration'] as S3Input | undefined;
  const plain = input['S3DestinationConfiguration'] as S3Input | undefined;
  if (extended && plain) throw apiErrors.invalid('Only one destination configuration is allowed.');
  const config = extended ?? plain;
  if (!config) throw apiErrors.invalid('Destination configuration is required: S3DestinationConfiguration or ExtendedS3DestinationConfiguration.');
  return parseS3(config, extended !== undefined);
}

/** One S3 configuration (plain, extended, or an HTTP endpoint's S3Configuration). */
export function parseS3(input: object, extended: boolean): S3Destination {
  const config = input as S3Input;
  const bucket = bucketName(config.BucketARN);
  if (!bucket) throw apiErrors.invalid(`BucketARN ${config.BucketARN} is not a valid S3 bucket ARN.`);
  const compression = config.CompressionFormat ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') throw apiErrors.invalid(`CompressionFormat ${compression} is not supported by Sluice (UNCOMPRESSED or GZIP).`);
  const prefix = config.Prefix || undefined;
  const errorOutputPrefix = config.ErrorOutputPrefix || undefined;
  const prefixProblem = (prefix && checkPrefix(prefix, false)) || (errorOutputPrefix && checkPrefix(errorOutputPrefix, true));
  if (prefixProblem) throw apiErrors.invalid(prefixProblem);
  if (prefix && hasExpressions(prefix) && !errorOutputPrefix) throw apiErrors.invalid('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.');
  if (config.S3BackupMode === 'Enabled') throw apiErrors.invalid('S3BackupMode Enabled (a second bucket for the source records) is not supported by Sluice.');
  const conversion = parseFormatConversion(config.DataFormatConversionConfiguration);
  // As in AWS: Parquet carries its own compression, and conversion needs buffers of at least 64 MiB.
  if (conversion && compression !== 'UNCOMPRESSED') throw apiErrors.invalid('CompressionFormat must be UNCOMPRESSED when DataFormatConversionConfiguration is enabled.');
  const sizeInMBs = config.BufferingHints?.SizeInMBs ?? (conversion ? 128 : 5);
  if (conversion && sizeInMBs < 64) throw apiErrors.invalid('BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.');
  return {
    kind: 's3',
    roleArn: config.RoleARN,
    bucketArn: config.BucketARN,
    bucket,
    prefix,
    errorOutputPrefix,
    sizeInMBs,
    intervalInSeconds: config.BufferingHints?.IntervalInSeconds ?? 300,
    compression,
    appendDelimiter: appendsDelimiter(config.ProcessingConfiguration),
    extended,
    ...(conversion ? { conversion, conversionConfig: config.DataFormatConversionConfiguration } : {}),
  };
}

function appendsDelimiter(processing: S3Input['ProcessingConfiguration']): boolean {
  if (!processing?.Enabled) return false;
  const unsupported = processing.Processors?.find((p) => p.Type !== 'AppendDelimiterToRecord');
  if (unsupported) throw apiErrors.invalid(`Processor type ${unsupported.Type} is not supported by Sluice (AppendDelimiterToRecord only).`);
  return processing.Processors?.some((p) => p.Type === 'AppendDelimiterToRecord') ?? false;
}

/** The destination as DescribeDeliveryStream reports it (both S3 and extended S3 forms). */
export function describeS3Destination(d: S3Destination): object {
  const s3 = describeS3(d);
  const processing = d.appendDelimiter ? { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] } : { Enabled: false };
  const conversion = d.conversionConfig ? { DataFormatConversionConfiguration: { Enabled: true, ...d.conversionConfig } } : {};
  return {
    DestinationId: 'destinationId-000000000001',
    S3DestinationDescription: s3,
    ExtendedS3DestinationDescription: { ...s3, ProcessingConfiguration: processing, S3BackupMode: 'Disabled', ...conversion },
  };
}

/** The fields an S3 destination is both configured and described with. */
export function s3Fields(d: S3Destination): Record<string, unknown> {
  return {
    RoleARN: d.roleArn,
    BucketARN: d.bucketArn,
    ...(d.prefix !== undefined ? { Prefix: d.prefix } : {}),
    ...(d.errorOutputPrefix !== undefined ? { ErrorOutputPrefix: d.errorOutputPrefix } : {}),
    BufferingHints: { SizeInMBs: d.sizeInMBs, IntervalInSeconds: d.intervalInSeconds },
    CompressionFormat: d.compression,
  };
}

/** S3DestinationDescription. */
export function describeS3(d: S3Destination): object {
  return {
    ...s3Fields(d),
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: { Enabled: false },
  };
}
