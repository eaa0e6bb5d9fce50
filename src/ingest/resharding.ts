/**
 * SplitShard and MergeShards as pure plans over stream metadata: which shards close and which
 * children open with which ranges. Checks follow what Kinesis answers with InvalidArgumentException.
 */

import { ingestErrors } from './errors.js';
import { parseHashKey, shardIdOf } from './hashing.js';
import type { ShardMeta, StreamMeta } from './stream-metadata.js';

export interface ReshardPlan {
  readonly closing: readonly ShardMeta[];
  readonly children: readonly ShardMeta[];
}

export function planSplit(meta: StreamMeta, shardId: string, newStartingHashKey: string, now: number): ReshardPlan {
  const parent = openShard(meta, shardId);
  const key = parseHashKey(newStartingHashKey);
  const start = BigInt(parent.startingHashKey);
  const end = BigInt(parent.endingHashKey);
  if (key <= start + 1n || key >= end) {
    throw ingestErrors.invalid(
      `NewStartingHashKey ${newStartingHashKey} used in SplitShard() on shard ${shardId} in stream ${meta.name} is not both ` +
        `greater than one plus the shard's StartingHashKey ${start} and less than the shard's EndingHashKey ${end}.`,
    );
  }
  const index = meta.nextShardIndex;
  return {
    closing: [parent],
    children: [
      child(index, start, key - 1n, now, parent.shardId),
      child(index + 1, key, end, now, parent.shardId),
    ],
  };
}

export function planMerge(meta: StreamMeta, shardId: string, adjacentShardId: string, now: number): ReshardPlan {
  const first = openShard(meta, shardId);
  const second = openShard(meta, adjacentShardId);
  const [low, high] = BigInt(first.startingHashKey) < BigInt(second.startingHashKey) ? [first, second] : [second, first];
  if (first === second || BigInt(low.endingHashKey) + 1n !== BigInt(high.startingHashKey)) {
    throw ingestErrors.invalid(`shards ${shardId} and ${adjacentShardId} in stream ${meta.name} are not an adjacent pair of shards eligible for merging`);
  }
  const merged = child(meta.nextShardIndex, BigInt(low.startingHashKey), BigInt(high.endingHashKey), now, first.shardId);
  return { closing: [first, second], children: [{ ...merged, adjacentParentShardId: second.shardId }] };
}

function openShard(meta: StreamMeta, shardId: string): ShardMeta {
  const shard = meta.shards.find((s) => s.shardId === shardId);
  if (!shard) throw ingestErrors.shardNotFound(meta.name, shardId);
  if (shard.closedAt !== undefined) throw ingestErrors.shardClosed(shardId);
  return shard;
}

function child(index: number, start: bigint, end: bigint, now: number, parentShardId: string): ShardMeta {
  return {
    shardId: shardIdOf(index),
    index,
    startingHashKey: start.toString(),
    endingHashKey: end.toString(),
    parentShardId,
    createdAt: now,
  };
}
