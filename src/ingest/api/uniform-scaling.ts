/**
 * UpdateShardCount's UNIFORM_SCALING (and ON_DEMAND growth) as a series of SplitShard and
 * MergeShards calls, as Kinesis does it: first split at every target boundary that is not already
 * a shard boundary, then merge the shards that fall inside one target range. Boundaries within a
 * hair of an existing one are taken as that one, so doubling 3 shards to 6 only splits, instead of
 * cutting one-key-wide slivers where integer division rounds the two layouts differently.
 */

import { evenHashKeyRanges, HASH_KEY_MAX } from '../hashing.js';
import type { Shard } from '../shard.js';
import type { Stream } from '../stream.js';

/** A target boundary this close to an existing one (relative to the key space) reuses it. */
const SNAP = (HASH_KEY_MAX + 1n) / 1_000_000n;

function openShards(stream: Stream): Shard[] {
  return stream
    .shards()
    .filter((s) => s.open)
    .sort((a, b) => (a.hashKeyRange.startingHashKey < b.hashKeyRange.startingHashKey ? -1 : 1));
}

export function openShardCount(stream: Stream): number {
  return stream.shards().filter((s) => s.open).length;
}

/** Reshards `stream` until it has `target` open shards of (nearly) equal width. */
export async function scaleUniformly(stream: Stream, target: number): Promise<void> {
  const bounds = evenHashKeyRanges(target).map((r) => r.startingHashKey);
  const existing = openShards(stream).map((s) => s.hashKeyRange.startingHashKey);
  const snapped = bounds.map((b) => existing.find((e) => abs(e - b) <= SNAP) ?? b);

  for (const bound of snapped) {
    if (bound === 0n) continue;
    const owner = openShards(stream).find((s) => s.hashKeyRange.startingHashKey < bound && bound <= s.hashKeyRange.endingHashKey);
    if (owner) await stream.splitShard(owner.shardId, bound.toString());
  }

  // Each open shard now lies inside one target range; merge neighbours that share one.
  const rangeOf = (key: bigint): number => {
    let i = 0;
    while (i + 1 < snapped.length && snapped[i + 1]! <= key) i++;
    return i;
  };
  for (;;) {
    const open = openShards(stream);
    const i = open.findIndex((s, k) => k + 1 < open.length && rangeOf(s.hashKeyRange.startingHashKey) === rangeOf(open[k + 1]!.hashKeyRange.startingHashKey));
    if (i < 0) return;
    await stream.mergeShards(open[i]!.shardId, open[i + 1]!.shardId);
  }
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
