/** A shard as the rest of Sluice sees it: its description, and reads. */

import { positionFor, readRecords } from './log/shard-reader.js';
import type { ShardLog } from './log/shard-log.js';
import { formatSequenceNumber } from './sequence-number.js';
import { rangeOf, type ShardMeta } from './stream-metadata.js';
import type { HashKeyRange } from './hashing.js';
import type { ReadOptions, ReadResult, ShardDescription, ShardPosition, StartingPosition } from './types.js';

export class Shard {
  constructor(
    /** Replaced by the owning stream when the shard closes; read-only to everyone else. */
    public meta: ShardMeta,
    readonly log: ShardLog,
  ) {}

  get shardId(): string {
    return this.meta.shardId;
  }

  get open(): boolean {
    return this.meta.closedAt === undefined;
  }

  get hashKeyRange(): HashKeyRange {
    return rangeOf(this.meta);
  }

  describe(): ShardDescription {
    const meta = this.meta;
    return {
      shardId: meta.shardId,
      ...(meta.parentShardId !== undefined ? { parentShardId: meta.parentShardId } : {}),
      ...(meta.adjacentParentShardId !== undefined ? { adjacentParentShardId: meta.adjacentParentShardId } : {}),
      hashKeyRange: { startingHashKey: meta.startingHashKey, endingHashKey: meta.endingHashKey },
      sequenceNumberRange: {
        startingSequenceNumber: formatSequenceNumber(meta.index, 0),
        ...(meta.endingOrdinal !== undefined ? { endingSequenceNumber: formatSequenceNumber(meta.index, meta.endingOrdinal) } : {}),
      },
      open: this.open,
    };
  }

  /** Resolves a GetShardIterator-style starting point; throws InvalidArgument for a foreign sequence number. */
  position(start: StartingPosition): ShardPosition {
    return positionFor(this.log, start);
  }

  /** Up to `limit` records / `maxBytes` from `position`, and where to continue. */
  read(position: ShardPosition, options?: ReadOptions): Promise<ReadResult> {
    return readRecords(this.log, position, options);
  }
}
