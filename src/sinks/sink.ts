/**
 * What every destination of a query or a delivery stream looks like to its producer. Buffering
 * (size, interval) and retry belong to the sink: a producer writes and moves on.
 */

export interface Sink {
  /** Resolves once the records are durable in the sink's buffer (not yet delivered). */
  write(records: readonly Uint8Array[]): Promise<void>;
  /** Delivers whatever is buffered now and resolves when it has landed (or been set aside). */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes. */
  close(): Promise<void>;
}

/**
 * A sink whose output commits with an application's checkpoints, in two phases as Flink's
 * TwoPhaseCommitSinkFunction: on checkpoint n it makes what it holds durable but invisible
 * (preCommit), and visible once the checkpoint itself is on disk (commit). A sink that cannot hide
 * what it wrote delivers everything on preCommit and commits nothing (at-least-once).
 */
export interface CheckpointedSink {
  /** Everything written so far belongs to checkpoint `id` (or an earlier one): durable, not yet visible. */
  preCommit(id: number): Promise<void>;
  /** Checkpoint `id` is durable: makes every pre-committed piece up to it visible, once. */
  commit(id: number): Promise<void>;
  /** Restarted from checkpoint `id` (0: none): finishes the commits it covers, drops what came after it. */
  recover(id: number): Promise<void>;
}

/** Time as the sink sees it: injectable so tests step the clock instead of waiting. */
export interface Scheduler {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once `ms` have passed; the result cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A scheduler whose clock moves only when told; due timers fire in time order on advance(). */
export class ManualScheduler implements Scheduler {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 0;

  constructor(private time = Date.UTC(2030, 0, 1)) {}

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return () => this.timers.delete(id);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = until;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
