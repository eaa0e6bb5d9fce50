/** What each Firehose operation accepts, with AWS's limits (checked by the shared validator). */

import type { Fields, Spec } from '../../ingest/api/validation.js';
import { ROLE_ARN } from './destination-config.js';
import { DESTINATION_SPECS, DESTINATION_UPDATE_SPECS } from './destination.js';

export const MAX_RECORD_BYTES = 1_024_000;
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_TAGS = 50;

const NAME: Spec = { type: 'string', min: 1, max: 64, pattern: '[a-zA-Z0-9_.-]+' };
const REQUIRED_NAME: Spec = { ...NAME, required: true };
const DATA: Spec = { type: 'string', required: true };
const TYPES = ['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'];
const TAG_KEY: Spec = { type: 'string', min: 1, max: 128, pattern: '^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$' };
const TAG_VALUE: Spec = { type: 'string', min: 0, max: 256, pattern: '^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$' };
const TAGS: Spec = { type: 'list', min: 1, max: MAX_TAGS, member: { type: 'structure', fields: { Key: { ...TAG_KEY, required: true }, Value: TAG_VALUE } } };

export const SPECS: Readonly<Record<string, Fields>> = {
  CreateDeliveryStream: {
    DeliveryStreamName: REQUIRED_NAME,
    DeliveryStreamType: { type: 'string', values: TYPES },
    KinesisStreamSourceConfiguration: {
      type: 'structure',
      fields: {
        KinesisStreamARN: { type: 'string', required: true, min: 1, max: 512, pattern: 'arn:.*:kinesis:[a-zA-Z0-9\\-]+:\\d{12}:stream/[a-zA-Z0-9_.-]+' },
        RoleARN: { ...ROLE_ARN, required: true },
      },
    },
    ...DESTINATION_SPECS,
    Tags: TAGS,
  },
  DeleteDeliveryStream: { DeliveryStreamName: REQUIRED_NAME, AllowForceDelete: { type: 'boolean' } },
  DescribeDeliveryStream: {
    DeliveryStreamName: REQUIRED_NAME,
    Limit: { type: 'integer', min: 1, max: 10000 },
    ExclusiveStartDestinationId: { type: 'string', min: 1, max: 100 },
  },
  ListDeliveryStreams: {
    Limit: { type: 'integer', min: 1, max: 10000 },
    DeliveryStreamType: { type: 'string', values: TYPES },
    ExclusiveStartDeliveryStreamName: NAME,
  },
  PutRecord: { DeliveryStreamName: REQUIRED_NAME, Record: { type: 'structure', required: true, fields: { Data: DATA } } },
  PutRecordBatch: {
    DeliveryStreamName: REQUIRED_NAME,
    Records: { type: 'list', required: true, min: 1, max: MAX_BATCH_RECORDS, member: { type: 'structure', fields: { Data: DATA } } },
  },
  UpdateDestination: {
    DeliveryStreamName: REQUIRED_NAME,
    CurrentDeliveryStreamVersionId: { type: 'string', required: true, min: 1, max: 50, pattern: '[0-9]+' },
    DestinationId: { type: 'string', required: true, min: 1, max: 100 },
    ...DESTINATION_UPDATE_SPECS,
  },
  TagDeliveryStream: { DeliveryStreamName: REQUIRED_NAME, Tags: { ...TAGS, required: true } },
  UntagDeliveryStream: { DeliveryStreamName: REQUIRED_NAME, TagKeys: { type: 'list', required: true, min: 1, max: MAX_TAGS, member: TAG_KEY } },
  ListTagsForDeliveryStream: { DeliveryStreamName: REQUIRED_NAME, ExclusiveStartTagKey: TAG_KEY, Limit: { type: 'integer', min: 1, max: MAX_TAGS } },
};
