/**
 * Stream lifecycle and description: CreateStream, DeleteStream, DescribeStream,
 * DescribeStreamSummary, ListStreams, DescribeLimits, retention, UpdateStreamMode.
 */

import { MAX_RETENTION_HOURS, MIN_RETENTION_HOURS } from '../../stream.js';
import type { StreamMode } from '../api-state.js';
import { ACCOUNT_ID, apiErrors } from '../errors.js';
import { ON_DEMAND_INITIAL_SHARDS, RawJson, type KinesisApi, type Operation } from '../kinesis-api.js';
import { encryptionShape, page, shardShape, streamSummaryShape } from '../shapes.js';
import { openShardCount, scaleUniformly } from '../uniform-scaling.js';
import { NEXT_TOKEN, SHARD_ID, STREAM_ARN, STREAM_NAME, STREAM_REF, type Input, type Spec } from '../validation.js';

export const EMPTY = new RawJson('');
const MODES = ['PROVISIONED', 'ON_DEMAND'] as const;
const STREAM_MODE_DETAILS: Spec = { type: 'structure', fields: { StreamMode: { type: 'string', required: true, values: MODES } } };
export const TAG_MAP: Spec = { type: 'map', max: 200, keyLength: [1, 128], valueLength: [0, 256] };
const ON_DEMAND_STREAM_LIMIT = 50;

/** Open shards across every stream: what the account's shard limit counts. */
export function accountOpenShards(api: KinesisApi): number {
  return api.store.listStreams().reduce((n, name) => n + openShardCount(api.store.getStream(name)), 0);
}

export function checkShardLimit(api: KinesisApi, adding: number): void {
  const limit = api.options.shardLimit ?? 500;
  const current = accountOpenShards(api);
  if (current + adding > limit) {
    throw apiErrors.limit(
      `This request would exceed the shard limit for the account ${ACCOUNT_ID} in ${api.region}. Current shard count for the account: ${current}. ` +
        `Limit: ${limit}. Number of additional shards that would have resulted from this request: ${adding}.`,
    );
  }
}

const createStream: Operation = {
  fields: {
    StreamName: { ...STREAM_NAME, required: true },
    ShardCount: { type: 'integer', min: 1, max: 100000 },
    StreamModeDetails: STREAM_MODE_DETAILS,
    Tags: TAG_MAP,
  },
  async run(api, input) {
    const name = input.StreamName as string;
    const mode = ((input.StreamModeDetails as Input | undefined)?.StreamMode as StreamMode | undefined) ?? 'PROVISIONED';
    let shardCount = input.ShardCount as number | undefined;
    if (mode === 'ON_DEMAND') shardCount = ON_DEMAND_INITIAL_SHARDS;
    else if (shardCount === undefined) throw apiErrors.invalid('ShardCount is required for streams in PROVISIONED mode.');
    const tags = (input.Tags as Record<string, string> | undefined) ?? {};
    if (Object.keys(tags).length > 50) throw apiErrors.invalid(`Failed to create stream ${name}: a stream cannot have more than 50 tags.`);
    if (api.store.listStreams().includes(name)) throw apiErrors.inUse(`Stream ${name} under account ${ACCOUNT_ID} already exists.`);
    if (mode === 'ON_DEMAND') {
      const onDemand = api.store.listStreams().filter((s) => api.streamByName(s).entry.mode === 'ON_DEMAND').length;
      if (onDemand >= ON_DEMAND_STREAM_LIMIT) throw apiErrors.limit(`Account ${ACCOUNT_ID} already has ${onDemand} ON_DEMAND streams, the most allowed.`);
    }
    checkShardLimit(api, shardCount);
    const stream = await api.store.createStream(name, shardCount);
    api.state.set(name, { createdAt: stream.createdAt, mode, tags: { ...tags }, consumers: [] });
    api.markCreating(name);
    await api.state.save();
    return EMPTY;
  },
};

const deleteStream: Operation = {
  fields: { ...STREAM_REF, EnforceConsumerDeletion: { type: 'boolean' } },
  async run(api, input) {
    const { name, entry } = api.stream(input);
    if (entry.consumers.length > 0 && input.EnforceConsumerDeletion !== true) {
      throw apiErrors.inUse(`Stream ${name} under account ${ACCOUNT_ID} has registered consumers; set EnforceConsumerDeletion to delete it.`);
    }
    await api.store.deleteStream(name);
    api.forgetStream(name);
    await api.state.save();
    return EMPTY;
  },
};

const describeStream: Operation = {
  fields: { ...STREAM_REF, Limit: { type: 'integer', min: 1, max: 10000 }, ExclusiveStartShardId: SHARD_ID },
  run(api, input) {
    const resolved = api.stream(input);
    const { items, more } = page(resolved.stream.shards(), (s) => s.shardId, input.ExclusiveStartShardId as string | undefined, (input.Limit as number | undefined) ?? 100);
    return {
      StreamDescription: {
        ...streamSummaryShape(api, resolved),
        Shards: items.map(shardShape),
        HasMoreShards: more,
        RetentionPeriodHours: resolved.stream.retentionHours,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        ...encryptionShape(resolved),
      },
    };
  },
};

const describeStreamSummary: Operation = {
  fields: STREAM_REF,
  run(api, input) {
    const resolved = api.stream(input);
    return {
      StreamDescriptionSummary: {
        ...streamSummaryShape(api, resolved),
        RetentionPeriodHours: resolved.stream.retentionHours,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        ...encryptionShape(resolved),
        OpenShardCount: openShardCount(resolved.stream),
        ConsumerCount: resolved.entry.consumers.length,
      },
    };
  },
};

const listStreams: Operation = {
  fields: { Limit: { type: 'integer', min: 1, max: 10000 }, ExclusiveStartStreamName: STREAM_NAME, NextToken: NEXT_TOKEN },
  run(api, input) {
    const limit = (input.Limit as number | undefined) ?? 100;
    let after = input.ExclusiveStartStreamName as string | undefined;
    if (input.NextToken !== undefined) after = api.signer.decodeToken<{ after: string }>('ListStreams', input.NextToken as string, api.clock()).after;
    const { items, more } = page(api.store.listStreams(), (n) => n, after, limit);
    return {
      StreamNames: items,
      HasMoreStreams: more,
      ...(more ? { NextToken: api.signer.encodeToken('ListStreams', { after: items[items.length - 1] }, api.clock()) } : {}),
      StreamSummaries: items.map((n) => streamSummaryShape(api, api.streamByName(n))),
    };
  },
};

const describeLimits: Operation = {
  fields: {},
  run(api) {
    const names = api.store.listStreams();
    return {
      ShardLimit: api.options.shardLimit ?? 500,
      OpenShardCount: accountOpenShards(api),
      OnDemandStreamCount: names.filter((n) => api.streamByName(n).entry.mode === 'ON_DEMAND').length,
      OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
    };
  },
};

function retention(increase: boolean): Operation {
  return {
    fields: { ...STREAM_REF, RetentionPeriodHours: { type: 'integer', required: true, min: 1, max: 2147483647 } },
    async run(api, input) {
      const { name, stream } = api.stream(input);
      const hours = input.RetentionPeriodHours as number;
      const current = stream.retentionHours;
      if (hours < MIN_RETENTION_HOURS) {
        throw apiErrors.invalid(`Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`);
      }
      if (hours > MAX_RETENTION_HOURS) {
        throw apiErrors.invalid(`Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`);
      }
      if (increase && hours < current) {
        throw apiErrors.invalid(
          `Requested retention period (${hours} hours) for stream ${name} can not be shorter than existing retention period (${current} hours). Use DecreaseRetentionPeriod API.`,
        );
      }
      if (!increase && hours > current) {
        throw apiErrors.invalid(
          `Requested retention period (${hours} hours) for stream ${name} can not be longer than existing retention period (${current} hours). Use IncreaseRetentionPeriod API.`,
        );
      }
      if (api.isUpdating(name)) throw apiErrors.inUse(`Stream ${name} under account ${ACCOUNT_ID} not ACTIVE, instead in state UPDATING`);
      if (hours !== current) await stream.setRetentionHours(hours);
      return EMPTY;
    },
  };
}

const updateStreamMode: Operation = {
  fields: { StreamARN: { ...STREAM_ARN, required: true }, StreamModeDetails: { ...STREAM_MODE_DETAILS, required: true } },
  async run(api, input) {
    const resolved = api.stream(input);
    const mode = (input.StreamModeDetails as Input).StreamMode as StreamMode;
    if (api.status(resolved.name, resolved.stream) !== 'ACTIVE') {
      throw apiErrors.inUse(`Stream ${resolved.name} under account ${ACCOUNT_ID} not ACTIVE, instead in state ${api.status(resolved.name, resolved.stream)}`);
    }
    if (resolved.entry.mode === mode) throw apiErrors.invalid(`Stream ${resolved.name} is already in ${mode} mode.`);
    resolved.entry.mode = mode;
    await api.state.save();
    // An ON_DEMAND stream starts from at least four shards' worth of capacity.
    if (mode === 'ON_DEMAND' && openShardCount(resolved.stream) < ON_DEMAND_INITIAL_SHARDS) {
      api.inBackground(resolved.name, () => scaleUniformly(resolved.stream, ON_DEMAND_INITIAL_SHARDS));
    }
    return EMPTY;
  },
};

export const streamOperations: [string, Operation][] = [
  ['CreateStream', createStream],
  ['DeleteStream', deleteStream],
  ['DescribeStream', describeStream],
  ['DescribeStreamSummary', describeStreamSummary],
  ['ListStreams', listStreams],
  ['DescribeLimits', describeLimits],
  ['IncreaseStreamRetentionPeriod', retention(true)],
  ['DecreaseStreamRetentionPeriod', retention(false)],
  ['UpdateStreamMode', updateStreamMode],
];
