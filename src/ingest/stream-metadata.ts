/**
 * The small JSON file that says what a stream is: its shards, their hash-key ranges, their
 * lineage and whether they are closed. It is rewritten whole (tmp + fsync + rename) on every
 * change, so a crash leaves the old or the new layout and never a mix.
 */

import fs from 'node:fs';
import path from 'node:path';
import { HASH_KEY_MAX, type HashKeyRange } from './hashing.js';
import { writeFileAtomic } from './log/fs-util.js';

export const METADATA_FILE = 'stream.json';

export interface ShardMeta {
  readonly shardId: string;
  readonly index: number;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly createdAt: number;
  /** Set when the shard is closed by a split or merge. */
  readonly closedAt?: number;
  /** The ordinal after the last one the shard handed out: its ending sequence number. */
  readonly endingOrdinal?: number;
}

export interface StreamMeta {
  /**
   * 2 once the stream has had encrypted segments: a Sluice that predates encryption refuses to open
   * it, where it would take their headers for damage and cut them off.
   */
  readonly version: 1 | 2;
  readonly name: string;
  readonly status: 'ACTIVE';
  readonly createdAt: number;
  readonly retentionHours: number;
  /** Shard indexes are never reused, so a shard id names one shard for the stream's life. */
  readonly nextShardIndex: number;
  readonly shards: readonly ShardMeta[];
  /** Present while new records are encrypted: the KeyId StartStreamEncryption was given. */
  readonly encryption?: { readonly keyId: string };
}

export function rangeOf(shard: ShardMeta): HashKeyRange {
  return { startingHashKey: BigInt(shard.startingHashKey), endingHashKey: BigInt(shard.endingHashKey) };
}

export async function writeStreamMeta(dir: string, meta: StreamMeta): Promise<void> {
  await writeFileAtomic(path.join(dir, METADATA_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/** The stream's metadata, or undefined if the directory has none (a create that never finished). */
export async function readStreamMeta(dir: string): Promise<StreamMeta | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(dir, METADATA_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return checkStreamMeta(JSON.parse(text) as StreamMeta, dir);
}

/** Refuses metadata whose open shards do not tile the key space: routing would misplace records. */
function checkStreamMeta(meta: StreamMeta, dir: string): StreamMeta {
  const fail = (why: string): never => {
    throw new Error(`${path.join(dir, METADATA_FILE)}: ${why}`);
  };
  if (meta.version !== 1 && meta.version !== 2) fail(`unsupported version ${String(meta.version)}`);
  if (typeof meta.name !== 'string' || !Array.isArray(meta.shards)) fail('missing name or shards');
  const open = meta.shards.filter((s) => s.closedAt === undefined).map(rangeOf);
  open.sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  let next = 0n;
  for (const range of open) {
    if (range.startingHashKey !== next) fail(`open shards leave a gap or overlap at hash key ${next}`);
    next = range.endingHashKey + 1n;
  }
  if (next !== HASH_KEY_MAX + 1n) fail('open shards do not reach the top of the hash key space');
  return meta;
}
