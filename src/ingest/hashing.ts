/**
 * The 128-bit hash-key space shards divide between them, as Kinesis defines it: a record's hash
 * key is the MD5 of its partition key's UTF-8 bytes read as an unsigned big-endian integer, or
 * the ExplicitHashKey it carries.
 */

import { ingestErrors } from './errors.js';
import { md5Key } from './md5.js';

export const HASH_KEY_MAX = (1n << 128n) - 1n;

export interface HashKeyRange {
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * The ranges CreateStream gives `count` shards: each floor(2^128 / count) wide, the last one
 * stretched to end at 2^128 - 1.
 */
export function evenHashKeyRanges(count: number): HashKeyRange[] {
  const width = (HASH_KEY_MAX + 1n) / BigInt(count);
  const ranges: HashKeyRange[] = [];
  for (let i = 0; i < count; i++) {
    const start = width * BigInt(i);
    const end = i === count - 1 ? HASH_KEY_MAX : width * BigInt(i + 1) - 1n;
    ranges.push({ startingHashKey: start, endingHashKey: end });
  }
  return ranges;
}

const digest = new Uint32Array(4);

/** The hash key Kinesis derives from a partition key. */
export function partitionKeyHashKey(partitionKey: string): bigint {
  md5Key(partitionKey, digest);
  return wordsToHashKey(digest, 0);
}

/** Parses a decimal hash key (ExplicitHashKey, NewStartingHashKey) and checks it is in range. */
export function parseHashKey(text: string): bigint {
  if (!/^(0|[1-9][0-9]{0,38})$/.test(text)) throw ingestErrors.invalid(`hash key ${JSON.stringify(text)} is not a decimal integer`);
  const key = BigInt(text);
  if (key > HASH_KEY_MAX) throw ingestErrors.invalid(`hash key ${text} is larger than 2^128 - 1`);
  return key;
}

/** Writes `key` as four big-endian 32-bit words at out[offset..offset+3]. */
export function hashKeyToWords(key: bigint, out: Uint32Array, offset: number): void {
  for (let i = 3; i >= 0; i--) {
    out[offset + i] = Number(key & 0xffffffffn);
    key >>= 32n;
  }
}

export function wordsToHashKey(words: Uint32Array, offset: number): bigint {
  let key = 0n;
  for (let i = 0; i < 4; i++) key = (key << 32n) | BigInt(words[offset + i]!);
  return key;
}

const SHARD_ID_PREFIX = 'shardId-';

export function shardIdOf(index: number): string {
  return SHARD_ID_PREFIX + String(index).padStart(12, '0');
}

/** The index inside a shard id, or undefined if `shardId` is not one this log hands out. */
export function shardIndexOf(shardId: string): number | undefined {
  if (!/^shardId-[0-9]{12}$/.test(shardId)) return undefined;
  return Number(shardId.slice(SHARD_ID_PREFIX.length));
}
