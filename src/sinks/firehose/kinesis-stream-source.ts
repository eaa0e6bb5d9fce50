/**
 * A KinesisStreamAsSource delivery stream's reader: a stream of this Sluice's ingest log, read
 * from the trim horizon with the same LogReader the SQL sources use (parents before children), into
 * the delivery stream's buffer. A shard's position is committed, and the checkpoint (source.json)
 * rewritten, only after its records are durable in the buffer: a crash re-reads at most what was
 * buffered since the last checkpoint (delivered at least once), and loses nothing.
 */

import fs from 'node:fs';
import type { LogStore, Stream as LogStream } from '../../ingest/index.js';
import { writeFileAtomic } from '../../ingest/log/fs-util.js';
import { LogReader, type SourcePosition } from '../../runtime/sources/log-reader.js';
import type { BufferedSink } from '../buffered-sink.js';

/** Sealed buffers waiting for delivery past which reading pauses: records wait in the log, not in memory. */
const MAX_BACKLOG = 2;

export interface KinesisStreamSourceOptions {
  readonly log: LogStore;
  readonly stream: string;
  readonly sink: BufferedSink;
  /** Where the position is kept; null: memory (the buffer is in memory too). */
  readonly checkpointFile: string | null;
  readonly onError: (error: unknown) => void;
  /** Sleep when every shard is caught up (default 100 ms). */
  readonly idleMs?: number;
}

export class KinesisStreamSource {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  records = 0;

  private constructor(
    private readonly options: KinesisStreamSourceOptions,
    private readonly reader: LogReader,
  ) {}

  static async open(options: KinesisStreamSourceOptions): Promise<KinesisStreamSource> {
    // At most 1,000 records per shard and round: a buffer write (one fsync) per shard and round.
    const reader = new LogReader({ limit: 1000, maxBytes: 4 << 20 });
    if (options.checkpointFile) {
      const saved = await fs.promises.readFile(options.checkpointFile, 'utf8').catch(() => undefined);
      try {
        if (saved !== undefined) reader.resumeFrom(JSON.parse(saved) as SourcePosition);
      } catch (e) {
        // Unreadable: start again from the trim horizon (records delivered twice rather than lost).
        options.onError(new Error(`checkpoint ${options.checkpointFile} is unreadable, reading ${options.stream} from TRIM_HORIZON: ${(e as Error).message}`));
      }
    }
    return new KinesisStreamSource(options, reader);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the round in progress (its records are buffered and checkpointed first). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let read = 0;
      try {
        const stream = this.stream();
        if (stream && this.options.sink.backlog < MAX_BACKLOG) read = await this.round(stream);
        failures = 0;
      } catch (e) {
        if ((e as { code?: string }).code === 'ResourceNotFoundException') this.reader.reset();
        else this.options.onError(e);
        failures++;
      }
      // A failing buffer (a full disk) is retried with backoff; nothing was committed for it.
      if (read === 0) await this.sleep(failures > 0 ? Math.min(30_000, 250 * 2 ** failures) : (this.options.idleMs ?? 100));
    }
  }

  private stream(): LogStream | undefined {
    return this.options.log.listStreams().includes(this.options.stream) ? this.options.log.getStream(this.options.stream) : undefined;
  }

  private async round(stream: LogStream): Promise<number> {
    const reads = await this.reader.read(this.reader.readable(stream));
    let read = 0;
    let moved = false;
    for (const r of reads) {
      if (r.result.records.length > 0) {
        await this.options.sink.write(r.result.records.map((x) => x.data));
        read += r.result.records.length;
      }
      if (r.result.records.length > 0 || r.result.endOfShard) moved = true;
      this.reader.commit(r);
    }
    this.records += read;
    if (moved && this.options.checkpointFile) await writeFileAtomic(this.options.checkpointFile, JSON.stringify(this.reader.position()));
    return read;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
