/**
 * HttpEndpointDestinationConfiguration: buffers POSTed to a URL as Firehose's HTTP endpoint
 * delivery protocol, with an S3 configuration for failed (or all) data. A Url of the form
 * `duckdb:<path>?table=<name>` makes it a DuckDB table destination instead: Firehose has none, and
 * riding this shape keeps it creatable through the real SDK. The path is kept as given; where it
 * may land (the data directory, or a folder allowed with --allow-path) is decided by AllowedPaths.
 */

import { apiErrors } from '../../ingest/api/index.js';
import type { Spec } from '../../ingest/api/validation.js';
import { PROCESSING, ROLE_ARN, S3_DESTINATION_SPEC, S3_DESTINATION_UPDATE_SPEC, describeS3, parseS3, type S3Destination } from './destination-config.js';

export interface HttpDestination {
  readonly kind: 'http';
  readonly url: string;
  readonly name: string | undefined;
  readonly accessKey: string | undefined;
  /** Set when the Url names a DuckDB table rather than an HTTP endpoint. */
  readonly duckdb?: { readonly file: string; readonly table: string };
  readonly sizeInMBs: number;
  readonly intervalInSeconds: number;
  readonly contentEncoding: 'NONE' | 'GZIP';
  readonly commonAttributes: Readonly<Record<string, string>>;
  readonly retrySeconds: number;
  readonly s3BackupMode: 'FailedDataOnly' | 'AllData';
  readonly roleArn: string | undefined;
  readonly s3: S3Destination;
}

// AWS allows https:// only; a stand-in must also reach plain local servers, and the duckdb: form.
const URL_SPEC: Spec = { type: 'string', required: true, min: 1, max: 1000, pattern: '(https?://|duckdb:).*' };

const ENDPOINT: Spec = {
  type: 'structure',
  fields: {
    Url: URL_SPEC,
    Name: { type: 'string', min: 1, max: 256, pattern: '(?!\\s*$).+' },
    AccessKey: { type: 'string', min: 0, max: 4096 },
  },
};

const COMMON_FIELDS: Record<string, Spec> = {
  BufferingHints: { type: 'structure', fields: { SizeInMBs: { type: 'integer', min: 1, max: 64 }, IntervalInSeconds: { type: 'integer', min: 0, max: 900 } } },
  RequestConfiguration: {
    type: 'structure',
    fields: {
      ContentEncoding: { type: 'string', values: ['NONE', 'GZIP'] },
      CommonAttributes: {
        type: 'list',
        min: 0,
        max: 50,
        member: { type: 'structure', fields: { AttributeName: { type: 'string', required: true, min: 1, max: 256 }, AttributeValue: { type: 'string', required: true, min: 0, max: 1024 } } },
      },
    },
  },
  RetryOptions: { type: 'structure', fields: { DurationInSeconds: { type: 'integer', min: 0, max: 7200 } } },
  S3BackupMode: { type: 'string', values: ['FailedDataOnly', 'AllData'] },
  RoleARN: { ...ROLE_ARN, required: false },
  ProcessingConfiguration: PROCESSING,
};

export const HTTP_DESTINATION_SPEC: Spec = {
  type: 'structure',
  fields: { ...COMMON_FIELDS, EndpointConfiguration: { ...ENDPOINT, required: true }, S3Configuration: { ...S3_DESTINATION_SPEC, required: true } },
};

/** HttpEndpointDestinationUpdate: every field optional, S3Update in place of S3Configuration. */
export const HTTP_DESTINATION_UPDATE_SPEC: Spec = {
  type: 'structure',
  fields: { ...COMMON_FIELDS, EndpointConfiguration: ENDPOINT, S3Update: S3_DESTINATION_UPDATE_SPEC },
};

interface HttpInput {
  EndpointConfiguration: { Url: string; Name?: string; AccessKey?: string };
  BufferingHints?: { SizeInMBs?: number; IntervalInSeconds?: number };
  RequestConfiguration?: { ContentEncoding?: 'NONE' | 'GZIP'; CommonAttributes?: { AttributeName: string; AttributeValue: string }[] };
  RetryOptions?: { DurationInSeconds?: number };
  S3BackupMode?: 'FailedDataOnly' | 'AllData';
  RoleARN?: string;
  ProcessingConfiguration?: { Enabled?: boolean; Processors?: unknown[] };
  S3Configuration: object;
}

export function parseHttpDestination(input: object): HttpDestination {
  const c = input as HttpInput;
  if (c.ProcessingConfiguration?.Enabled && (c.ProcessingConfiguration.Processors?.length ?? 0) > 0) {
    throw apiErrors.invalid('ProcessingConfiguration is not supported by Sluice on an HTTP endpoint destination.');
  }
  const url = c.EndpointConfiguration.Url;
  const attributes: Record<string, string> = {};
  for (const a of c.RequestConfiguration?.CommonAttributes ?? []) {
    if (Object.hasOwn(attributes, a.AttributeName)) throw apiErrors.invalid(`CommonAttributes has AttributeName ${a.AttributeName} more than once.`);
    attributes[a.AttributeName] = a.AttributeValue;
  }
  return {
    kind: 'http',
    url,
    name: c.EndpointConfiguration.Name,
    accessKey: c.EndpointConfiguration.AccessKey,
    ...(url.startsWith('duckdb:') ? { duckdb: parseDuckDbUrl(url) } : {}),
    sizeInMBs: c.BufferingHints?.SizeInMBs ?? 5,
    intervalInSeconds: c.BufferingHints?.IntervalInSeconds ?? 300,
    contentEncoding: c.RequestConfiguration?.ContentEncoding ?? 'NONE',
    commonAttributes: attributes,
    retrySeconds: c.RetryOptions?.DurationInSeconds ?? 300,
    s3BackupMode: c.S3BackupMode ?? 'FailedDataOnly',
    roleArn: c.RoleARN,
    s3: parseS3(c.S3Configuration, false),
  };
}

/** `duckdb:file.duckdb?table=name` → the file (as given) and table; throws InvalidArgumentException. */
export function parseDuckDbUrl(url: string): { file: string; table: string } {
  const m = /^duckdb:([^?]+)\?table=([^&]+)$/.exec(url);
  const decode = (s: string | undefined): string => {
    try {
      return s === undefined ? '' : decodeURIComponent(s);
    } catch {
      return '';
    }
  };
  const file = decode(m?.[1]);
  const table = decode(m?.[2]);
  if (!m || file === '' || file.includes('\0') || table === '') throw apiErrors.invalid(`Url ${url} is not a DuckDB table URL (duckdb:<path>?table=<name>).`);
  return { file, table };
}

export function describeHttpDestination(d: HttpDestination): object {
  return {
    DestinationId: 'destinationId-000000000001',
    HttpEndpointDestinationDescription: {
      // The access key is a secret: AWS never describes it back.
      EndpointConfiguration: { Url: d.url, ...(d.name !== undefined ? { Name: d.name } : {}) },
      BufferingHints: { SizeInMBs: d.sizeInMBs, IntervalInSeconds: d.intervalInSeconds },
      CloudWatchLoggingOptions: { Enabled: false },
      RequestConfiguration: {
        ContentEncoding: d.contentEncoding,
        CommonAttributes: Object.entries(d.commonAttributes).map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue })),
      },
      ProcessingConfiguration: { Enabled: false },
      ...(d.roleArn !== undefined ? { RoleARN: d.roleArn } : {}),
      RetryOptions: { DurationInSeconds: d.retrySeconds },
      S3BackupMode: d.s3BackupMode,
      S3DestinationDescription: describeS3(d.s3),
    },
  };
}
