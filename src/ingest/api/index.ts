/**
 * The Kinesis Data Streams API (JSON 1.1 operations over the ingest log), without HTTP: the
 * server in src/server mounts it on `x-amz-target: Kinesis_20131202.<Operation>`.
 */

import type { LogStore } from '../log-store.js';
import { KinesisApi, type KinesisApiOptions, type Operation } from './kinesis-api.js';
import { consumerOperations } from './ops/consumer-ops.js';
import { encryptionOperations } from './ops/encryption-ops.js';
import { readOperations } from './ops/read-ops.js';
import { recordOperations } from './ops/record-ops.js';
import { shardOperations } from './ops/shard-ops.js';
import { streamOperations } from './ops/stream-ops.js';
import { subscribeOperations } from './ops/subscribe-to-shard.js';
import { tagOperations } from './ops/tag-ops.js';

export const KINESIS_TARGET_PREFIX = 'Kinesis_20131202.';

export const kinesisOperations: readonly [string, Operation][] = [
  ...streamOperations,
  ...encryptionOperations,
  ...shardOperations,
  ...recordOperations,
  ...readOperations,
  ...tagOperations,
  ...consumerOperations,
  ...subscribeOperations,
];

/** A KinesisApi over `store` with every operation registered. */
export function createKinesisApi(store: LogStore, options: KinesisApiOptions = {}): Promise<KinesisApi> {
  return KinesisApi.open(store, options, kinesisOperations);
}

export { KinesisApi, RawJson, type Authorize, type KinesisApiOptions, type Operation, type OperationResult } from './kinesis-api.js';
export { ApiError, apiErrors, ACCOUNT_ID } from './errors.js';
export { EventStreamResult, EVENT_STREAM_CONTENT_TYPE, decodeEvents, type EventSink } from './event-stream.js';
export { TokenBucket, type Clock } from './token-bucket.js';
export { KINESIS_SHARD_LIMITS, type ShardLimits } from './capacity.js';
