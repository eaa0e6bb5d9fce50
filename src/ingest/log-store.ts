/**
 * The ingest log's entry point: a directory of streams (or none, for an in-memory store).
 *
 *   <dir>/LOCK                    pid of the process that has the store open
 *   <dir>/streams/<name>/stream.json, <name>/shardId-000000000000/<base ordinal>.seg|.idx
 *   <dir>/trash/                  streams being deleted (renamed first, so deletion is atomic)
 *   <dir>/keys/master.key         master key of encrypted streams, made on first use (unless
 *                                 another key file is named)
 *
 * A stream's name becomes its folder's name through src/storage/data-paths.ts (`.a` → `%2Ea`).
 */

import fs from 'node:fs';
import path from 'node:path';
import { assertInside, decodeName, encodeName, moveToNamedPath, namedPath } from '../storage/data-paths.js';
import { ingestErrors } from './errors.js';
import { fsyncDir, listDir } from './log/fs-util.js';
import { Keyring } from './log/keyring.js';
import type { LogConfig } from './log/shard-log.js';
import { MAX_OPEN_SHARDS } from './router.js';
import { checkRetentionHours, Stream } from './stream.js';
import { readStreamMeta } from './stream-metadata.js';
import type { LogStoreOptions, RetentionReport } from './types.js';

const DEFAULTS = {
  segmentBytes: 64 * 1024 * 1024,
  indexIntervalBytes: 64 * 1024,
  groupCommit: true,
  retentionCheckMs: 60_000,
} as const;

export interface CreateStreamOptions {
  /** 24 to 8760 (default 24). */
  readonly retentionHours?: number;
}

export class LogStore {
  private readonly streams = new Map<string, Stream>();
  /** Names being created or deleted: a second call for one of them gets ResourceInUse. */
  private readonly busyNames = new Set<string>();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private expiring = false;

  private constructor(
    /** null for a store that keeps everything in memory. */
    readonly dir: string | null,
    private readonly config: LogConfig,
  ) {}

  static async open(dir: string | null, options: LogStoreOptions = {}): Promise<LogStore> {
    const root = dir === null ? null : path.resolve(dir);
    const keyring = options.kmsKeyFile !== undefined ? Keyring.fromFile(options.kmsKeyFile) : root === null ? Keyring.inMemory() : Keyring.forDataDir(root);
    if (options.kmsKeyFile !== undefined) await keyring.check();
    const config: LogConfig = {
      segmentBytes: positive(options.segmentBytes ?? DEFAULTS.segmentBytes, 'segmentBytes'),
      indexIntervalBytes: positive(options.indexIntervalBytes ?? DEFAULTS.indexIntervalBytes, 'indexIntervalBytes'),
      groupCommit: options.groupCommit ?? DEFAULTS.groupCommit,
      keyring,
    };
    const store = new LogStore(root, config);
    if (store.dir !== null) await store.load(store.dir);
    const every = options.retentionCheckMs ?? DEFAULTS.retentionCheckMs;
    if (every > 0) {
      store.timer = setInterval(() => void store.enforceRetention().catch(() => undefined), every);
      store.timer.unref();
    }
    return store;
  }

  async createStream(name: string, shardCount: number, options: CreateStreamOptions = {}): Promise<Stream> {
    this.checkOpen();
    checkStreamName(name);
    if (!Number.isInteger(shardCount) || shardCount < 1) throw ingestErrors.invalid(`shard count must be a positive integer, not ${shardCount}`);
    if (shardCount > MAX_OPEN_SHARDS) throw ingestErrors.limit(`a stream can have at most ${MAX_OPEN_SHARDS} open shards`);
    const retentionHours = checkRetentionHours(options.retentionHours ?? 24);
    if (this.streams.has(name) || this.busyNames.has(name)) throw ingestErrors.streamExists(name);
    this.busyNames.add(name);
    try {
      const dir = this.dir === null ? null : namedPath(path.join(this.dir, 'streams'), name);
      const stream = await Stream.create(dir, name, shardCount, retentionHours, this.config);
      if (this.dir !== null) await fsyncDir(path.join(this.dir, 'streams'));
      this.streams.set(name, stream);
      return stream;
    } finally {
      this.busyNames.delete(name);
    }
  }

  /** Removes the stream and all its records; pending appends to it fail. */
  async deleteStream(name: string): Promise<void> {
    this.checkOpen();
    const stream = this.getStream(name);
    this.streams.delete(name);
    this.busyNames.add(name);
    try {
      await stream.close('DELETING');
      if (stream.dir !== null && this.dir !== null) {
        const streams = path.join(this.dir, 'streams');
        const trash = path.join(this.dir, 'trash');
        const trashed = assertInside(trash, path.join(trash, `${encodeName(name)}.${Date.now()}`));
        await fs.promises.rename(assertInside(streams, stream.dir), trashed);
        await fsyncDir(streams);
        await fs.promises.rm(assertInside(trash, trashed), { recursive: true, force: true });
      }
    } finally {
      this.busyNames.delete(name);
    }
  }

  /** The master keys encrypted streams use (StartStreamEncryption's KeyId resolves here). */
  get keyring(): Keyring {
    return this.config.keyring;
  }

  getStream(name: string): Stream {
    const stream = this.streams.get(name);
    if (!stream) throw ingestErrors.streamNotFound(name);
    return stream;
  }

  listStreams(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** Runs retention over every stream now; the store also does this on a timer. */
  async enforceRetention(nowMs: number = Date.now()): Promise<RetentionReport> {
    if (this.expiring || this.closed) return { segmentsDeleted: 0, shardsRemoved: 0 };
    this.expiring = true;
    try {
      let segmentsDeleted = 0;
      let shardsRemoved = 0;
      for (const stream of this.streams.values()) {
        const report = await stream.enforceRetention(nowMs);
        segmentsDeleted += report.segmentsDeleted;
        shardsRemoved += report.shardsRemoved;
      }
      return { segmentsDeleted, shardsRemoved };
    } finally {
      this.expiring = false;
    }
  }

  /** Waits for pending appends to become durable, then releases every file and the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.streams.values()].map((s) => s.close()));
    this.streams.clear();
    if (this.dir !== null) await fs.promises.rm(path.join(this.dir, 'LOCK'), { force: true });
  }

  private async load(dir: string): Promise<void> {
    await fs.promises.mkdir(path.join(dir, 'streams'), { recursive: true });
    await lock(dir);
    try {
      await fs.promises.rm(path.join(dir, 'trash'), { recursive: true, force: true });
      await fs.promises.mkdir(path.join(dir, 'trash'));
      const streams = path.join(dir, 'streams');
      for (const entry of await listDir(streams)) {
        let streamDir = assertInside(streams, path.join(streams, entry));
        const meta = await readStreamMeta(streamDir);
        if (!meta) {
          await fs.promises.rm(streamDir, { recursive: true, force: true });
          continue;
        }
        // A folder from before names were encoded (a leading dot) moves to where its name maps now.
        if (decodeName(entry) !== meta.name) streamDir = await moveToNamedPath(streams, entry, meta.name);
        const stream = await Stream.load(streamDir, this.config);
        if (stream) this.streams.set(stream.name, stream);
        else await fs.promises.rm(streamDir, { recursive: true, force: true });
      }
    } catch (err) {
      // A store that cannot open (a missing master key, say) lets go of its lock, so it can be retried.
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw ingestErrors.closed();
  }
}

/** One process per directory: a second writer would interleave frames with the first. */
async function lock(dir: string): Promise<void> {
  const file = path.join(dir, 'LOCK');
  try {
    const owner = Number(await fs.promises.readFile(file, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw ingestErrors.invalid(`${dir} is already open in process ${owner}`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.promises.writeFile(file, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** AWS's pattern, `.` and `..` included: the name's folder is `%2E` or `%2E.` (src/storage/data-paths.ts). */
function checkStreamName(name: string): void {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) {
    throw ingestErrors.invalid(`stream name ${JSON.stringify(name)} must be 1-128 characters of [a-zA-Z0-9_.-]`);
  }
}

function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw ingestErrors.invalid(`${what} must be a positive integer, not ${value}`);
  return value;
}
