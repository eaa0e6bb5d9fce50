import { processChunk, type ChunkResult, type ChunkTask } from '../src/runtime/chunk-task.js';
import { runWindowTask, type WindowTask, type WindowTaskResult } from '../src/runtime/window-task.js';
import { functionsReady } from '../src/runtime/task-functions.js';

type Task = ChunkTask | WindowTask | { kind: 'ping' };
type Result = ChunkResult | WindowTaskResult | null;

/**
 * Piscina entry. A chunk task decodes records and runs the row stages (stateless); a window task
 * works on the partition of keyed window state this worker owns. A task whose plans call a
 * user-defined function first waits for its module to be imported in this thread.
 *
 * Nothing is transferred in either direction: once any ArrayBuffer has been detached in a thread,
 * V8 adds detach checks to every typed-array access in that thread's optimized code, which made the
 * decoders about twice as slow. Chunks arrive in SharedArrayBuffers; results are small and cloned.
 */
export default function sluiceWorker(task: Task): Result | Promise<Result> {
  if ('kind' in task && task.kind === 'ping') return null;
  const ready = functionsReady(task as ChunkTask | WindowTask);
  return ready ? ready.then(() => run(task as ChunkTask | WindowTask)) : run(task as ChunkTask | WindowTask);
}

function run(task: ChunkTask | WindowTask): Result {
  if ('kind' in task && task.kind === 'window') return runWindowTask(task);
  const chunk = task as ChunkTask;
  return processChunk({ ...chunk, bytes: Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength) });
}
