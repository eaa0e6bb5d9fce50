/**
 * Reuses batch buffers once their frames are on disk. A fresh ~170 KB buffer per batch means
 * page faults on first touch and external-memory pressure that drives the GC; at a million
 * records a second that is thousands of buffers a second. Only file-backed streams use it: an
 * in-memory store keeps its batch buffers as segment data.
 */

const SLAB_BYTES = 256 * 1024;
const MAX_FREE = 64;

export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of exactly `size` bytes (contents undefined), pooled when it fits a slab. */
  take(size: number): Buffer {
    if (size > SLAB_BYTES) return Buffer.allocUnsafe(size);
    const slab = this.free.pop() ?? new ArrayBuffer(SLAB_BYTES);
    return Buffer.from(slab, 0, size);
  }

  /** Hands back a buffer from take() whose bytes nobody reads any more. */
  give(buffer: Buffer): void {
    const slab = buffer.buffer;
    if (slab.byteLength === SLAB_BYTES && buffer.byteOffset === 0 && this.free.length < MAX_FREE) {
      this.free.push(slab as ArrayBuffer);
    }
  }
}
