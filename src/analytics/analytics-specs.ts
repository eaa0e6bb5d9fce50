/**
 * What each KinesisAnalytics_20150814 operation accepts, with AWS's constraints from the service
 * model (lengths, patterns, enums, required members), checked by the shared validator.
 */

import type { Fields, Spec } from '../ingest/api/validation.js';

/** Limits of KDA for SQL applications (the SQL Developer Guide's Limits page). */
export const LIMITS = {
  applications: 50,
  inputs: 1,
  outputs: 3,
  referenceDataSources: 1,
  /** User-defined tags; AWS counts its own system tags against 200 on top. */
  tags: 50,
  inputParallelism: 64,
  codeChars: 102_400,
} as const;

const req = (spec: Spec): Spec => ({ ...spec, required: true });
const struct = (fields: Fields, required = false): Spec => ({ type: 'structure', fields, ...(required ? { required } : {}) });

export const APPLICATION_NAME: Spec = { type: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
const DESCRIPTION: Spec = { type: 'string', min: 0, max: 1024 };
const CODE: Spec = { type: 'string', min: 0, max: LIMITS.codeChars };
const VERSION: Spec = { type: 'integer', min: 1, max: 999_999_999 };
const ID: Spec = { type: 'string', min: 1, max: 50, pattern: '[a-zA-Z0-9_.-]+' };
const RESOURCE_ARN: Spec = { type: 'string', min: 1, max: 2048, pattern: 'arn:.*' };
const ROLE_ARN: Spec = { type: 'string', min: 1, max: 2048, pattern: 'arn:aws:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+' };
const IN_APP_NAME: Spec = { type: 'string', min: 1, max: 32 };
const FILE_KEY: Spec = { type: 'string', min: 1, max: 1024 };
const FORMAT_TYPE: Spec = { type: 'string', values: ['JSON', 'CSV'] };
const STARTING_POSITION: Spec = { type: 'string', values: ['NOW', 'TRIM_HORIZON', 'LAST_STOPPED_POINT'] };
/** The ARN pattern of the service model, with Java's possessive quantifiers written as plain ones. */
const APPLICATION_ARN: Spec = { type: 'string', min: 1, max: 2048, pattern: 'arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\\d{1}:\\d{12}:application/[a-zA-Z0-9_.-]{1,128}' };
const TAG_KEY: Spec = { type: 'string', min: 1, max: 128 };
const TAGS: Spec = { type: 'list', min: 1, max: 200, member: struct({ Key: req(TAG_KEY), Value: { type: 'string', min: 0, max: 256 } }) };

const RESOURCE = (arn: Spec = RESOURCE_ARN): Fields => ({ ResourceARN: req(arn), RoleARN: req(ROLE_ARN) });
const RESOURCE_UPDATE: Fields = { ResourceARNUpdate: RESOURCE_ARN, RoleARNUpdate: ROLE_ARN };

const RECORD_FORMAT: Fields = {
  RecordFormatType: req(FORMAT_TYPE),
  MappingParameters: struct({
    JSONMappingParameters: struct({ RecordRowPath: req({ type: 'string', min: 1 }) }),
    CSVMappingParameters: struct({ RecordRowDelimiter: req({ type: 'string', min: 1 }), RecordColumnDelimiter: req({ type: 'string', min: 1 }) }),
  }),
};
const RECORD_COLUMNS: Spec = {
  type: 'list',
  min: 1,
  max: 1000,
  member: struct({ Name: req({ type: 'string' }), Mapping: { type: 'string' }, SqlType: req({ type: 'string', min: 1 }) }),
};
const ENCODING: Spec = { type: 'string', pattern: 'UTF-8' };
const SOURCE_SCHEMA: Fields = { RecordFormat: struct(RECORD_FORMAT, true), RecordEncoding: ENCODING, RecordColumns: req(RECORD_COLUMNS) };
const LAMBDA_PROCESSING = struct({ InputLambdaProcessor: struct(RESOURCE(), true) });

export const INPUT_FIELDS: Fields = {
  NamePrefix: req(IN_APP_NAME),
  InputProcessingConfiguration: LAMBDA_PROCESSING,
  KinesisStreamsInput: struct(RESOURCE()),
  KinesisFirehoseInput: struct(RESOURCE()),
  InputParallelism: struct({ Count: { type: 'integer', min: 1, max: LIMITS.inputParallelism } }),
  InputSchema: struct(SOURCE_SCHEMA, true),
};
export const OUTPUT_FIELDS: Fields = {
  Name: req(IN_APP_NAME),
  KinesisStreamsOutput: struct(RESOURCE()),
  KinesisFirehoseOutput: struct(RESOURCE()),
  LambdaOutput: struct(RESOURCE()),
  DestinationSchema: struct({ RecordFormatType: req(FORMAT_TYPE) }, true),
};
export const REFERENCE_FIELDS: Fields = {
  TableName: req(IN_APP_NAME),
  S3ReferenceDataSource: struct({ BucketARN: req(RESOURCE_ARN), FileKey: req(FILE_KEY), ReferenceRoleARN: req(ROLE_ARN) }),
  ReferenceSchema: struct(SOURCE_SCHEMA, true),
};
const LOGGING_OPTION: Fields = { LogStreamARN: req(RESOURCE_ARN), RoleARN: req(ROLE_ARN) };

const APPLICATION_UPDATE: Fields = {
  InputUpdates: {
    type: 'list',
    member: struct({
      InputId: req(ID),
      NamePrefixUpdate: IN_APP_NAME,
      InputProcessingConfigurationUpdate: struct({ InputLambdaProcessorUpdate: struct(RESOURCE_UPDATE, true) }),
      KinesisStreamsInputUpdate: struct(RESOURCE_UPDATE),
      KinesisFirehoseInputUpdate: struct(RESOURCE_UPDATE),
      InputSchemaUpdate: struct({ RecordFormatUpdate: struct(RECORD_FORMAT), RecordEncodingUpdate: ENCODING, RecordColumnUpdates: RECORD_COLUMNS }),
      InputParallelismUpdate: struct({ CountUpdate: { type: 'integer', min: 1, max: LIMITS.inputParallelism } }),
    }),
  },
  ApplicationCodeUpdate: CODE,
  OutputUpdates: {
    type: 'list',
    member: struct({
      OutputId: req(ID),
      NameUpdate: IN_APP_NAME,
      KinesisStreamsOutputUpdate: struct(RESOURCE_UPDATE),
      KinesisFirehoseOutputUpdate: struct(RESOURCE_UPDATE),
      LambdaOutputUpdate: struct(RESOURCE_UPDATE),
      DestinationSchemaUpdate: struct({ RecordFormatType: req(FORMAT_TYPE) }),
    }),
  },
  ReferenceDataSourceUpdates: {
    type: 'list',
    member: struct({
      ReferenceId: req(ID),
      TableNameUpdate: IN_APP_NAME,
      S3ReferenceDataSourceUpdate: struct({ BucketARNUpdate: RESOURCE_ARN, FileKeyUpdate: FILE_KEY, ReferenceRoleARNUpdate: ROLE_ARN }),
      ReferenceSchemaUpdate: struct(SOURCE_SCHEMA),
    }),
  },
  CloudWatchLoggingOptionUpdates: {
    type: 'list',
    member: struct({ CloudWatchLoggingOptionId: req(ID), LogStreamARNUpdate: RESOURCE_ARN, RoleARNUpdate: ROLE_ARN }),
  },
};

const VERSIONED: Fields = { ApplicationName: req(APPLICATION_NAME), CurrentApplicationVersionId: req(VERSION) };

export const SPECS: Readonly<Record<string, Fields>> = {
  CreateApplication: {
    ApplicationName: req(APPLICATION_NAME),
    ApplicationDescription: DESCRIPTION,
    Inputs: { type: 'list', member: struct(INPUT_FIELDS) },
    Outputs: { type: 'list', member: struct(OUTPUT_FIELDS) },
    CloudWatchLoggingOptions: { type: 'list', member: struct(LOGGING_OPTION) },
    ApplicationCode: CODE,
    Tags: TAGS,
  },
  DescribeApplication: { ApplicationName: req(APPLICATION_NAME) },
  ListApplications: { Limit: { type: 'integer', min: 1, max: 50 }, ExclusiveStartApplicationName: APPLICATION_NAME },
  UpdateApplication: { ...VERSIONED, ApplicationUpdate: struct(APPLICATION_UPDATE, true) },
  DeleteApplication: { ApplicationName: req(APPLICATION_NAME), CreateTimestamp: req({ type: 'timestamp' }) },
  StartApplication: {
    ApplicationName: req(APPLICATION_NAME),
    InputConfigurations: req({ type: 'list', member: struct({ Id: req(ID), InputStartingPositionConfiguration: struct({ InputStartingPosition: STARTING_POSITION }, true) }) }),
  },
  StopApplication: { ApplicationName: req(APPLICATION_NAME) },
  AddApplicationInput: { ...VERSIONED, Input: struct(INPUT_FIELDS, true) },
  AddApplicationOutput: { ...VERSIONED, Output: struct(OUTPUT_FIELDS, true) },
  DeleteApplicationOutput: { ...VERSIONED, OutputId: req(ID) },
  AddApplicationReferenceDataSource: { ...VERSIONED, ReferenceDataSource: struct(REFERENCE_FIELDS, true) },
  DeleteApplicationReferenceDataSource: { ...VERSIONED, ReferenceId: req(ID) },
  AddApplicationCloudWatchLoggingOption: { ...VERSIONED, CloudWatchLoggingOption: struct(LOGGING_OPTION, true) },
  DeleteApplicationCloudWatchLoggingOption: { ...VERSIONED, CloudWatchLoggingOptionId: req(ID) },
  AddApplicationInputProcessingConfiguration: { ...VERSIONED, InputId: req(ID), InputProcessingConfiguration: { ...LAMBDA_PROCESSING, required: true } },
  DeleteApplicationInputProcessingConfiguration: { ...VERSIONED, InputId: req(ID) },
  DiscoverInputSchema: {
    ResourceARN: RESOURCE_ARN,
    RoleARN: ROLE_ARN,
    InputStartingPositionConfiguration: struct({ InputStartingPosition: STARTING_POSITION }),
    S3Configuration: struct({ RoleARN: req(ROLE_ARN), BucketARN: req(RESOURCE_ARN), FileKey: req(FILE_KEY) }),
    InputProcessingConfiguration: LAMBDA_PROCESSING,
  },
  TagResource: { ResourceARN: req(APPLICATION_ARN), Tags: req(TAGS) },
  UntagResource: { ResourceARN: req(APPLICATION_ARN), TagKeys: req({ type: 'list', min: 1, max: 200, member: TAG_KEY }) },
  ListTagsForResource: { ResourceARN: req(APPLICATION_ARN) },
};
