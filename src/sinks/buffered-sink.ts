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

  private constructor(
    private readonly buffer: RecordBuffer,
    private readonly options: BufferedSinkOptions,
  ) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.maxBytes = options.maxBytes;
    this.intervalMs = options.intervalMs;
  }

  /** Opens the sink; buffers a previous run left behind are delivered first, in the background. */
  static async open(options: BufferedSinkOptions): Promise<BufferedSink> {
    const { buffer, recovered } = await RecordBuffer.open(options.dir);
    const sink = new BufferedSink(buffer, options);
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

  async write(records: readonly Uint8Array[]): Promise<void> {
    if (this.closed) throw new SinkClosedError('sink is closed');
    if (records.length === 0) return;
    await this.buffer.append(records, this.scheduler.now());
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
    const batch: Batch = { firstArrival: buffer.firstArrival, records: buffer.records, bytes: buffer.bytes };
    try {
      await withRetry(() => this.options.deliver(batch), this.options.retry);
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
    await buffer.discard().catch(this.report);
  }

  private readonly report = (err: unknown): undefined => {
    (this.options.onError ?? ((e: unknown) => console.error('sluice sink: delivery failed:', e)))(err);
    return undefined;
  };
}
