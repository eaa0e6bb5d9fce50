/**
 * Per-shard throughput limits, as Kinesis enforces them: in, 1 MiB/s and 1,000 records/s; out,
 * 2 MiB/s and 5 GetRecords calls/s. Exceeding them is ProvisionedThroughputExceededException
 * (per record in PutRecords). ON_DEMAND streams have the same shards underneath; what differs is
 * that they add shards by themselves (see OnDemandScaler).
 */

import { partitionKeyHashKey, type HashKeyRange } from '../hashing.js';
import type { Stream } from '../stream.js';
import { TokenBucket, type Clock } from './token-bucket.js';

export const MIB = 1024 * 1024;

export interface ShardLimits {
  readonly writeBytesPerSecond: number;
  readonly writeRecordsPerSecond: number;
  readonly readBytesPerSecond: number;
  readonly readCallsPerSecond: number;
}

export const KINESIS_SHARD_LIMITS: ShardLimits = {
  writeBytesPerSecond: MIB,
  writeRecordsPerSecond: 1000,
  readBytesPerSecond: 2 * MIB,
  readCallsPerSecond: 5,
};

class ShardBuckets {
  readonly writeBytes: TokenBucket;
  readonly writeRecords: TokenBucket;
  readonly readBytes: TokenBucket;
  readonly readCalls: TokenBucket;

  constructor(limits: ShardLimits, clock: Clock) {
    this.writeBytes = new TokenBucket(limits.writeBytesPerSecond, limits.writeBytesPerSecond, clock);
    this.writeRecords = new TokenBucket(limits.writeRecordsPerSecond, limits.writeRecordsPerSecond, clock);
    this.readBytes = new TokenBucket(limits.readBytesPerSecond, limits.readBytesPerSecond, clock);
    this.readCalls = new TokenBucket(limits.readCallsPerSecond, limits.readCallsPerSecond, clock);
  }
}

/** The buckets of one stream's shards, made on first use. */
export class StreamCapacity {
  private readonly shards = new Map<string, ShardBuckets>();
  private router: ShardRouter | undefined;

  constructor(
    readonly limits: ShardLimits,
    private readonly clock: Clock,
  ) {}

  /** Admits one record of `bytes` (data plus partition key) to a shard, taking its tokens. */
  admitWrite(shardId: string, bytes: number): boolean {
    const b = this.buckets(shardId);
    if (!b.writeRecords.has(1) || !b.writeBytes.has(bytes)) return false;
    b.writeRecords.take(1);
    b.writeBytes.take(bytes);
    return true;
  }

  /** Admits one GetRecords call; the bytes it returns are charged afterwards with chargeRead. */
  admitRead(shardId: string): boolean {
    const b = this.buckets(shardId);
    if (!b.readCalls.has(1) || b.readBytes.available <= 0) return false;
    b.readCalls.take(1);
    return true;
  }

  /** A big read drives the byte bucket negative, so the calls after it wait, as on AWS. */
  chargeRead(shardId: string, bytes: number): void {
    this.buckets(shardId).readBytes.take(bytes);
  }

  /** The open shard a record goes to; rebuilt when the stream's open shards change. */
  routerFor(stream: Stream): ShardRouter {
    const open = stream.shards().filter((s) => s.open);
    const signature = open.map((s) => s.shardId).join(',');
    if (this.router?.signature !== signature) {
      this.router = new ShardRouter(signature, open.map((s) => ({ shardId: s.shardId, range: s.hashKeyRange })));
    }
    return this.router;
  }

  private buckets(shardId: string): ShardBuckets {
    let b = this.shards.get(shardId);
    if (!b) {
      b = new ShardBuckets(this.limits, this.clock);
      this.shards.set(shardId, b);
    }
    return b;
  }
}

/** Which open shard owns a hash key (the same answer the log's own router gives). */
export class ShardRouter {
  private readonly starts: bigint[];
  private readonly ids: string[];

  constructor(
    readonly signature: string,
    shards: readonly { shardId: string; range: HashKeyRange }[],
  ) {
    const sorted = [...shards].sort((a, b) => (a.range.startingHashKey < b.range.startingHashKey ? -1 : 1));
    this.starts = sorted.map((s) => s.range.startingHashKey);
    this.ids = sorted.map((s) => s.shardId);
  }

  shardFor(partitionKey: string, explicitHashKey: string | undefined): string {
    if (this.ids.length === 1) return this.ids[0]!;
    const key = explicitHashKey !== undefined ? BigInt(explicitHashKey) : partitionKeyHashKey(partitionKey);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return this.ids[lo]!;
  }
}
