import type { LogStore, Stream as LogStream } from '../../ingest/index.js';
import type { ShardRecord } from '../../ingest/types.js';
import type { StreamRuntime } from '../stream-runtime.js';
import { LogReader, type ShardRead, type SourcePosition } from './log-reader.js';
import { IdleClock, PausePoint } from './source-loop.js';

export type { SourcePosition } from './log-reader.js';

export interface LogSourceOptions {
  /** How long to sleep when every shard is caught up. */
  readonly idleMs?: number;
  /** Called with a line of news (waiting for the stream, started reading). */
  readonly notice?: (message: string) => void;
  /** A shard caught up for this long stops holding the watermark back (default 1 s; see IdleClock). */
  readonly idleTimeoutMs?: number;
  /** The chunk of lines a shard's records become (default: each record's data as one line). */
  readonly toChunk?: (records: readonly ShardRecord[], shardId: string) => Uint8Array;
  /** The shards this source reads (default: all); the others are left to other sources. */
  readonly shards?: (shardId: string) => boolean;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Reads a stream of the ingest log continuously into a SQL stream: every shard from the trim
 * horizon, parents before their children (so per-key order holds across a reshard), records
 * batched into chunks of lines for the decoders. Waits, and says so, while the stream does not exist.
 */
export class LogSource {
  private stopped = false;
  private readonly reader = new LogReader();
  private readonly idle: IdleClock;
  private loop: Promise<void> | null = null;
  /** The read loop has returned (stopped, or failed and reported): there is nothing left to pause. */
  private ended = false;
  private readonly pausePoint = new PausePoint();
  records = 0;

  constructor(
    private readonly log: LogStore,
    private readonly logStream: string,
    private readonly rt: StreamRuntime,
    private readonly options: LogSourceOptions = {},
  ) {
    this.idle = new IdleClock(options.idleTimeoutMs);
  }

  /** Where each shard will be read next, and which shards are finished: what a checkpoint keeps. */
  position(): SourcePosition {
    return this.reader.position();
  }

  /** Resumes from a checkpoint's positions (before start). */
  resumeFrom(p: SourcePosition): void {
    this.reader.resumeFrom(p);
  }

  /** Stops between read rounds (so everything read has been fed in) until the returned function is called. */
  pause(): Promise<() => void> {
    return this.pausePoint.pause(this.loop !== null && !this.ended);
  }

  start(): void {
    this.loop ??= this.run()
      .catch((e: unknown) => this.options.notice?.(`reading ${this.logStream} stopped: ${(e as Error).message}`))
      .finally(() => {
        this.ended = true;
        this.pausePoint.wake();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pausePoint.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let stream: LogStream | null = null;
    let waiting = false;
    while (!this.stopped) {
      if (await this.pausePoint.check()) continue;
      if (!stream) {
        stream = this.log.listStreams().includes(this.logStream) ? this.log.getStream(this.logStream) : null;
        if (!stream) {
          if (!waiting) this.options.notice?.(`waiting for stream ${this.logStream} to exist`);
          waiting = true;
          await sleep(250);
          continue;
        }
        this.options.notice?.(`reading stream ${this.logStream} into ${this.rt.def.name}`);
      }
      let read = 0;
      try {
        read = await this.readRound(stream);
      } catch (e) {
        if ((e as { code?: string }).code === 'ResourceNotFoundException') {
          stream = null;
          this.reader.reset();
          continue;
        }
        throw e;
      }
      if (read === 0) await sleep(this.options.idleMs ?? 50);
    }
  }

  /**
   * Reads every shard first and marks the ones with records active, then feeds them in: a shard
   * that had gone idle must hold the watermark back again before any other shard's records advance it.
   */
  private async readRound(stream: LogStream): Promise<number> {
    const mine = this.options.shards ?? (() => true);
    // Every shard is announced to the runtime, readable or not yet.
    for (const s of stream.shards()) if (mine(s.shardId) && !this.rt.partitions.states.has(s.shardId)) this.rt.setPartition(s.shardId, 'active');
    const reads: ShardRead[] = await this.reader.read(this.reader.readable(stream).filter((s) => mine(s.shardId)));
    for (const { shard, result } of reads) if (result.records.length > 0) this.rt.setPartition(shard.shardId, 'active');
    let read = 0;
    for (const r of reads) {
      const { shard, result } = r;
      if (result.records.length > 0) {
        const chunk = this.options.toChunk ? this.options.toChunk(result.records, shard.shardId) : toLines(result.records.map((x) => x.data));
        await this.rt.ingest(chunk, shard.shardId);
        this.records += result.records.length;
        read += result.records.length;
        this.idle.busy(shard.shardId);
      }
      this.reader.commit(r);
      if (result.endOfShard) this.rt.setPartition(shard.shardId, 'done');
      else if (result.records.length === 0 && this.idle.caughtUp(shard.shardId)) this.rt.setPartition(shard.shardId, 'idle');
    }
    return read;
  }
}

/** One record per line: line breaks inside a record (pretty-printed JSON) become spaces. */
export function toLines(records: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const r of records) size += r.length + 1;
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    // for each byte of the record: '\n' or '\r' -> ' '
    for (let i = at; i < at + r.length; i++) if (out[i] === NEWLINE || out[i] === CR) out[i] = 0x20;
    at += r.length;
    out[at++] = NEWLINE;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
