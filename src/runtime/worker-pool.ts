import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Piscina as PiscinaPool } from 'piscina';
import type { ChunkResult, ChunkTask } from './chunk-task.js';
import type { WindowTask, WindowTaskResult } from './window-task.js';

/** A copy of `bytes` in shared memory, which a worker can read without the memory changing owner. */
export function toShared(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

/** The worker entry: a CommonJS shim at the package root's workers/ that imports the compiled ES module. */
function workerFile(): string {
  for (const rel of ['../../../workers/row-stage.cjs', '../../workers/row-stage.cjs']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workers/row-stage.cjs not found next to the package');
}

/** Tasks queued inside each worker thread. */
const TASKS_PER_THREAD = 4;

/**
 * N worker threads, each its own single-thread Piscina pool so that a task can be sent to a given
 * thread: chunk tasks go to the least busy one; window tasks go to the thread that owns the state
 * partition (partition p lives on thread p).
 */
export class WorkerPool {
  private readonly threadsPools: PiscinaPool[];
  private readonly load: number[];
  /** Chunk tasks sent and not yet returned. */
  busy = 0;
  /** Every thread has started and loaded its modules. */
  ready = false;
  /** Resolves once every thread is ready (or failed to start). */
  readonly started: Promise<void>;
  private inflight = 0;
  private keepAlive: NodeJS.Timeout | null = null;

  /** Piscina's threads do not hold the process open; while a task is out, this timer does. */
  private track<T>(p: Promise<T>): Promise<T> {
    if (this.inflight++ === 0) this.keepAlive = setInterval(() => {}, 1 << 30);
    return p.finally(() => {
      if (--this.inflight === 0 && this.keepAlive) {
        clearInterval(this.keepAlive);
        this.keepAlive = null;
      }
    });
  }

  constructor(readonly threads: number) {
    const filename = workerFile();
    // Loaded with the first pool: runs without workers never pay for Piscina.
    const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    // Several tasks wait inside each thread, so it starts the next one without waiting for this
    // thread to hand it over (with both cores busy, that hand-over left each worker idle ~3 ms per chunk).
    // The worker runs them one at a time in arrival order; window tasks are chained by their runner.
    this.threadsPools = Array.from({ length: threads }, () => new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Infinity, atomics: 'disabled', concurrentTasksPerWorker: TASKS_PER_THREAD }));
    this.load = new Array(threads).fill(0);
    // A thread is ready once it has loaded the engine's modules; until all are, callers run chunks themselves.
    this.started = Promise.all(this.threadsPools.map((p) => p.run({ kind: 'ping' }))).then(
      () => void (this.ready = true),
      () => void (this.ready = true),
    );
  }

  /**
   * Runs a chunk task on the least busy thread. The chunk travels in a SharedArrayBuffer (copied
   * into one unless it already is), never transferred: see workers/row-stage.ts for why.
   */
  async run(task: ChunkTask): Promise<ChunkResult> {
    const bytes = task.bytes.buffer instanceof SharedArrayBuffer ? task.bytes : toShared(task.bytes);
    let t = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[t]!) t = i;
    this.busy++;
    this.load[t]!++;
    try {
      return (await this.track(this.threadsPools[t]!.run({ ...task, bytes, partitions: this.threads }))) as ChunkResult;
    } finally {
      this.busy--;
      this.load[t]!--;
    }
  }

  /** Sends a window task to the thread that owns the partition. Callers keep one task per query in flight. */
  async runWindow(partition: number, task: WindowTask): Promise<WindowTaskResult> {
    this.load[partition]!++;
    try {
      return (await this.track(this.threadsPools[partition]!.run(task))) as WindowTaskResult;
    } finally {
      this.load[partition]!--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threadsPools.map((p) => p.destroy()));
  }
}
