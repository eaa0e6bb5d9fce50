/**
 * The log's descriptions turned into the Kinesis wire shapes (PascalCase, timestamps in epoch
 * seconds, Data in base64).
 */

import type { Shard } from '../shard.js';
import type { Stream } from '../stream.js';
import type { ShardRecord } from '../types.js';
import type { KinesisApi, ResolvedStream } from './kinesis-api.js';

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function shardShape(shard: Shard): object {
  const d = shard.describe();
  return {
    ShardId: d.shardId,
    ...(d.parentShardId !== undefined ? { ParentShardId: d.parentShardId } : {}),
    ...(d.adjacentParentShardId !== undefined ? { AdjacentParentShardId: d.adjacentParentShardId } : {}),
    HashKeyRange: { StartingHashKey: d.hashKeyRange.startingHashKey, EndingHashKey: d.hashKeyRange.endingHashKey },
    SequenceNumberRange: {
      StartingSequenceNumber: d.sequenceNumberRange.startingSequenceNumber,
      ...(d.sequenceNumberRange.endingSequenceNumber !== undefined ? { EndingSequenceNumber: d.sequenceNumberRange.endingSequenceNumber } : {}),
    },
  };
}

export function recordShape(record: ShardRecord): object {
  const data = record.data;
  const shape = {
    SequenceNumber: record.sequenceNumber,
    ApproximateArrivalTimestamp: epochSeconds(record.approximateArrivalTimestamp),
    Data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    PartitionKey: record.partitionKey,
  };
  return record.encrypted ? { ...shape, EncryptionType: 'KMS' } : shape;
}

/** DescribeStream's and DescribeStreamSummary's EncryptionType, and KeyId while encrypted. */
export function encryptionShape(resolved: ResolvedStream): object {
  const keyId = resolved.stream.encryptionKeyId;
  return keyId === undefined ? { EncryptionType: 'NONE' } : { EncryptionType: 'KMS', KeyId: keyId };
}

/** Bytes a record counts for against read limits: data plus partition key. */
export function recordBytes(record: ShardRecord): number {
  return record.data.byteLength + record.partitionKey.length;
}

/** The shards a closed shard's readers move on to (GetRecords and SubscribeToShard at its end). */
export function childShards(stream: Stream, shardId: string): object[] {
  return stream
    .shards()
    .filter((s) => s.meta.parentShardId === shardId || s.meta.adjacentParentShardId === shardId)
    .map((s) => ({
      ShardId: s.shardId,
      ParentShards: [s.meta.parentShardId, s.meta.adjacentParentShardId].filter((id): id is string => id !== undefined),
      HashKeyRange: { StartingHashKey: s.meta.startingHashKey, EndingHashKey: s.meta.endingHashKey },
    }));
}

export function streamModeDetails(resolved: ResolvedStream): object {
  return { StreamMode: resolved.entry.mode };
}

export function streamSummaryShape(api: KinesisApi, resolved: ResolvedStream): object {
  return {
    StreamName: resolved.name,
    StreamARN: api.streamArn(resolved.name),
    StreamStatus: api.status(resolved.name, resolved.stream),
    StreamModeDetails: streamModeDetails(resolved),
    StreamCreationTimestamp: epochSeconds(resolved.stream.createdAt),
  };
}

/** Up to `limit` items after the one `after` names (by key), and whether more remain. */
export function page<T>(items: readonly T[], key: (item: T) => string, after: string | undefined, limit: number): { items: T[]; more: boolean } {
  let start = 0;
  if (after !== undefined) {
    const i = items.findIndex((item) => key(item) > after);
    start = i < 0 ? items.length : i;
  }
  const slice = items.slice(start, start + limit);
  return { items: slice, more: start + limit < items.length };
}
