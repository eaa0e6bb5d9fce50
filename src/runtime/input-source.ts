import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { StreamRuntime } from './stream-runtime.js';
import { idle, IDLE, replayBytes, replayFile, type ReplayOptions } from './file-replay.js';
import { jsonArrayLines } from './input-format.js';

/** Bytes read ahead of replay for format sniffing, CSV headers and schema discovery. */
const HEAD_BYTES = 1 << 20;

/**
 * One input of `sluice run`: a file (plain or gzip), or stdin for `-`. Its head is read first, so
 * the format, a CSV header and a discovered schema are known before any record is replayed.
 */
export interface InputSource {
  /** As given: a path, or `-` for stdin. */
  readonly path: string;
  /** Bytes on disk (compressed), or null for stdin. */
  readonly size: number | null;
  /** The first bytes of the records (decompressed; a JSON array already one value per line). */
  readonly head: Uint8Array;
  /** The head holds the whole input. */
  readonly complete: boolean;
  /** Bytes of the file (or stdin) consumed so far, for progress. */
  bytesRead(): number;
  /** Streams the records into `rt`, `opts.start` bytes after the head's start. */
  replay(rt: StreamRuntime, opts: ReplayOptions): Promise<void>;
  close(): Promise<void>;
}

/** Opens an input; a missing file or a folder is an Error saying so in a few words. */
export async function openInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<InputSource> {
  if (path === '-') {
    let read = 0;
    const counted = (async function* () {
      for await (const part of stdin as AsyncIterable<Buffer | string>) {
        const bytes = typeof part === 'string' ? Buffer.from(part) : part;
        read += bytes.length;
        yield bytes;
      }
    })();
    return streamInput(path, null, counted, () => read, async () => undefined);
  }
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message);
  });
  if (info.isDirectory()) throw new Error('is a folder, not a file');
  const file = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'EACCES' ? 'permission denied' : e.message);
  });
  const probe = Buffer.alloc(Math.min(HEAD_BYTES, Math.max(info.size, 1)));
  let got = 0;
  try {
    got = (await file.read(probe, 0, probe.length, 0)).bytesRead;
  } finally {
    await file.close();
  }
  const first = probe.subarray(0, got);
  const gzip = first[0] === 0x1f && first[1] === 0x8b;
  if (!gzip && firstByte(first) !== 0x5b) {
    return { path, size: info.size, head: first, complete: got >= info.size, bytesRead: () => 0, replay: (rt, opts) => replayFile(path, rt, opts), close: async () => undefined };
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return streamInput(path, info.size, stream, () => stream.bytesRead, async () => void stream.destroy());
}

/** An input read as a stream: gunzipped if it starts with gzip's magic, a JSON array split into lines. */
async function streamInput(path: string, size: number | null, raw: AsyncIterable<Uint8Array>, bytesRead: () => number, close: () => Promise<void>): Promise<InputSource> {
  let source = await peeked(raw);
  if (source.first[0] === 0x1f && source.first[1] === 0x8b) source = await peeked(Readable.from(source.all).pipe(createGunzip()));
  if (firstByte(source.first) === 0x5b) source = await peeked(jsonArrayLines(source.all));
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let lines = false;
  const it = source.all[Symbol.asyncIterator]();
  let done = false;
  // A live pipe that has given whole lines and then goes quiet has given its head.
  let pending = it.next();
  while (headBytes < HEAD_BYTES) {
    const quiet = idle(lines ? 200 : 3_600_000);
    const next = await Promise.race([pending, quiet.promise]);
    quiet.cancel();
    if (next === IDLE) break;
    if (next.done) {
      done = true;
      break;
    }
    pending = it.next();
    head.push(next.value);
    headBytes += next.value.length;
    lines ||= next.value.includes(0x0a);
  }
  const rest = (async function* () {
    yield* head;
    if (done) return;
    for (let next = await pending; !next.done; next = await it.next()) yield next.value;
  })();
  let replayed = false;
  return {
    path,
    size,
    head: Buffer.concat(head),
    complete: done,
    bytesRead,
    replay: (rt, opts) => {
      if (replayed) throw new Error(`${path} can be replayed once`);
      replayed = true;
      return replayBytes(rest, rt, opts);
    },
    close,
  };
}

/** The first chunk of a byte source, and the whole source (that chunk included) to read on. */
async function peeked(source: AsyncIterable<Uint8Array>): Promise<{ first: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const head = await it.next();
  const first = head.done ? new Uint8Array(0) : head.value;
  const all = (async function* () {
    if (head.done) return;
    yield first;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  })();
  return { first, all };
}

function firstByte(bytes: Uint8Array): number {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return -1;
}

/** The non-blank whole lines of a head, at most `n` (the last line only when the head is the whole input). */
export function headLines(input: Pick<InputSource, 'head' | 'complete'>, n = 1000): string[] {
  // A byte order mark (spreadsheets write one) is not part of the first line's first field.
  const text = Buffer.from(input.head.buffer, input.head.byteOffset, input.head.byteLength).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (!input.complete) lines.pop();
  const out: string[] = [];
  for (const l of lines) {
    if (l.trim()) out.push(l.replace(/\r$/, ''));
    if (out.length >= n) break;
  }
  return out;
}
