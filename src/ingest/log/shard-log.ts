/**
 * A shard's log: its segments, its ordinal counter, and the group commit that makes appends
 * durable. One writer loop owns the segment files: it commits whatever is queued (one write
 * through an O_DSYNC descriptor, which returns once the bytes are on disk), and runs maintenance
 * (rolls for retention, sealing on close, switching encryption) between commits, so those never
 * interleave. Readers work from a snapshot of the segment list. While the log has a master key,
 * the segments it starts are encrypted and each commit is sealed just before its write.
 */

import fs from 'node:fs';
import path from 'node:path';
import { IngestError, ingestErrors } from '../errors.js';
import { SequenceCounter } from '../sequence-number.js';
import { fsyncDir, listDir, writeFileAtomic } from './fs-util.js';
import type { Keyring, MasterKey } from './keyring.js';
import { Segment, segmentBaseOf, segmentPath } from './segment.js';
import { readSegmentHead, SegmentCipher, startsWithHeader } from './segment-cipher.js';
import { scanSegment } from './segment-scan.js';
import { FileSegmentStorage, MemorySegmentStorage, type SegmentStorage } from './segment-storage.js';
import { decodeSummary, SparseIndex } from './sparse-index.js';

export interface LogConfig {
  readonly segmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly groupCommit: boolean;
  /** Unwraps the data keys of encrypted segments. */
  readonly keyring: Keyring;
}

/** Told when a chunk it submitted is durable, or will never be. */
export interface CommitAck {
  done(): void;
  fail(err: Error): void;
}

export class ShardLog {
  /** Replaced, never mutated, so a reader's snapshot stays valid. */
  segments: readonly Segment[] = [];
  readonly counter: SequenceCounter;
  /** Arrival time of the newest record handed an ordinal; later records never get an earlier one. */
  lastTimestamp = Number.NEGATIVE_INFINITY;
  closed = false;
  private failure: Error | undefined;
  private queue: Uint8Array[] = [];
  private acks: CommitAck[] = [];
  private inFlight = 0;
  private writing = false;
  private readonly chores: (() => Promise<void>)[] = [];
  /** Commits wait for this first (see hold). */
  private gate: Promise<void> | undefined;
  /** New segments are encrypted under this master key; plain while undefined. */
  private sealing: MasterKey | undefined;

  private constructor(
    readonly shardId: string,
    readonly shardIndex: number,
    /** The shard's directory, or null in memory. */
    readonly dir: string | null,
    private readonly config: LogConfig,
    nextOrdinal: number,
  ) {
    this.counter = new SequenceCounter(shardIndex, nextOrdinal);
  }

  /** A new, empty shard log; its first segment file exists (durably) when this resolves. */
  static async create(shardId: string, shardIndex: number, dir: string | null, config: LogConfig, sealing?: MasterKey): Promise<ShardLog> {
    const log = new ShardLog(shardId, shardIndex, dir, config, 0);
    log.sealing = sealing;
    if (dir !== null) await fs.promises.mkdir(dir, { recursive: true });
    log.segments = [await log.newSegment(0)];
    return log;
  }

  /**
   * Reopens a shard's log from its files. The last segment of an open shard is scanned and cut back
   * to its valid prefix; sealed segments load their .idx instead, unless it is missing or stale.
   * An open shard then appends under `sealing`; after a crash, never under an old data key.
   */
  static async recover(
    shardId: string,
    shardIndex: number,
    dir: string,
    config: LogConfig,
    closedAt?: { endingOrdinal: number },
    sealing?: MasterKey,
  ): Promise<ShardLog> {
    const closed = closedAt !== undefined;
    await fs.promises.mkdir(dir, { recursive: true });
    const names = await listDir(dir);
    for (const name of names) if (name.endsWith('.tmp')) await fs.promises.rm(path.join(dir, name), { force: true });
    const bases = names.map(segmentBaseOf).filter((b): b is number => b !== undefined).sort((a, b) => a - b);
    const segments: Segment[] = [];
    let scannedLast = false;
    for (let i = 0; i < bases.length; i++) {
      const active = i === bases.length - 1 && !closed;
      const recovered = await recoverSegment(segmentPath(dir, bases[i]!), bases[i]!, active, config);
      segments.push(recovered.segment);
      scannedLast = recovered.scanned;
    }
    const next = Math.max(segments[segments.length - 1]?.endOrdinal ?? 0, closedAt?.endingOrdinal ?? 0);
    const log = new ShardLog(shardId, shardIndex, dir, config, next);
    log.closed = closed;
    log.sealing = sealing;
    log.segments = !closed && segments.length === 0 ? [await log.newSegment(next)] : segments;
    for (const segment of segments) log.lastTimestamp = Math.max(log.lastTimestamp, segment.lastTimestamp);
    // Without a clean close, records past the durable end may have reached the disk under their
    // nonces; their ordinals are handed out again, so they must go under another key.
    await log.matchSealing(scannedLast);
    return log;
  }

  get firstOrdinal(): number {
    return this.segments[0]?.base ?? this.counter.ordinal;
  }

  /** One past the newest durable record: where LATEST starts. */
  get durableEnd(): number {
    return this.segments[this.segments.length - 1]?.endOrdinal ?? this.counter.ordinal;
  }

  get latestDurableTimestamp(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      if (this.segments[i]!.count > 0) return this.segments[i]!.lastTimestamp;
    }
    return Number.NEGATIVE_INFINITY;
  }

  /** Chunks are queued or being written. */
  get busy(): boolean {
    return this.queue.length > 0 || this.inFlight > 0;
  }

  /** Queues whole encoded frames (ordinals already taken from `counter`) for the next commit. */
  submit(chunk: Uint8Array, ack: CommitAck): void {
    if (this.failure) {
      ack.fail(this.failure);
      return;
    }
    this.queue.push(chunk);
    this.acks.push(ack);
    if (!this.writing) void this.writeLoop();
  }

  /** Segments started from now on are encrypted under `master` (plain if undefined), the one taking appends first. */
  setSealing(master: MasterKey | undefined): Promise<void> {
    return this.chore(async () => {
      this.sealing = master;
      await this.matchSealing(false);
    });
  }

  /** Whether the record at `ordinal` is stored encrypted. */
  sealedAt(ordinal: number): boolean {
    const segments = this.segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (segments[i]!.base <= ordinal) return segments[i]!.cipher !== undefined && ordinal < segments[i]!.endOrdinal;
    }
    return false;
  }

  /** Commits wait for `gate` (a child shard waits until the metadata naming it is durable). */
  hold(gate: Promise<void>): void {
    this.gate = gate;
  }

  /** Resolves once everything submitted so far is durable (or has failed). */
  async drain(): Promise<void> {
    while (this.busy) await this.chore(async () => undefined);
  }

  /**
   * Deletes whole segments whose newest record arrived before `cutoffMs`. An open shard always
   * keeps a segment to append to (and whose name carries the next ordinal), so an expired active
   * segment is rolled first.
   */
  expire(cutoffMs: number): Promise<number> {
    return this.chore(async () => {
      const last = this.segments[this.segments.length - 1];
      if (!this.closed && !this.failure && last && last.count > 0 && last.lastTimestamp < cutoffMs) await this.roll();
      const segments = this.segments;
      const keep = this.closed ? 0 : 1;
      let n = 0;
      while (n < segments.length - keep && segments[n]!.lastTimestamp < cutoffMs) n++;
      if (n === 0) return 0;
      this.segments = segments.slice(n);
      for (const segment of segments.slice(0, n)) await segment.retire();
      return n;
    });
  }

  /** Finishes pending commits and releases descriptors, leaving an .idx so reopening skips a scan. */
  async close(): Promise<void> {
    await this.drain();
    await this.chore(async () => {
      const last = this.segments[this.segments.length - 1];
      if (this.dir !== null && last && !this.failure) await last.storage.seal(last.summary());
      for (const segment of this.segments) await segment.storage.release();
    });
    this.failure ??= ingestErrors.closed();
  }

  /** Closes the log and deletes its files. */
  async destroy(): Promise<void> {
    await this.close();
    if (this.dir !== null) await fs.promises.rm(this.dir, { recursive: true, force: true });
    else for (const segment of this.segments) await segment.retire();
    this.segments = [];
  }

  /** Runs `task` in the writer loop, between commits. */
  private chore<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.chores.push(() => task().then(resolve, reject));
      if (!this.writing) void this.writeLoop();
    });
  }

  /**
   * Started synchronously by submit, so the first write is issued at once; each later write is
   * issued right after the previous commit's acknowledgements, before the callers they wake run,
   * so encoding the next batches overlaps the disk instead of alternating with it.
   */
  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      if (this.gate) {
        await this.gate.catch((err: unknown) => {
          this.failure ??= asError(err);
        });
        this.gate = undefined;
      }
      while (this.queue.length > 0 || this.chores.length > 0) {
        if (this.queue.length > 0) await this.commit();
        // Only the chores already waiting: one that queues another must not starve the commits.
        for (const chore of this.chores.splice(0)) await chore();
      }
    } finally {
      this.writing = false;
    }
  }

  /** One commit: every queued chunk (or just one, without group commit), one durable write. */
  private async commit(): Promise<void> {
    const take = this.config.groupCommit ? this.queue.length : 1;
    const chunks = this.queue.splice(0, take);
    const acks = this.acks.splice(0, take);
    this.inFlight += chunks.length;
    try {
      if (this.failure) throw this.failure;
      let segment = this.segments[this.segments.length - 1]!;
      if (segment.size >= this.config.segmentBytes) segment = await this.roll();
      const frames = segment.cipher ? [segment.cipher.seal(chunks)] : chunks;
      await segment.storage.append(frames, segment.size);
      segment.absorb(frames);
    } catch (err) {
      const error = this.failure ?? (err instanceof IngestError ? err : ingestErrors.writeFailed(this.shardId, err));
      if (!this.failure) await this.undoFailedWrite();
      // Chunks queued meanwhile took the ordinals after the failed ones, so they fail with them;
      // then the next append takes the failed ordinals again and the log has no gap.
      const later = this.acks.splice(0);
      this.queue.splice(0);
      if (!this.failure) this.counter.rewind(this.durableEnd);
      this.inFlight -= chunks.length;
      for (const ack of acks) ack.fail(error);
      for (const ack of later) ack.fail(error);
      return;
    }
    this.inFlight -= chunks.length;
    for (const ack of acks) ack.done();
  }

  /**
   * A write that failed (ENOSPC, EIO) may have left part of its frames in the file, whole ones
   * among them, which recovery would read back as records after a restart although their append
   * was refused. They are cut off, durably, before the error is answered; the shard then takes
   * appends again (once space is back they succeed). Only if the cut itself fails does the shard
   * stop accepting writes until it is reopened.
   */
  private async undoFailedWrite(): Promise<void> {
    const last = this.segments[this.segments.length - 1]!;
    try {
      await last.storage.truncate(last.size);
    } catch (cause) {
      this.failure = ingestErrors.io(this.shardId, cause);
    }
  }

  private async roll(): Promise<Segment> {
    const previous = this.segments[this.segments.length - 1]!;
    const next = await this.newSegment(previous.endOrdinal);
    this.segments = [...this.segments, next];
    // The .idx only spares a rescan at the next open; without room for it the segment is scanned then.
    await previous.storage.seal(previous.summary()).catch(() => previous.storage.release());
    return next;
  }

  /**
   * Makes the segment taking appends match `sealing`: one holding records is rolled, an empty one
   * replaced by a fresh one of the same base. `freshKey` also leaves its data key behind.
   */
  private async matchSealing(freshKey: boolean): Promise<void> {
    const last = this.segments[this.segments.length - 1];
    if (!last || this.closed || this.failure) return;
    const matches = last.cipher ? !freshKey && last.cipher.wrappedBy(this.sealing) : this.sealing === undefined;
    if (matches) return;
    if (last.count > 0) {
      await this.roll();
      return;
    }
    await last.storage.release();
    this.segments = [...this.segments.slice(0, -1), await this.newSegment(last.base, true)];
  }

  /** A new segment, or one replacing an empty segment of the same base (`replace`). */
  private async newSegment(base: number, replace = false): Promise<Segment> {
    const cipher = this.sealing ? SegmentCipher.create(this.sealing) : undefined;
    let storage: SegmentStorage;
    if (this.dir === null) {
      storage = new MemorySegmentStorage();
      if (cipher) await storage.append([cipher.header], 0);
    } else if (cipher || replace) {
      // The file appears with its header (tmp, fsync, rename), so no segment has a torn header.
      const file = segmentPath(this.dir, base);
      await writeFileAtomic(file, cipher?.header ?? new Uint8Array(0));
      storage = await FileSegmentStorage.open(file, true);
    } else {
      const created = await FileSegmentStorage.create(segmentPath(this.dir, base));
      // A file left behind would make the next attempt's exclusive create fail for good.
      await fsyncDir(this.dir).catch(async (err: unknown) => {
        await created.remove().catch(() => undefined);
        throw err;
      });
      storage = created;
    }
    return new Segment(base, storage, new SparseIndex(this.config.indexIntervalBytes), cipher);
  }
}

/** The segment, and whether it was scanned (its .idx was missing or stale: no clean close). */
async function recoverSegment(file: string, base: number, active: boolean, config: LogConfig): Promise<{ segment: Segment; scanned: boolean }> {
  const fileSize = (await fs.promises.stat(file)).size;
  const head = await readSegmentHead(file);
  const cipher = startsWithHeader(head) ? await SegmentCipher.open(head, config.keyring, file) : undefined;
  const summary = decodeSummary(await readOptional(file.replace(/\.seg$/, '.idx')));
  const storage = await FileSegmentStorage.open(file, active);
  if (summary && summary.size === fileSize) {
    if (active) await storage.forgetSummary();
    return { segment: Segment.fromSummary(base, storage, config.indexIntervalBytes, summary, cipher), scanned: false };
  }
  const segment = new Segment(base, storage, new SparseIndex(config.indexIntervalBytes), cipher);
  const scan = await scanSegment(segment, fileSize);
  if (scan.validBytes < fileSize) await storage.truncate(scan.validBytes);
  if (!active) await storage.seal(segment.summary());
  return { segment, scanned: true };
}

async function readOptional(file: string): Promise<Uint8Array> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
    throw err;
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
