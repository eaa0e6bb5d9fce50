import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from './chunk-task.js';

/** The worker entry: a CommonJS shim at the package root's workers/ that imports the compiled ES module. */
function workerFile(): string {
  for (const rel of ['../../../workers/row-stage.cjs', '../../workers/row-stage.cjs']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workers/row-stage.cjs not found next to the package');
}

/** A fixed pool of worker threads running row stages over chunks; results come back in any order. */
export class WorkerPool {
  private readonly piscina: Piscina;

  constructor(readonly threads: number) {
    this.piscina = new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  }

  /** Tasks sent and not yet returned. */
  busy = 0;

  async run(task: ChunkTask): Promise<{ result: ChunkResult; bytes: Uint8Array }> {
    const bytes = task.bytes;
    const transferable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    this.busy++;
    try {
      return await this.piscina.run({ ...task, bytes: transferable }, { transferList: [transferable.buffer as ArrayBuffer] });
    } finally {
      this.busy--;
    }
  }

  get queueSize(): number {
    return this.piscina.queueSize;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
