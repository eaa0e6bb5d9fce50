import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { StreamRuntime } from './stream-runtime.js';

export interface ReplayProgress {
  bytes: number;
  chunks: number;
}

/**
 * Streams a file into a stream in chunks cut at line ends, never reading it whole. At most
 * `maxInflight` chunks are being processed at once, so memory stays bounded however big the file.
 */
export async function replayFile(path: string, rt: StreamRuntime, opts: { chunkBytes?: number; maxInflight?: number; progress?: ReplayProgress } = {}): Promise<void> {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  const maxInflight = opts.maxInflight ?? 4;
  const pending: Promise<void>[] = [];
  // Chunk buffers are shared memory (workers read them in place) and reused once a chunk is applied,
  // so memory stays at about maxInflight chunks however long the file.
  const capacity = chunkBytes + (chunkBytes >> 2);
  const free: Buffer[] = [];
  const take = (size: number) => (size <= capacity ? free.pop() ?? Buffer.from(new SharedArrayBuffer(capacity)) : Buffer.from(new SharedArrayBuffer(size)));
  const send = async (chunk: Buffer, owner: Buffer) => {
    pending.push(rt.ingest(chunk).finally(() => owner.length === capacity && free.push(owner)));
    if (opts.progress) {
      opts.progress.bytes += chunk.length;
      opts.progress.chunks++;
    }
    while (pending.length >= maxInflight) await pending.shift();
  };
  const file = await open(path, 'r');
  try {
    let carry: Uint8Array = new Uint8Array(0);
    // The chunk before is handed over without waiting, so that its decoding (a microtask on this
    // thread when there are no workers) runs while the next read is in flight, not after it.
    let sending: Promise<void> = Promise.resolve();
    for (;;) {
      const buf = take(carry.length + chunkBytes);
      buf.set(carry, 0);
      const { bytesRead } = await file.read(buf, carry.length, chunkBytes, null);
      await sending;
      const filled = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) {
          const last = take(filled + 1);
          buf.copy(last, 0, 0, filled);
          last[filled] = 0x0a;
          await send(last.subarray(0, filled + 1), last);
        }
        break;
      }
      const cut = buf.lastIndexOf(0x0a, filled - 1);
      if (cut < 0) {
        carry = Uint8Array.prototype.slice.call(buf, 0, filled);
        if (buf.length === capacity) free.push(buf);
        continue;
      }
      carry = Uint8Array.prototype.slice.call(buf, cut + 1, filled);
      sending = send(buf.subarray(0, cut + 1), buf);
    }
  } finally {
    await file.close();
  }
  await Promise.all(pending);
}

/** The first `n` non-blank lines of a file, for schema discovery. */
export async function sampleLines(path: string, n = 1000): Promise<string[]> {
  const out: string[] = [];
  let rest = '';
  for await (const part of createReadStream(path, { highWaterMark: 1 << 16, encoding: 'utf8' }) as AsyncIterable<string>) {
    const lines = (rest + part).split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l.trim()) out.push(l);
    if (out.length >= n) break;
  }
  if (out.length < n && rest.trim()) out.push(rest);
  return out.slice(0, n);
}
