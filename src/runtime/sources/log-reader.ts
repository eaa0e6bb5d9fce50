import type { Stream as LogStream, Shard } from '../../ingest/index.js';
import type { ReadResult, ShardPosition } from '../../ingest/types.js';

/** Where each shard will be read next, and which shards are finished: what a checkpoint keeps. */
export interface SourcePosition {
  readonly shards: Record<string, ShardPosition>;
  readonly finished: string[];
}

/** One shard's records from one round, not yet handed on. */
export interface ShardRead {
  readonly shard: Shard;
  readonly result: ReadResult;
}

/**
 * The reading half of every consumer of a log stream (SQL sources, Firehose delivery streams):
 * each shard from the trim horizon, parents read to their end before their children (so per-key
 * order holds across a reshard). Positions move only when the caller commits a read, so a caller
 * that makes records durable first can checkpoint position() without losing any.
 */
export class LogReader {
  private readonly positions = new Map<string, ShardPosition>();
  private readonly finished = new Set<string>();

  constructor(private readonly limits: { readonly limit: number; readonly maxBytes: number } = { limit: 10_000, maxBytes: 4 << 20 }) {}

  position(): SourcePosition {
    return { shards: Object.fromEntries(this.positions), finished: [...this.finished] };
  }

  /** The position once `read` is committed (this one unchanged): what a consumer stores beside the read's records. */
  positionAfter(read: ShardRead): SourcePosition {
    const p = this.position();
    return {
      shards: { ...p.shards, [read.shard.shardId]: read.result.next },
      finished: read.result.endOfShard && !p.finished.includes(read.shard.shardId) ? [...p.finished, read.shard.shardId] : p.finished,
    };
  }

  resumeFrom(p: SourcePosition): void {
    for (const [shard, pos] of Object.entries(p.shards)) this.positions.set(shard, pos);
    for (const shard of p.finished) this.finished.add(shard);
  }

  /** Forgets every position (the stream was deleted; a new one of that name starts afresh). */
  reset(): void {
    this.positions.clear();
    this.finished.clear();
  }

  /** Shards not finished whose parents have been read to their end (or are gone). */
  readable(stream: LogStream): Shard[] {
    const shards = stream.shards();
    return shards.filter((s) => {
      if (this.finished.has(s.shardId)) return false;
      const d = s.describe();
      const parents = [d.parentShardId, d.adjacentParentShardId].filter((p): p is string => !!p);
      return parents.every((p) => this.finished.has(p) || !shards.some((x) => x.shardId === p));
    });
  }

  /** Reads each shard once from where it stands, all at the same time; positions do not move yet. */
  read(shards: readonly Shard[]): Promise<ShardRead[]> {
    return Promise.all(
      shards.map(async (shard) => {
        const position = this.positions.get(shard.shardId) ?? shard.position({ type: 'TRIM_HORIZON' });
        return { shard, result: await shard.read(position, this.limits) };
      }),
    );
  }

  /** The read's records have been handed on: the shard is read next after them (or is finished). */
  commit(read: ShardRead): void {
    this.positions.set(read.shard.shardId, read.result.next);
    if (read.result.endOfShard) this.finished.add(read.shard.shardId);
  }
}
