/**
 * A stream: its shards, the router that places records on the open ones, and the metadata file
 * that survives restarts. Reshards switch routing synchronously, so no record is ever routed to a
 * shard that is already closed; children hold their first commit until the metadata naming them
 * is durable, so no record is acknowledged in a shard a crash could forget. Encryption is kept in
 * the metadata too, and switched shard by shard (ShardLog.setSealing).
 */

import fs from 'node:fs';
import path from 'node:path';
import { assertInside, namedPath } from '../storage/data-paths.js';
import { encodeBatch } from './batch-encoder.js';
import { BufferPool } from './buffer-pool.js';
import { ingestErrors, PartialAppendError } from './errors.js';
import { evenHashKeyRanges, shardIdOf } from './hashing.js';
import { listDir } from './log/fs-util.js';
import type { MasterKey } from './log/keyring.js';
import { ShardLog, type CommitAck, type LogConfig } from './log/shard-log.js';
import { planMerge, planSplit, type ReshardPlan } from './resharding.js';
import { MAX_OPEN_SHARDS, Router } from './router.js';
import { Shard } from './shard.js';
import { parseSequenceNumber } from './sequence-number.js';
import { rangeOf, readStreamMeta, writeStreamMeta, type ShardMeta, type StreamMeta } from './stream-metadata.js';
import type { AppendRecord, AppendResult, RetentionReport, StreamDescription, StreamStatus } from './types.js';

const HOUR_MS = 3_600_000;
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

export function checkRetentionHours(hours: number): number {
  if (!Number.isInteger(hours) || hours < MIN_RETENTION_HOURS || hours > MAX_RETENTION_HOURS) {
    throw ingestErrors.invalid(`retention must be a whole number of hours from ${MIN_RETENTION_HOURS} to ${MAX_RETENTION_HOURS}, not ${hours}`);
  }
  return hours;
}

export class Stream {
  private status: StreamStatus = 'ACTIVE';
  private closed = false;
  private router: Router;
  private readonly shardsById = new Map<string, Shard>();
  private metaWrites: Promise<void> = Promise.resolve();
  /** The metadata change in progress, which close() lets finish. */
  private updating: Promise<unknown> = Promise.resolve();
  /** Batch buffers come back once written; in memory they are the segment data, so they never do. */
  private readonly pool: BufferPool | null;
  /** What appends are encrypted under now (shards switch one by one while `encryptionChanges` is odd). */
  private sealing: MasterKey | undefined;
  /** The KeyId reported: set once every shard encrypts, cleared before any stops. */
  private reportedKeyId: string | undefined;
  /** Counts starts and ends of encryption changes, so a caller can tell whether one overlapped its append. */
  private encryptionChanges = 0;

  private constructor(
    private meta: StreamMeta,
    /** The stream's directory, or null in memory. */
    readonly dir: string | null,
    private readonly config: LogConfig,
    shards: readonly Shard[],
    sealing?: MasterKey,
  ) {
    for (const shard of shards) this.shardsById.set(shard.shardId, shard);
    this.router = this.buildRouter();
    this.pool = dir === null ? null : new BufferPool();
    this.sealing = sealing;
    this.reportedKeyId = meta.encryption?.keyId;
  }

  static async create(dir: string | null, name: string, shardCount: number, retentionHours: number, config: LogConfig): Promise<Stream> {
    const now = Date.now();
    const metas: ShardMeta[] = evenHashKeyRanges(shardCount).map((range, index) => ({
      shardId: shardIdOf(index),
      index,
      startingHashKey: range.startingHashKey.toString(),
      endingHashKey: range.endingHashKey.toString(),
      createdAt: now,
    }));
    const meta: StreamMeta = { version: 1, name, status: 'ACTIVE', createdAt: now, retentionHours, nextShardIndex: shardCount, shards: metas };
    if (dir !== null) await fs.promises.mkdir(dir, { recursive: true });
    const logs = await Promise.all(metas.map((m) => ShardLog.create(m.shardId, m.index, shardDir(dir, m.shardId), config)));
    // The metadata file is written last: a stream directory without one is a create that never finished.
    if (dir !== null) await writeStreamMeta(dir, meta);
    return new Stream(meta, dir, config, metas.map((m, i) => new Shard(m, logs[i]!)));
  }

  /** Reopens a stream from its directory; undefined if its creation never completed. */
  static async load(dir: string, config: LogConfig): Promise<Stream | undefined> {
    const meta = await readStreamMeta(dir);
    if (!meta) return undefined;
    const sealing = meta.encryption ? await masterKeyFor(config, meta.encryption.keyId, meta.name) : undefined;
    const logs = await Promise.all(
      meta.shards.map((m) =>
        ShardLog.recover(
          m.shardId,
          m.index,
          shardDir(dir, m.shardId)!,
          config,
          m.closedAt !== undefined ? { endingOrdinal: m.endingOrdinal ?? 0 } : undefined,
          sealing,
        ),
      ),
    );
    // Children of a reshard that crashed before its metadata was written never took a record.
    const known = new Set(meta.shards.map((s) => s.shardId));
    for (const name of await listDir(dir)) {
      if (name.startsWith('shardId-') && !known.has(name)) await fs.promises.rm(assertInside(dir, path.join(dir, name)), { recursive: true, force: true });
    }
    return new Stream(meta, dir, config, meta.shards.map((m, i) => new Shard(m, logs[i]!)), sealing);
  }

  get name(): string {
    return this.meta.name;
  }

  get createdAt(): number {
    return this.meta.createdAt;
  }

  get retentionHours(): number {
    return this.meta.retentionHours;
  }

  /** The KeyId new records are encrypted under, or undefined while they are stored plain. */
  get encryptionKeyId(): string | undefined {
    return this.reportedKeyId;
  }

  /** Read before an append and pass to `appendedEncrypted` after it. */
  get encryptionEpoch(): number {
    return this.encryptionChanges;
  }

  /**
   * Whether every record of an append is stored encrypted: what the stream reported when it began,
   * unless an encryption change overlapped it; then the shards are asked.
   */
  appendedEncrypted(results: readonly AppendResult[], epoch: number): boolean {
    if (epoch === this.encryptionChanges && epoch % 2 === 0) return this.reportedKeyId !== undefined;
    return results.every((r) => this.shardsById.get(r.shardId)?.log.sealedAt(parseSequenceNumber(r.sequenceNumber)?.ordinal ?? -1) === true);
  }

  /**
   * Encrypts the records appended from now on under the master key `keyId` names (throws
   * KMSNotFoundException before changing anything if it names none). Older records stay as stored.
   */
  async startEncryption(keyId: string): Promise<void> {
    const master = await this.config.keyring.resolve(keyId);
    await this.update(async () => {
      this.encryptionChanges++;
      try {
        this.meta = { ...this.meta, version: 2, encryption: { keyId } };
        await this.persist();
        this.sealing = master;
        await Promise.all(this.openLogs().map((log) => log.setSealing(master)));
        this.reportedKeyId = keyId;
      } finally {
        this.encryptionChanges++;
      }
    });
  }

  /** Stores the records appended from now on plain; encrypted ones stay encrypted. */
  async stopEncryption(): Promise<void> {
    await this.update(async () => {
      this.encryptionChanges++;
      try {
        this.reportedKeyId = undefined;
        const { encryption: _, ...plain } = this.meta;
        this.meta = plain;
        await this.persist();
        this.sealing = undefined;
        await Promise.all(this.openLogs().map((log) => log.setSealing(undefined)));
      } finally {
        this.encryptionChanges++;
      }
    });
  }

  describe(): StreamDescription {
    return {
      name: this.meta.name,
      status: this.status,
      createdAt: this.meta.createdAt,
      retentionHours: this.meta.retentionHours,
      shards: this.shards().map((s) => s.describe()),
    };
  }

  /** Every shard still listed, open and closed, in creation order. */
  shards(): Shard[] {
    return [...this.shardsById.values()].sort((a, b) => a.meta.index - b.meta.index);
  }

  shard(shardId: string): Shard {
    const shard = this.shardsById.get(shardId);
    if (!shard) throw ingestErrors.shardNotFound(this.name, shardId);
    return shard;
  }

  /**
   * Resolves once every record is durable, with their shards and sequence numbers in input order.
   * Rejects once every shard the batch touched has answered, if any failed: with that shard's
   * error when none stored anything, else with a PartialAppendError saying which records were stored.
   */
  async append(records: readonly AppendRecord[]): Promise<AppendResult[]> {
    if (this.closed) throw this.status === 'DELETING' ? ingestErrors.streamNotFound(this.name) : ingestErrors.closed();
    if (records.length === 0) return [];
    const batch = encodeBatch(records, this.router, Date.now(), this.pool);
    return new Promise<AppendResult[]>((resolve, reject) => {
      const ack = new BatchAck(batch.chunks.length, batch.results, resolve, reject, this.pool, batch.buffer);
      for (let i = 0; i < batch.chunks.length; i++) batch.logs[i]!.submit(batch.chunks[i]!, ack.forShard(batch.logs[i]!.shardId));
    });
  }

  /** Closes `shardId` and opens two children split at `newStartingHashKey` (decimal): [below, from it]. */
  async splitShard(shardId: string, newStartingHashKey: string): Promise<[Shard, Shard]> {
    const [low, high] = await this.update((now) => this.reshard(planSplit(this.meta, shardId, newStartingHashKey, now), now));
    return [low!, high!];
  }

  /** Closes two adjacent shards and opens one child covering both ranges. */
  async mergeShards(shardId: string, adjacentShardId: string): Promise<Shard> {
    const [child] = await this.update((now) => this.reshard(planMerge(this.meta, shardId, adjacentShardId, now), now));
    return child!;
  }

  async setRetentionHours(hours: number): Promise<void> {
    checkRetentionHours(hours);
    await this.update(async () => {
      this.meta = { ...this.meta, retentionHours: hours };
      await this.persist();
    });
  }

  /**
   * Deletes whole segments whose newest record is older than the retention period, then forgets
   * closed shards that have nothing left and closed longer ago than that.
   */
  async enforceRetention(nowMs: number = Date.now()): Promise<RetentionReport> {
    if (this.closed) return { segmentsDeleted: 0, shardsRemoved: 0 };
    const cutoff = nowMs - this.meta.retentionHours * HOUR_MS;
    let segmentsDeleted = 0;
    for (const shard of this.shardsById.values()) segmentsDeleted += await shard.log.expire(cutoff);
    const gone = [...this.shardsById.values()].filter(
      (s) => !s.open && s.meta.closedAt! < cutoff && s.log.segments.length === 0 && !s.log.busy,
    );
    if (gone.length === 0 || this.status !== 'ACTIVE' || this.closed) return { segmentsDeleted, shardsRemoved: 0 };
    await this.update(async () => {
      const ids = new Set(gone.map((s) => s.shardId));
      this.meta = { ...this.meta, shards: this.meta.shards.filter((s) => !ids.has(s.shardId)) };
      for (const id of ids) this.shardsById.delete(id);
      await this.persist();
      for (const shard of gone) await shard.log.destroy();
    });
    return { segmentsDeleted, shardsRemoved: gone.length };
  }

  /** Finishes pending commits and releases files; the stream takes no more appends. */
  async close(status: StreamStatus = this.status): Promise<void> {
    this.closed = true;
    await this.updating;
    this.status = status;
    await Promise.all([...this.shardsById.values()].map((s) => s.log.close()));
    await this.metaWrites;
  }

  /** Metadata changes one at a time, as Kinesis does: others meanwhile get ResourceInUse. */
  private async update<T>(change: (now: number) => Promise<T>): Promise<T> {
    if (this.closed) throw ingestErrors.closed();
    if (this.status !== 'ACTIVE') throw ingestErrors.streamBusy(this.name, this.status);
    this.status = 'UPDATING';
    const running = (async () => change(Date.now()))();
    this.updating = running.catch(() => undefined);
    try {
      return await running;
    } finally {
      if (this.status === 'UPDATING') this.status = 'ACTIVE';
    }
  }

  private async reshard(plan: ReshardPlan, now: number): Promise<Shard[]> {
    if (this.router.targets.length - plan.closing.length + plan.children.length > MAX_OPEN_SHARDS) {
      throw ingestErrors.limit(`stream ${this.name} would have more than ${MAX_OPEN_SHARDS} open shards`);
    }
    const logs = await Promise.all(plan.children.map((m) => ShardLog.create(m.shardId, m.index, shardDir(this.dir, m.shardId), this.config, this.sealing)));
    let release!: () => void;
    let abort!: (err: unknown) => void;
    const gate = new Promise<void>((resolve, reject) => {
      release = resolve;
      abort = reject;
    });
    for (const log of logs) log.hold(gate);

    const before = this.meta;
    const parents = plan.closing.map((m) => this.shardsById.get(m.shardId)!);
    for (const parent of parents) {
      parent.log.closed = true;
      parent.meta = { ...parent.meta, closedAt: now, endingOrdinal: parent.log.counter.ordinal };
    }
    const children = plan.children.map((m, i) => new Shard(m, logs[i]!));
    for (const child of children) this.shardsById.set(child.shardId, child);
    const closedMeta = new Map(parents.map((p) => [p.shardId, p.meta]));
    this.meta = {
      ...before,
      nextShardIndex: before.nextShardIndex + children.length,
      shards: [...before.shards.map((s) => closedMeta.get(s.shardId) ?? s), ...plan.children],
    };
    this.router = this.buildRouter();

    try {
      await this.persist();
    } catch (err) {
      for (const parent of parents) {
        parent.log.closed = false;
        parent.meta = before.shards.find((s) => s.shardId === parent.shardId)!;
      }
      for (const child of children) this.shardsById.delete(child.shardId);
      this.meta = before;
      this.router = this.buildRouter();
      abort(err);
      await Promise.all(logs.map((log) => log.destroy().catch(() => undefined)));
      throw err;
    }
    release();
    return children;
  }

  private persist(): Promise<void> {
    const dir = this.dir;
    if (dir === null) return Promise.resolve();
    const write = this.metaWrites.then(() => writeStreamMeta(dir, this.meta));
    this.metaWrites = write.catch(() => undefined);
    return write;
  }

  private openLogs(): ShardLog[] {
    return [...this.shardsById.values()].filter((s) => s.open).map((s) => s.log);
  }

  private buildRouter(): Router {
    const open = [...this.shardsById.values()].filter((s) => s.open);
    const ranges = open.map((s) => rangeOf(s.meta));
    const order = open.map((_, i) => i).sort((a, b) => (ranges[a]!.startingHashKey < ranges[b]!.startingHashKey ? -1 : 1));
    return new Router(
      order.map((i) => open[i]!.log),
      order.map((i) => ranges[i]!),
    );
  }
}

async function masterKeyFor(config: LogConfig, keyId: string, stream: string): Promise<MasterKey> {
  try {
    return await config.keyring.resolve(keyId, false);
  } catch (err) {
    throw ingestErrors.keyUnavailable(`stream ${stream} is encrypted under KeyId ${keyId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A shard id comes from stream.json: it goes through the same mapping as any name, so it cannot leave the stream's folder. */
function shardDir(streamDir: string | null, shardId: string): string | null {
  return streamDir === null ? null : namedPath(streamDir, shardId);
}

/** One promise per batch, settled when every shard it touched has committed or failed. */
class BatchAck {
  private readonly shards: number;
  private failedShards: Set<string> | undefined;
  private error: Error | undefined;

  constructor(
    private remaining: number,
    private readonly results: AppendResult[],
    private readonly resolve: (results: AppendResult[]) => void,
    private readonly reject: (err: Error) => void,
    private readonly pool: BufferPool | null,
    private readonly buffer: Buffer,
  ) {
    this.shards = remaining;
  }

  forShard(shardId: string): CommitAck {
    return {
      done: () => this.settle(),
      fail: (err: Error) => {
        (this.failedShards ??= new Set()).add(shardId);
        this.error ??= err;
        this.settle();
      },
    };
  }

  private settle(): void {
    if (--this.remaining > 0) return;
    this.pool?.give(this.buffer);
    const failed = this.failedShards;
    if (!failed) this.resolve(this.results);
    else if (failed.size === this.shards) this.reject(this.error!);
    else this.reject(new PartialAppendError(this.error!, this.results.map((r) => (failed.has(r.shardId) ? undefined : r))));
  }
}
