/**
 * Reads: GetShardIterator and GetRecords. An iterator is a signed, opaque snapshot of a reader's
 * position (see tokens.ts) that expires five minutes after it was issued.
 */

import { IngestError } from '../../errors.js';
import { shardIdOf } from '../../hashing.js';
import { parseSequenceNumber } from '../../sequence-number.js';
import type { Shard } from '../../shard.js';
import type { StartingPosition } from '../../types.js';
import { ACCOUNT_ID, apiErrors } from '../errors.js';
import type { KinesisApi, Operation, ResolvedStream } from '../kinesis-api.js';
import { childShards, recordBytes, recordShape } from '../shapes.js';
import { TOKEN_TTL_MS } from '../tokens.js';
import { SEQUENCE_NUMBER, SHARD_ID, STREAM_ARN, STREAM_REF, type Input } from '../validation.js';

export const ITERATOR_TYPES = ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
const MAX_READ_BYTES = 10 * 1024 * 1024;

export function shardOf(resolved: ResolvedStream, shardId: string): Shard {
  try {
    return resolved.stream.shard(shardId);
  } catch {
    throw apiErrors.notFound(`Shard ${shardId} in stream ${resolved.name} under account ${ACCOUNT_ID} does not exist`);
  }
}

/**
 * A StartingPosition from GetShardIterator's (or SubscribeToShard's) fields, with the checks and
 * messages AWS gives for the combinations that make no sense. `timestamp` is in epoch seconds.
 */
export function startingPosition(api: KinesisApi, type: string, sequenceNumber: string | undefined, timestamp: number | undefined): StartingPosition {
  if (sequenceNumber !== undefined && (type === 'TRIM_HORIZON' || type === 'LATEST')) {
    throw apiErrors.invalid(
      'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no ' +
        `StartingSequenceNumber. Request specified ${type} and also a StartingSequenceNumber.`,
    );
  }
  switch (type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      return { type };
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      if (sequenceNumber === undefined) {
        throw apiErrors.invalid(
          'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no ' +
            `StartingSequenceNumber. Request specified ${type} and no StartingSequenceNumber.`,
        );
      }
      return { type, sequenceNumber };
    default: {
      if (timestamp === undefined) {
        throw apiErrors.invalid('Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.');
      }
      const ms = Math.round(timestamp * 1000);
      const now = Date.now();
      if (ms > now + 1000) {
        throw apiErrors.invalid(`The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${ms}, currentTimestampInMillis: ${now}`);
      }
      return { type: 'AT_TIMESTAMP', timestamp: ms };
    }
  }
}

/** Resolves a starting position on a shard, answering a foreign sequence number as AWS does. */
export function positionOn(resolved: ResolvedStream, shard: Shard, start: StartingPosition): ReturnType<Shard['position']> {
  try {
    return shard.position(start);
  } catch (err) {
    if (!(err instanceof IngestError) || !('sequenceNumber' in start)) throw err;
    const decoded = parseSequenceNumber(start.sequenceNumber);
    if (decoded && decoded.shardIndex !== shard.meta.index) {
      throw apiErrors.invalid(`Invalid StartingSequenceNumber. It encodes ${shardIdOf(decoded.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`);
    }
    throw apiErrors.invalid(
      `StartingSequenceNumber ${start.sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${resolved.name} under account ${ACCOUNT_ID} is invalid.`,
    );
  }
}

const getShardIterator: Operation = {
  fields: {
    ...STREAM_REF,
    ShardId: { ...SHARD_ID, required: true },
    ShardIteratorType: { type: 'string', required: true, values: ITERATOR_TYPES },
    StartingSequenceNumber: SEQUENCE_NUMBER,
    Timestamp: { type: 'timestamp' },
  },
  run(api, input) {
    const resolved = api.stream(input, true);
    const shard = shardOf(resolved, input.ShardId as string);
    const start = startingPosition(api, input.ShardIteratorType as string, input.StartingSequenceNumber as string | undefined, input.Timestamp as number | undefined);
    const position = positionOn(resolved, shard, start);
    return {
      ShardIterator: api.signer.encodeIterator({
        stream: resolved.name,
        streamCreatedAt: resolved.stream.createdAt,
        shardIndex: shard.meta.index,
        position,
        issuedAt: api.clock(),
      }),
    };
  },
};

const getRecords: Operation = {
  fields: {
    ShardIterator: { type: 'string', required: true, min: 1, max: 512 },
    Limit: { type: 'integer', min: 1, max: 10000 },
    StreamARN: STREAM_ARN,
  },
  async run(api, input: Input) {
    const iterator = api.signer.decodeIterator(input.ShardIterator as string);
    const now = api.clock();
    if (now - iterator.issuedAt > TOKEN_TTL_MS) throw apiErrors.expiredIterator(iterator.issuedAt, now);
    const resolved = api.streamByName(iterator.stream, true);
    const shardId = shardIdOf(iterator.shardIndex);
    if (resolved.stream.createdAt !== iterator.streamCreatedAt) throw apiErrors.streamNotFound(iterator.stream);
    const shard = shardOf(resolved, shardId);
    const capacity = api.capacity(resolved);
    if (capacity && !capacity.admitRead(shardId)) throw apiErrors.throughput(shardId, resolved.name);
    const result = await shard.read(iterator.position, { limit: (input.Limit as number | undefined) ?? 10000, maxBytes: MAX_READ_BYTES });
    let bytes = 0;
    const records = result.records.map((r) => {
      bytes += recordBytes(r);
      return recordShape(r);
    });
    capacity?.chargeRead(shardId, bytes);
    if (result.endOfShard) {
      return { Records: records, MillisBehindLatest: 0, ChildShards: childShards(resolved.stream, shardId) };
    }
    const next = api.signer.encodeIterator({ ...iterator, position: result.next, issuedAt: api.clock() });
    return { Records: records, NextShardIterator: next, MillisBehindLatest: result.millisBehindLatest };
  },
};

export const readOperations: [string, Operation][] = [
  ['GetShardIterator', getShardIterator],
  ['GetRecords', getRecords],
];
