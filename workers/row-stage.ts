import { Piscina } from 'piscina';
import { processChunk, type ChunkResult, type ChunkTask } from '../src/runtime/chunk-task.js';
import { runWindowTask, type WindowTask } from '../src/runtime/window-task.js';

/**
 * Piscina entry. A chunk task decodes records and runs the row stages (stateless); a window task
 * works on the partition of keyed window state this worker owns. Arrow result buffers and the chunk
 * go back transferred (Piscina's transferable protocol), never copied.
 */
export default function sluiceWorker(task: ChunkTask | WindowTask): unknown {
  if ('kind' in task && task.kind === 'window') return runWindowTask(task);
  const chunk = task as ChunkTask;
  const result = processChunk(chunk);
  const transfer = new Set<ArrayBuffer>([chunk.bytes.buffer as ArrayBuffer]);
  for (const q of result.queries) {
    for (const buf of [...(q.partialIpcs ?? []), ...(q.rowsIpc ? [q.rowsIpc] : [])]) {
      if (buf.byteLength && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) transfer.add(buf.buffer as ArrayBuffer);
    }
  }
  const value: { result: ChunkResult; bytes: Uint8Array } = { result, bytes: chunk.bytes };
  const movable = { [Piscina.transferableSymbol]: [...transfer], [Piscina.valueSymbol]: value };
  return Piscina.move(movable as unknown as ArrayBuffer);
}
