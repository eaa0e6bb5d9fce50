import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { StreamRuntime } from './stream-runtime.js';

export interface ReplayProgress {
  bytes: number;
  chunks: number;
}

export interface ReplayOptions {
  readonly chunkBytes?: number;
  readonly maxInflight?: number;
  readonly progress?: ReplayProgress;
  /** Bytes at the start of the input that are not records (a CSV header row). */
  readonly start?: number;
  /** Stops reading (the chunks already sent are still applied). */
  readonly signal?: AbortSignal;
  /** Called after each chunk is handed over; reading waits for what it returns. */
  readonly onChunk?: () => void | Promise<void>;
}

/**
 * Hands chunks of whole lines to a stream, at most `maxInflight` being processed at once. Chunk
 * buffers are shared memory (workers read them in place) and reused once a chunk is applied, so
 * memory stays at about maxInflight chunks however long the input.
 */
class ChunkFeeder {
  readonly chunkBytes: number;
  readonly capacity: number;
  private readonly maxInflight: number;
  private readonly pending: Promise<void>[] = [];
  private readonly free: Buffer[] = [];

  constructor(private readonly rt: StreamRuntime, private readonly opts: ReplayOptions) {
    this.chunkBytes = opts.chunkBytes ?? 1 << 20;
    this.maxInflight = opts.maxInflight ?? 4;
    this.capacity = this.chunkBytes + (this.chunkBytes >> 2);
  }

  take(size: number): Buffer {
    return size <= this.capacity ? this.free.pop() ?? Buffer.from(new SharedArrayBuffer(this.capacity)) : Buffer.from(new SharedArrayBuffer(size));
  }

  release(buf: Buffer): void {
    if (buf.length === this.capacity) this.free.push(buf);
  }

  async send(chunk: Buffer, owner: Buffer): Promise<void> {
    this.pending.push(this.rt.ingest(chunk).finally(() => this.release(owner)));
    if (this.opts.progress) {
      this.opts.progress.bytes += chunk.length;
      this.opts.progress.chunks++;
    }
    await this.opts.onChunk?.();
    while (this.pending.length >= this.maxInflight) await this.pending.shift();
  }

  /** Sends the last bytes of the input, which may lack their final line break. */
  async sendLast(buf: Uint8Array, filled: number): Promise<void> {
    if (filled === 0) return;
    const last = this.take(filled + 1);
    last.set(buf.subarray(0, filled), 0);
    last[filled] = 0x0a;
    await this.send(last.subarray(0, filled + 1), last);
  }

  async finish(): Promise<void> {
    await Promise.all(this.pending);
  }
}

/**
 * Streams a file into a stream in chunks cut at line ends, never reading it whole. At most
 * `maxInflight` chunks are being processed at once, so memory stays bounded however big the file.
 */
export async function replayFile(path: string, rt: StreamRuntime, opts: ReplayOptions = {}): Promise<void> {
  const feeder = new ChunkFeeder(rt, opts);
  const chunkBytes = feeder.chunkBytes;
  const file = await open(path, 'r');
  try {
    let carry: Uint8Array = new Uint8Array(0);
    let position = opts.start ?? 0;
    // The chunk before is handed over without waiting, so that its decoding (a microtask on this
    // thread when there are no workers) runs while the next read is in flight, not after it.
    let sending: Promise<void> = Promise.resolve();
    for (;;) {
      const buf = feeder.take(carry.length + chunkBytes);
      buf.set(carry, 0);
      const { bytesRead } = await file.read(buf, carry.length, chunkBytes, position);
      position += bytesRead;
      await sending;
      const filled = carry.length + bytesRead;
      if (bytesRead === 0 || opts.signal?.aborted) {
        if (!opts.signal?.aborted) await feeder.sendLast(buf, filled);
        feeder.release(buf);
        break;
      }
      const cut = buf.lastIndexOf(0x0a, filled - 1);
      if (cut < 0) {
        carry = Uint8Array.prototype.slice.call(buf, 0, filled);
        feeder.release(buf);
        continue;
      }
      carry = Uint8Array.prototype.slice.call(buf, cut + 1, filled);
      sending = feeder.send(buf.subarray(0, cut + 1), buf);
      // Awaited on the next turn of the loop; until then a failure is not an unhandled rejection.
      sending.catch(() => undefined);
    }
  } finally {
    await file.close();
  }
  await feeder.finish();
}

/**
 * Streams any byte source (stdin, a decompressor) into a stream in chunks cut at line ends. A chunk
 * goes once it is full, or once the source has been quiet for `idleMs` (default 100 ms), so records
 * piped in slowly are processed as they come instead of waiting for a full chunk.
 */
export async function replayBytes(source: AsyncIterable<Uint8Array>, rt: StreamRuntime, opts: ReplayOptions & { idleMs?: number } = {}): Promise<void> {
  const feeder = new ChunkFeeder(rt, opts);
  const idleMs = opts.idleMs ?? 100;
  let skip = opts.start ?? 0;
  let buf = feeder.take(feeder.capacity);
  let filled = 0;
  /** Sends the whole lines buffered so far, keeping the unfinished last one. */
  const cut = async (): Promise<void> => {
    const at = buf.lastIndexOf(0x0a, filled - 1);
    if (at < 0) return;
    const rest = filled - at - 1;
    const next = feeder.take(Math.max(feeder.capacity, rest));
    next.set(buf.subarray(at + 1, filled), 0);
    await feeder.send(buf.subarray(0, at + 1), buf);
    buf = next;
    filled = rest;
  };
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  for (;;) {
    const quiet = idle(idleMs);
    let next = await Promise.race([pending, quiet.promise]);
    quiet.cancel();
    if (next === IDLE) {
      if (filled > 0) await cut();
      next = await pending;
    }
    if (next.done || opts.signal?.aborted) break;
    pending = it.next();
    let part = next.value;
    if (skip > 0) {
      const n = Math.min(skip, part.length);
      part = part.subarray(n);
      skip -= n;
    }
    if (filled + part.length > buf.length) {
      const bigger = feeder.take(filled + part.length);
      bigger.set(buf.subarray(0, filled), 0);
      feeder.release(buf);
      buf = bigger;
    }
    buf.set(part, filled);
    filled += part.length;
    if (filled >= feeder.chunkBytes) await cut();
  }
  if (opts.signal?.aborted) await it.return?.();
  else await feeder.sendLast(buf, filled);
  feeder.release(buf);
  await feeder.finish();
}

export const IDLE = Symbol('idle');

/** A promise of IDLE after `ms` (that does not keep the process alive), and a way to call it off. */
export function idle(ms: number): { promise: Promise<typeof IDLE>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof IDLE>((resolve) => {
    timer = setTimeout(resolve, ms, IDLE);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
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
