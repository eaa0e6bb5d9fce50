/**
 * Shards: ListShards (with its filters and NextToken), SplitShard, MergeShards, UpdateShardCount.
 */

import type { Shard } from '../../shard.js';
import { ACCOUNT_ID, apiErrors } from '../errors.js';
import type { KinesisApi, Operation, ResolvedStream } from '../kinesis-api.js';
import { page, shardShape } from '../shapes.js';
import { openShardCount, scaleUniformly } from '../uniform-scaling.js';
import { HASH_KEY, NEXT_TOKEN, SHARD_ID, STREAM_REF, type Input } from '../validation.js';
import { checkShardLimit, EMPTY } from './stream-ops.js';

const FILTER_TYPES = ['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP'] as const;

interface ShardFilter {
  readonly Type: (typeof FILTER_TYPES)[number];
  readonly ShardId?: string;
  /** Epoch seconds. */
  readonly Timestamp?: number;
}

interface ListShardsToken {
  readonly stream: string;
  readonly createdAt: number;
  readonly after: string;
  readonly filter?: ShardFilter;
}

const HOUR_MS = 3_600_000;

/** Whether `shard` passes the filter: which shards were open at (or after) a point in time. */
function passes(shard: Shard, filter: ShardFilter | undefined, resolved: ResolvedStream, now: number): boolean {
  if (!filter) return true;
  const { createdAt, closedAt } = shard.meta;
  const openAt = (t: number): boolean => createdAt <= t && (closedAt === undefined || closedAt > t);
  const trimHorizon = Math.max(resolved.stream.createdAt, now - resolved.stream.retentionHours * HOUR_MS);
  switch (filter.Type) {
    case 'AFTER_SHARD_ID':
      return shard.shardId > filter.ShardId!;
    case 'AT_LATEST':
      return shard.open;
    case 'AT_TRIM_HORIZON':
      return openAt(trimHorizon);
    case 'FROM_TRIM_HORIZON':
      return true;
    case 'AT_TIMESTAMP':
      return openAt(filter.Timestamp! * 1000);
    case 'FROM_TIMESTAMP':
      return closedAt === undefined || closedAt > filter.Timestamp! * 1000;
  }
}

const listShards: Operation = {
  fields: {
    ...STREAM_REF,
    NextToken: NEXT_TOKEN,
    ExclusiveStartShardId: SHARD_ID,
    MaxResults: { type: 'integer', min: 1, max: 10000 },
    StreamCreationTimestamp: { type: 'timestamp' },
    ShardFilter: {
      type: 'structure',
      fields: { Type: { type: 'string', required: true, values: FILTER_TYPES }, ShardId: SHARD_ID, Timestamp: { type: 'timestamp' } },
    },
  },
  run(api, input) {
    const named = input.StreamName !== undefined || input.StreamARN !== undefined;
    const max = (input.MaxResults as number | undefined) ?? 1000;
    let resolved: ResolvedStream;
    let after = input.ExclusiveStartShardId as string | undefined;
    let filter = input.ShardFilter as ShardFilter | undefined;
    if (input.NextToken !== undefined) {
      if (named) throw apiErrors.invalid('NextToken and StreamName cannot be provided together.');
      const token = api.signer.decodeToken<ListShardsToken>('ListShards', input.NextToken as string, api.clock());
      resolved = api.streamByName(token.stream);
      if (resolved.stream.createdAt !== token.createdAt) throw apiErrors.streamNotFound(token.stream);
      after = token.after;
      filter = token.filter;
    } else {
      if (!named) throw apiErrors.invalid('Either NextToken or StreamName should be provided.');
      resolved = api.stream(input);
      if (filter?.Type === 'AFTER_SHARD_ID' && filter.ShardId === undefined) throw apiErrors.invalid('ShardId must be specified for the AFTER_SHARD_ID filter type.');
      if ((filter?.Type === 'AT_TIMESTAMP' || filter?.Type === 'FROM_TIMESTAMP') && filter.Timestamp === undefined) {
        throw apiErrors.invalid(`Timestamp must be specified for the ${filter.Type} filter type.`);
      }
    }
    const now = api.clock();
    const shards = resolved.stream.shards().filter((s) => passes(s, filter, resolved, now));
    const { items, more } = page(shards, (s) => s.shardId, after, max);
    const token: ListShardsToken | undefined = more
      ? { stream: resolved.name, createdAt: resolved.stream.createdAt, after: items[items.length - 1]!.shardId, ...(filter ? { filter } : {}) }
      : undefined;
    return { Shards: items.map(shardShape), ...(token ? { NextToken: api.signer.encodeToken('ListShards', token, now) } : {}) };
  },
};

function requireActive(api: KinesisApi, resolved: ResolvedStream): void {
  const status = api.status(resolved.name, resolved.stream);
  if (status !== 'ACTIVE') throw apiErrors.inUse(`Stream ${resolved.name} under account ${ACCOUNT_ID} not ACTIVE, instead in state ${status}`);
}

function requireShard(resolved: ResolvedStream, shardId: string): Shard {
  try {
    return resolved.stream.shard(shardId);
  } catch {
    throw apiErrors.shardNotFound(resolved.name, shardId);
  }
}

const splitShard: Operation = {
  fields: { ...STREAM_REF, ShardToSplit: { ...SHARD_ID, required: true }, NewStartingHashKey: { ...HASH_KEY, required: true } },
  async run(api, input) {
    const resolved = api.stream(input);
    requireActive(api, resolved);
    requireShard(resolved, input.ShardToSplit as string);
    checkShardLimit(api, 1);
    await resolved.stream.splitShard(input.ShardToSplit as string, input.NewStartingHashKey as string);
    return EMPTY;
  },
};

const mergeShards: Operation = {
  fields: { ...STREAM_REF, ShardToMerge: { ...SHARD_ID, required: true }, AdjacentShardToMerge: { ...SHARD_ID, required: true } },
  async run(api, input) {
    const resolved = api.stream(input);
    requireActive(api, resolved);
    requireShard(resolved, input.ShardToMerge as string);
    requireShard(resolved, input.AdjacentShardToMerge as string);
    await resolved.stream.mergeShards(input.ShardToMerge as string, input.AdjacentShardToMerge as string);
    return EMPTY;
  },
};

const updateShardCount: Operation = {
  fields: {
    ...STREAM_REF,
    TargetShardCount: { type: 'integer', required: true, min: 1, max: 100000 },
    ScalingType: { type: 'string', required: true, values: ['UNIFORM_SCALING'] },
  },
  run(api, input: Input) {
    const resolved = api.stream(input);
    if (resolved.entry.mode === 'ON_DEMAND') throw apiErrors.validation(`UpdateShardCount is not supported for stream ${resolved.name} in ON_DEMAND mode.`);
    requireActive(api, resolved);
    const current = openShardCount(resolved.stream);
    const target = input.TargetShardCount as number;
    if (target > current * 2) throw apiErrors.limit(`UpdateShardCount can not scale stream ${resolved.name} from ${current} to more than double: ${target} shards.`);
    if (target < Math.ceil(current / 2)) throw apiErrors.limit(`UpdateShardCount can not scale stream ${resolved.name} from ${current} to less than half: ${target} shards.`);
    if (target > current) checkShardLimit(api, target - current);
    if (target !== current) api.inBackground(resolved.name, () => scaleUniformly(resolved.stream, target));
    return { StreamName: resolved.name, StreamARN: api.streamArn(resolved.name), CurrentShardCount: current, TargetShardCount: target };
  },
};

export const shardOperations: [string, Operation][] = [
  ['ListShards', listShards],
  ['SplitShard', splitShard],
  ['MergeShards', mergeShards],
  ['UpdateShardCount', updateShardCount],
];
