import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from './chunk-task.js';
import type { WindowTask, WindowTaskResult } from './window-task.js';

/** Small Buffers share Node's allocation pool; moving that memory to another thread would take it from them. */
function isPooled(bytes: Uint8Array): boolean {
  return Buffer.isBuffer(bytes) && bytes.buffer.byteLength === Buffer.poolSize && bytes.byteLength < Buffer.poolSize;
}

/** The worker entry: a CommonJS shim at the package root's workers/ that imports the compiled ES module. */
function workerFile(): string {
  for (const rel of ['../../../workers/row-stage.cjs', '../../workers/row-stage.cjs']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workers/row-stage.cjs not found next to the package');
}

/**
 * N worker threads, each its own single-thread Piscina pool so that a task can be sent to a given
 * thread: chunk tasks go to the least busy one; window tasks go to the thread that owns the state
 * partition (partition p lives on thread p), one at a time, in the order they were sent.
 */
export class WorkerPool {
  private readonly threadsPools: Piscina[];
  private readonly load: number[];
  private readonly windowChains: Promise<unknown>[];
  /** Chunk tasks sent and not yet returned. */
  busy = 0;
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
    this.threadsPools = Array.from({ length: threads }, () => new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Infinity }));
    this.load = new Array(threads).fill(0);
    this.windowChains = Array.from({ length: threads }, () => Promise.resolve());
  }

  /** `owned`: the caller gives up `task.bytes` and everything after it in its buffer, which then moves without a copy. */
  async run(task: ChunkTask, owned = false): Promise<{ result: ChunkResult; bytes: Uint8Array }> {
    const bytes = task.bytes;
    const transferable = owned && bytes.byteOffset === 0 && !(bytes.buffer instanceof SharedArrayBuffer) && !isPooled(bytes) ? bytes : bytes.slice();
    let t = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[t]!) t = i;
    this.busy++;
    this.load[t]!++;
    try {
      return await this.track(this.threadsPools[t]!.run({ ...task, bytes: transferable, partitions: this.threads }, { transferList: [transferable.buffer as ArrayBuffer] }));
    } finally {
      this.busy--;
      this.load[t]!--;
    }
  }

  /**
   * Piscina does not run a thread's tasks in the order they were sent, so window tasks of one
   * partition are chained: each is sent when the previous one has returned.
   */
  runWindow(partition: number, task: WindowTask): Promise<WindowTaskResult> {
    this.load[partition]!++;
    const run = async () => {
      try {
        const transferList = task.ipc && task.ipc.byteOffset === 0 && task.ipc.byteLength === task.ipc.buffer.byteLength ? [task.ipc.buffer as ArrayBuffer] : [];
        return (await this.threadsPools[partition]!.run(task, { transferList })) as WindowTaskResult;
      } finally {
        this.load[partition]!--;
      }
    };
    const result = this.track(this.windowChains[partition]!.then(run, run));
    this.windowChains[partition] = result.then(() => undefined, () => undefined);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.threadsPools.map((p) => p.destroy()));
  }
}
