/**
 * ON_DEMAND capacity: the stream starts with 4 shards (4 MiB/s or 4,000 records/s in) and, when
 * the write rate it sees over a one-second window reaches 80% of what its open shards take,
 * doubles its shards with a uniform split, as AWS accommodates up to double the previous peak.
 * Demand is counted before throttling, so a stream that is being throttled grows.
 */

import type { Stream } from '../stream.js';
import { MIB, type ShardLimits } from './capacity.js';
import type { Clock } from './token-bucket.js';
import { openShardCount } from './uniform-scaling.js';

const WINDOW_MS = 1000;
const NEAR_CAPACITY = 0.8;

export class OnDemandScaler {
  private windowStart: number;
  private records = 0;
  private bytes = 0;
  /** Highest one-window write rate seen, in shards' worth of capacity. */
  peakShards = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ShardLimits,
    private readonly maxShards: number,
  ) {
    this.windowStart = clock();
  }

  /** Adds a request's demand; returns the shard count to grow to once a full window ran hot. */
  observe(records: number, bytes: number, stream: Stream): number | undefined {
    const now = this.clock();
    let target: number | undefined;
    const elapsed = now - this.windowStart;
    if (elapsed >= WINDOW_MS) {
      const seconds = elapsed / 1000;
      const shardsWorth = Math.max(
        this.records / seconds / this.limits.writeRecordsPerSecond,
        this.bytes / seconds / (this.limits.writeBytesPerSecond || MIB),
      );
      this.peakShards = Math.max(this.peakShards, shardsWorth);
      const open = openShardCount(stream);
      if (shardsWorth >= open * NEAR_CAPACITY && open < this.maxShards) target = Math.min(this.maxShards, open * 2);
      this.windowStart = now;
      this.records = 0;
      this.bytes = 0;
    }
    this.records += records;
    this.bytes += bytes;
    return target;
  }
}
