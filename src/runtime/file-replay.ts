import { createReadStream } from 'node:fs';
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
  let carry: Buffer | null = null;
  const send = async (buf: Buffer) => {
    pending.push(rt.ingest(buf));
    if (opts.progress) {
      opts.progress.bytes += buf.length;
      opts.progress.chunks++;
    }
    while (pending.length >= maxInflight) await pending.shift();
  };
  for await (const part of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    const buf: Buffer = carry ? Buffer.concat([carry, part]) : part;
    const cut = buf.lastIndexOf(0x0a);
    if (cut < 0) {
      carry = buf;
      continue;
    }
    carry = cut + 1 < buf.length ? Buffer.from(buf.subarray(cut + 1)) : null;
    // Copy: the worker takes ownership of the chunk's memory, and read buffers come from a shared pool.
    await send(Buffer.from(buf.subarray(0, cut + 1)));
  }
  if (carry && carry.length) await send(Buffer.concat([carry, Buffer.from('\n')]));
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
