/**
 * Maps records to the open shard whose hash-key range holds their hash key. Built once per
 * shard layout (a reshard builds a new one), so its key cache never outlives the ranges it
 * describes.
 */

import { hashKeyToWords, type HashKeyRange } from './hashing.js';
import type { ShardLog } from './log/shard-log.js';
import { md5Key } from './md5.js';

/** Routing results are cached as slot << 16 | key bytes, so a router handles this many shards. */
export const MAX_OPEN_SHARDS = 0xffff;
const CACHE_ENTRIES = 1 << 16;
/** Longer keys (beyond Kinesis' 256-character limit) are not kept alive by the cache. */
const CACHEABLE_KEY_LENGTH = 256;
/** Lookups the cache sits out after filling up while hitting less than a quarter of the time. */
const CACHE_PAUSE = 1 << 20;

export class Router {
  /** UTF-8 byte length of the key given to the last slotForKey call. */
  keyBytes = 0;
  private readonly starts: Uint32Array;
  private readonly digest = new Uint32Array(4);
  /**
   * Partition keys usually repeat (device and user ids): a Map hit, which reuses the hash V8
   * keeps in the string, costs ~40 ns against ~250 ns for MD5. When keys do not repeat (a fresh
   * UUID per record) filling the cache only adds cost, so it switches itself off for a while.
   */
  private readonly cache = new Map<string, number>();
  private lookups = 0;
  private hits = 0;
  private paused = 0;

  /** `targets[i]` owns `ranges[i]`; ranges are sorted and together cover the whole key space. */
  constructor(
    readonly targets: readonly ShardLog[],
    ranges: readonly HashKeyRange[],
  ) {
    this.starts = new Uint32Array(ranges.length * 4);
    ranges.forEach((range, i) => hashKeyToWords(range.startingHashKey, this.starts, i * 4));
  }

  /** The slot (index into targets) for a partition key; sets keyBytes. */
  slotForKey(key: string): number {
    if (this.targets.length === 1) {
      this.keyBytes = Buffer.byteLength(key, 'utf8');
      return 0;
    }
    if (this.paused > 0) {
      this.paused--;
      return this.hashKey(key);
    }
    this.lookups++;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.hits++;
      this.keyBytes = hit & 0xffff;
      return hit >>> 16;
    }
    const slot = this.hashKey(key);
    if (key.length <= CACHEABLE_KEY_LENGTH) {
      if (this.cache.size >= CACHE_ENTRIES) this.restartCache();
      this.cache.set(key, ((slot << 16) | this.keyBytes) >>> 0);
    }
    return slot;
  }

  slotForHashKey(hashKey: bigint): number {
    hashKeyToWords(hashKey, this.digest, 0);
    return this.slotForWords(this.digest);
  }

  private hashKey(key: string): number {
    this.keyBytes = md5Key(key, this.digest);
    return this.slotForWords(this.digest);
  }

  /** A full cache starts over; if it filled up mostly with keys never seen again, it rests first. */
  private restartCache(): void {
    if (this.hits * 4 < this.lookups) this.paused = CACHE_PAUSE;
    this.cache.clear();
    this.lookups = 0;
    this.hits = 0;
  }

  /** Binary search for the last range starting at or below the key (compared word by word). */
  private slotForWords(key: Uint32Array): number {
    const starts = this.starts;
    let lo = 0;
    let hi = this.targets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const at = mid * 4;
      let cmp = 0;
      for (let w = 0; w < 4 && cmp === 0; w++) cmp = starts[at + w]! - key[w]!;
      if (cmp <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
