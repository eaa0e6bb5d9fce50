/**
 * Shapes shared by the ingest log and the Kinesis API layer above it.
 *
 * Hash keys and sequence numbers are decimal strings at this boundary because that is what the
 * Kinesis wire format carries; inside the log they are bigints (hash keys) and ordinals (numbers).
 */

export interface AppendRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Decimal 128-bit hash key that overrides the MD5 of the partition key for routing. */
  readonly explicitHashKey?: string;
}

export interface AppendResult {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface ShardRecord {
  readonly sequenceNumber: string;
  /** Arrival time in epoch milliseconds; never decreases within a shard. */
  readonly approximateArrivalTimestamp: number;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
  /** Stored encrypted (written while its stream was); absent for records stored plain. */
  readonly encrypted?: true;
}

export type StartingPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: number };

/**
 * Where a reader resumes. Small and plain so the API layer can serialise it into a shard iterator.
 * `segment`/`offset` are a hint (the byte position of `ordinal`) that saves an index lookup; a
 * stale hint is detected and ignored.
 */
export interface ShardPosition {
  /** Ordinal (per-shard record counter) of the next record to return. */
  readonly ordinal: number;
  /** Skip records that arrived before this time (epoch ms); set by AT_TIMESTAMP. */
  readonly notBefore?: number;
  readonly segment?: number;
  readonly offset?: number;
}

export interface ReadOptions {
  /** Most records to return (default 10,000, as GetRecords). */
  readonly limit?: number;
  /** Most bytes of partition key plus data to return (default 10 MiB); one record always fits. */
  readonly maxBytes?: number;
}

export interface ReadResult {
  readonly records: ShardRecord[];
  readonly next: ShardPosition;
  /** Arrival time of the shard's newest record minus that of the last record returned. */
  readonly millisBehindLatest: number;
  /** The shard is closed and every record in it has been read. */
  readonly endOfShard: boolean;
}

export interface ShardDescription {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly hashKeyRange: { readonly startingHashKey: string; readonly endingHashKey: string };
  readonly sequenceNumberRange: { readonly startingSequenceNumber: string; readonly endingSequenceNumber?: string };
  readonly open: boolean;
}

export type StreamStatus = 'ACTIVE' | 'UPDATING' | 'DELETING';

export interface StreamDescription {
  readonly name: string;
  readonly status: StreamStatus;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly retentionHours: number;
  readonly shards: ShardDescription[];
}

export interface LogStoreOptions {
  /** A segment file rolls once it holds this many bytes (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Bytes between sparse index entries (default 64 KiB). */
  readonly indexIntervalBytes?: number;
  /**
   * false makes every batch pay its own write+fsync (per segment file); only useful as the
   * benchmark's baseline. Default true.
   */
  readonly groupCommit?: boolean;
  /** How often the store expires old segments on its own; 0 turns the timer off (default 60 s). */
  readonly retentionCheckMs?: number;
  /**
   * The key file of master keys for encrypted streams (see log/keyring.ts). Default: the
   * directory's keys/master.key, made on first use; an in-memory store keeps one key in memory.
   */
  readonly kmsKeyFile?: string;
}

export interface RetentionReport {
  readonly segmentsDeleted: number;
  readonly shardsRemoved: number;
}
