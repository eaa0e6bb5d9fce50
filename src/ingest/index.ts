export { LogStore, type CreateStreamOptions } from './log-store.js';
export { Stream, MIN_RETENTION_HOURS, MAX_RETENTION_HOURS } from './stream.js';
export { Shard } from './shard.js';
export { IngestError, PartialAppendError, type IngestErrorCode } from './errors.js';
export {
  HASH_KEY_MAX,
  evenHashKeyRanges,
  parseHashKey,
  partitionKeyHashKey,
  shardIdOf,
  shardIndexOf,
  type HashKeyRange,
} from './hashing.js';
export { compareSequenceNumbers, formatSequenceNumber, parseSequenceNumber } from './sequence-number.js';
export type {
  AppendRecord,
  AppendResult,
  LogStoreOptions,
  ReadOptions,
  ReadResult,
  RetentionReport,
  ShardDescription,
  ShardPosition,
  ShardRecord,
  StartingPosition,
  StreamDescription,
  StreamStatus,
} from './types.js';
