import { Piscina } from 'piscina';
import { processChunk, type ChunkResult, type ChunkTask } from '../src/runtime/chunk-task.js';

/**
 * Piscina entry: decode a chunk and run the row stages. The Arrow result buffers and the chunk
 * itself go back transferred (Piscina's transferable protocol), never copied.
 */
export default function rowStage(task: ChunkTask): unknown {
  const result = processChunk(task);
  const transfer = new Set<ArrayBuffer>([task.bytes.buffer as ArrayBuffer]);
  for (const q of result.queries) {
    const buf = q.partialIpc ?? q.rowsIpc;
    if (buf && buf.byteLength && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) transfer.add(buf.buffer as ArrayBuffer);
  }
  const value: { result: ChunkResult; bytes: Uint8Array } = { result, bytes: task.bytes };
  const movable = { [Piscina.transferableSymbol]: [...transfer], [Piscina.valueSymbol]: value };
  return Piscina.move(movable as unknown as ArrayBuffer);
}
