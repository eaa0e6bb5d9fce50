/**
 * A Sink that buffers durably and delivers whole buffers: when the open buffer reaches maxBytes,
 * when intervalMs has passed since its first record, on flush() and on close(). Delivery is
 * retried with backoff; a buffer that still fails goes to the dead-letter target, and one that
 * fails there too stays on disk for the next start. Buffers are delivered one at a time, in order.
 */

import { RecordBuffer, type SealedBuffer } from './record-buffer.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { systemScheduler, type Scheduler, type Sink } from './sink.js';

/** What a buffer becomes at the destination. */
export interface Batch {
  readonly firstArrival: number;
  readonly records: readonly Uint8Array[];
  readonly bytes: number;
  /** The buffer's name across restarts: a batch delivered again after a crash has the same key. */
  readonly key?: string;
  /** The writer's last note in the buffer (see RecordBuffer.append). */
  readonly meta?: Uint8Array;
}

export interface BufferedSinkOptions {
  /** Where buffers are kept until delivered; null keeps them in memory (lost on a crash). */
  readonly dir: string | null;
  readonly maxBytes: number;
  /** 0 delivers after every write. */
  readonly intervalMs: number;
  readonly deliver: (batch: Batch) => Promise<void>;
  /** Where a batch goes once delivery has failed every retry. */
  readonly deadLetter?: (batch: Batch, error: unknown) => Promise<void>;
  readonly scheduler?: Scheduler;
  readonly retry?: RetryPolicy;
  /** Told about batches that could be delivered nowhere (default: console.error). */
  readonly onError?: (error: unknown) => void;
  /** Runs once a batch has landed (or been set aside), before its buffer is removed. */
  readonly onDelivered?: (batch: Batch) => Promise<void>;
}

export class SinkClosedError extends Error {
  override readonly name = 'SinkClosedError';
}

export class BufferedSink implements Sink {
  private readonly scheduler: Scheduler;
  private cancelTimer: (() => void) | undefined;
  private deliveries: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  private maxBytes: number;
  private intervalMs: number;
  private waiting = 0;
  /** The newest note among the buffers a previous run left (they are delivered first). */
  readonly recoveredMeta: Uint8Array | undefined;

  private constructor(
    private readonly buffer: RecordBuffer,
    private readonly options: BufferedSinkOptions,
    recovered: readonly SealedBuffer[],
  ) {
    this.recoveredMeta = recovered.filter((b) => b.meta).at(-1)?.meta;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.maxBytes = options.maxBytes;
    this.intervalMs = options.intervalMs;
  }

  /** Opens the sink; buffers a previous run left behind are delivered first, in the background. */
  static async open(options: BufferedSinkOptions): Promise<BufferedSink> {
    const { buffer, recovered } = await RecordBuffer.open(options.dir);
    const sink = new BufferedSink(buffer, options, recovered);
    for (const sealed of recovered) sink.enqueue(Promise.resolve(sealed));
    return sink;
  }

  /** Sealed buffers not yet delivered (the one being delivered included): a reader's cue to wait. */
  get backlog(): number {
    return this.waiting;
  }

  /** New size and interval triggers; they apply to the open buffer from its next write on. */
  setBuffering(policy: { readonly maxBytes: number; readonly intervalMs: number }): void {
    this.maxBytes = policy.maxBytes;
    this.intervalMs = policy.intervalMs;
  }

  /** Buffers the records durably; `meta`, written with them, comes back with their batch and after a restart. */
  async write(records: readonly Uint8Array[], meta?: Uint8Array): Promise<void> {
    if (this.closed) throw new SinkClosedError('sink is closed');
    if (records.length === 0) return;
    await this.buffer.append(records, this.scheduler.now(), meta);
    const since = this.buffer.openSince;
    if (since === undefined) return;
    if (this.intervalMs <= 0 || this.buffer.openBytes >= this.maxBytes) {
      void this.rotate();
    } else if (!this.cancelTimer) {
      const due = since + this.intervalMs - this.scheduler.now();
      this.cancelTimer = this.scheduler.setTimer(due, () => {
        this.cancelTimer = undefined;
        void this.rotate();
      });
    }
  }

  flush(): Promise<void> {
    return this.rotate();
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.rotate();
    return this.closing;
  }

  /** Seals the open buffer and resolves once it (and every buffer before it) is delivered. */
  private rotate(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    return this.enqueue(this.buffer.seal());
  }

  private enqueue(sealed: Promise<SealedBuffer | undefined>): Promise<void> {
    this.waiting++;
    this.deliveries = this.deliveries.then(async () => {
      try {
        const buffer = await sealed.catch(this.report);
        if (buffer) await this.deliver(buffer);
      } finally {
        this.waiting--;
      }
    });
    return this.deliveries;
  }

  private async deliver(buffer: SealedBuffer): Promise<void> {
    const batch: Batch = { firstArrival: buffer.firstArrival, records: buffer.records, bytes: buffer.bytes, key: buffer.key, ...(buffer.meta ? { meta: buffer.meta } : {}) };
    try {
      if (batch.records.length > 0) await withRetry(() => this.options.deliver(batch), this.options.retry);
    } catch (err) {
      try {
        if (!this.options.deadLetter) throw err;
        await this.options.deadLetter(batch, err);
      } catch (deadLetterErr) {
        // Kept on disk: the next start delivers it again.
        this.report(deadLetterErr);
        return;
      }
    }
    try {
      await this.options.onDelivered?.(batch);
    } catch (e) {
      // Kept: what the note records is saved when the buffer is delivered again.
      this.report(e);
      return;
    }
    await buffer.discard().catch(this.report);
  }

  private readonly report = (err: unknown): undefined => {
    (this.options.onError ?? ((e: unknown) => console.error('sluice sink: delivery failed:', e)))(err);
    return undefined;
  };
}
