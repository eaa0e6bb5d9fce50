/**
 * A KinesisStreamAsSource delivery stream's reader: a stream of this Sluice's ingest log, read
 * from the trim horizon with the same LogReader the SQL sources use (parents before children), into
 * the delivery stream's buffer. Each shard's records go into the buffer together with the read
 * position after them (a note in the same write and fsync), and a shard's position is committed
 * only after that write: after a crash the source resumes from the newest position it finds, in
 * source.json or in a buffer still on disk, so no record (shard id, sequence number) is read into
 * the buffer twice and none is lost. source.json is rewritten after each round and before a
 * delivered buffer (and its note) is removed, so it is never older than what was removed.
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

/** A read position and its place in the order positions were written (source.json, or a note in a buffer). */
interface Saved {
  readonly write: number;
  readonly position: SourcePosition;
}

export class KinesisStreamSource {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Positions written so far (notes and source.json share the count), and the newest in source.json. */
  private writes: number;
  private savedWrite: number;
  private saving: Promise<void> = Promise.resolve();
  records = 0;

  private constructor(
    private readonly options: KinesisStreamSourceOptions,
    private readonly reader: LogReader,
    resumed: number,
  ) {
    this.writes = resumed;
    this.savedWrite = resumed;
  }

  static async open(options: KinesisStreamSourceOptions): Promise<KinesisStreamSource> {
    // At most 1,000 records per shard and round: a buffer write (one fsync) per shard and round.
    const reader = new LogReader({ limit: 1000, maxBytes: 4 << 20 });
    let newest: Saved | undefined;
    if (options.checkpointFile) {
      const saved = await fs.promises.readFile(options.checkpointFile, 'utf8').catch(() => undefined);
      try {
        if (saved !== undefined) newest = parseSaved(saved);
      } catch (e) {
        // Unreadable: start again from the trim horizon (records delivered twice rather than lost).
        options.onError(new Error(`checkpoint ${options.checkpointFile} is unreadable, reading ${options.stream} from TRIM_HORIZON: ${(e as Error).message}`));
      }
    }
    // Records buffered after source.json was last written carry a newer position.
    const note = options.sink.recoveredMeta;
    if (note) {
      const fromBuffer = parseSaved(Buffer.from(note).toString('utf8'));
      if (!newest || fromBuffer.write > newest.write) newest = fromBuffer;
    }
    if (newest) reader.resumeFrom(newest.position);
    return new KinesisStreamSource(options, reader, newest?.write ?? 0);
  }

  /** The sink delivered a batch: its note is saved before the buffer holding it is removed. */
  delivered(meta: Uint8Array | undefined): Promise<void> {
    return meta ? this.save(parseSaved(Buffer.from(meta).toString('utf8'))) : Promise.resolve();
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
        const note: Saved = { write: ++this.writes, position: this.reader.positionAfter(r) };
        await this.options.sink.write(r.result.records.map((x) => x.data), Buffer.from(JSON.stringify(note)));
        read += r.result.records.length;
      }
      if (r.result.records.length > 0 || r.result.endOfShard) moved = true;
      this.reader.commit(r);
    }
    this.records += read;
    if (moved) await this.save({ write: ++this.writes, position: this.reader.position() });
    return read;
  }

  /** Rewrites source.json with `saved`, unless it already holds a newer position. */
  private save(saved: Saved): Promise<void> {
    const file = this.options.checkpointFile;
    if (!file) return Promise.resolve();
    const run = this.saving.then(async () => {
      if (saved.write <= this.savedWrite) return;
      await writeFileAtomic(file, JSON.stringify(saved));
      this.savedWrite = saved.write;
    });
    this.saving = run.catch(() => undefined);
    return run;
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

/** A saved position: `{write, position}`, or a bare position as source.json held before notes existed. */
function parseSaved(text: string): Saved {
  const value = JSON.parse(text) as Saved | SourcePosition;
  return 'position' in value ? value : { write: 0, position: value };
}
