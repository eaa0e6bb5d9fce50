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
  const send = async (chunk: Uint8Array) => {
    pending.push(rt.ingest(chunk, true));
    if (opts.progress) {
      opts.progress.bytes += chunk.length;
      opts.progress.chunks++;
    }
    while (pending.length >= maxInflight) await pending.shift();
  };
  const file = await open(path, 'r');
  try {
    let carry: Uint8Array = new Uint8Array(0);
    for (;;) {
      // Each chunk gets its own buffer, which a worker takes over whole; only a partial last line is copied.
      const buf = Buffer.allocUnsafeSlow(carry.length + chunkBytes);
      buf.set(carry, 0);
      const { bytesRead } = await file.read(buf, carry.length, chunkBytes, null);
      const filled = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) await send(Buffer.concat([buf.subarray(0, filled), Buffer.from('\n')]));
        break;
      }
      const cut = buf.lastIndexOf(0x0a, filled - 1);
      if (cut < 0) {
        carry = buf.subarray(0, filled);
        continue;
      }
      carry = Uint8Array.prototype.slice.call(buf, cut + 1, filled);
      await send(buf.subarray(0, cut + 1));
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
