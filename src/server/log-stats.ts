import type { LogStore } from '../ingest/log-store.js';

export interface ShardStats {
  readonly shardId: string;
  readonly open: boolean;
  /** Records kept (retention drops whole segments). */
  readonly records: number;
  /** Bytes of the segment files (records and their framing). */
  readonly bytes: number;
  /** Arrival time of the newest durable record (ISO-8601), or null for an empty shard. */
  readonly lastWrite: string | null;
}

export interface LogStreamStats {
  readonly name: string;
  readonly status: string;
  readonly records: number;
  readonly bytes: number;
  readonly lastWrite: string | null;
  readonly shards: ShardStats[];
}

/** What the ingest log holds, per stream and shard: `GET /api/log` on the dashboard. */
export function logStats(store: LogStore): { streams: LogStreamStats[] } {
  const streams = store.listStreams().flatMap((name): LogStreamStats[] => {
    let stream;
    try {
      stream = store.getStream(name);
    } catch {
      // Deleted between listing and reading.
      return [];
    }
    const shards = stream.shards().map((shard): ShardStats => {
      const segments = shard.log.segments;
      const last = shard.log.latestDurableTimestamp;
      return {
        shardId: shard.shardId,
        open: shard.open,
        records: segments.reduce((n, s) => n + s.count, 0),
        bytes: segments.reduce((n, s) => n + s.size, 0),
        lastWrite: Number.isFinite(last) ? new Date(last).toISOString() : null,
      };
    });
    const lastWrite = shards.reduce<string | null>((a, s) => (s.lastWrite !== null && (a === null || s.lastWrite > a) ? s.lastWrite : a), null);
    return [{
      name,
      status: stream.describe().status,
      records: shards.reduce((n, s) => n + s.records, 0),
      bytes: shards.reduce((n, s) => n + s.bytes, 0),
      lastWrite,
      shards,
    }];
  });
  return { streams };
}
