/**
 * The part of a sink that makes a write durable before it is acknowledged: records are appended
 * to the open buffer, on disk as `buffer-<seq>-<firstArrivalMs>.log` (frames of u32 length, u32
 * CRC-32, bytes) with group commit (appends that arrive while a write+fsync is running share the
 * next one), or in memory when there is no directory. seal() closes the open buffer for delivery
 * and starts a new one; discard() removes a delivered buffer. recover() reads what a crash left,
 * cutting a torn tail: those bytes were never acknowledged. A writer may put a note beside its
 * records in the same write (a meta frame: the length's top bit set), which the buffer keeps but
 * does not deliver: a reader's position after those records, so a restart resumes exactly there.
 */

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { closeFile, fdatasync, fsyncDir, ftruncate, listDir, openFile, writeAllAt } from '../ingest/log/fs-util.js';

const FRAME_HEADER = 8;
const META = 0x8000_0000;
const FILE_NAME = /^buffer-(\d+)-(\d+)\.log$/;

/** A closed buffer, ready for delivery. */
export interface SealedBuffer {
  /** Arrival time of its first record: what prefixes and object names are evaluated at. */
  readonly firstArrival: number;
  readonly records: readonly Uint8Array[];
  readonly bytes: number;
  /** The buffer's name across restarts (sequence and first arrival): the same buffer delivered again has the same key. */
  readonly key: string;
  /** The last note written with its records, if any. */
  readonly meta?: Uint8Array;
  /** Forgets the buffer once it has been delivered (removes its file). */
  discard(): Promise<void>;
}

interface Pending {
  readonly records: readonly Uint8Array[];
  readonly meta: Uint8Array | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

class OpenBuffer {
  readonly records: Uint8Array[] = [];
  bytes = 0;
  meta: Uint8Array | undefined;
  queue: Pending[] = [];
  committing: Promise<void> | undefined;
  fd: number | undefined;
  file: string | undefined;
  fileLength = 0;

  constructor(
    readonly seq: number,
    readonly firstArrival: number,
  ) {}
}

export class RecordBuffer {
  private current: OpenBuffer | undefined;

  private constructor(
    private readonly dir: string | null,
    private nextSeq: number,
  ) {}

  /** Opens the buffer directory (null: memory only) and returns what an earlier run left unsent. */
  static async open(dir: string | null): Promise<{ buffer: RecordBuffer; recovered: SealedBuffer[] }> {
    if (dir === null) return { buffer: new RecordBuffer(null, 0), recovered: [] };
    await fs.promises.mkdir(dir, { recursive: true });
    const files = (await listDir(dir))
      .map((name) => ({ name, match: FILE_NAME.exec(name) }))
      .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
      .sort((a, b) => Number(a.match[1]) - Number(b.match[1]));
    const recovered: SealedBuffer[] = [];
    let nextSeq = 0;
    for (const { name, match } of files) {
      nextSeq = Math.max(nextSeq, Number(match[1]) + 1);
      const file = path.join(dir, name);
      const { records, meta } = readBufferFile(await fs.promises.readFile(file));
      const discard = (): Promise<void> => removeFile(file);
      if (records.length === 0 && !meta) await discard();
      else recovered.push({ firstArrival: Number(match[2]), records, bytes: sumBytes(records), key: `${Number(match[1])}-${match[2]}`, ...(meta ? { meta } : {}), discard });
    }
    return { buffer: new RecordBuffer(dir, nextSeq), recovered };
  }

  /** Bytes in the open buffer (acknowledged records only). */
  get openBytes(): number {
    return this.current?.bytes ?? 0;
  }

  /** Arrival of the open buffer's first record, when it has one. */
  get openSince(): number | undefined {
    return this.current?.firstArrival;
  }

  /**
   * Appends to the open buffer (starting one stamped `now` if there is none), with `meta` written
   * in the same write after the records; resolves once durable.
   */
  append(records: readonly Uint8Array[], now: number, meta?: Uint8Array): Promise<void> {
    const buffer = (this.current ??= new OpenBuffer(this.nextSeq++, now));
    if (this.dir === null) {
      for (const r of records) buffer.records.push(r);
      buffer.bytes += sumBytes(records);
      if (meta) buffer.meta = meta;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      buffer.queue.push({ records, meta, resolve, reject });
      buffer.committing ??= this.commit(buffer);
    });
  }

  /** Closes the open buffer (after its commits finish); undefined when it holds nothing. */
  async seal(): Promise<SealedBuffer | undefined> {
    const buffer = this.current;
    this.current = undefined;
    if (!buffer) return undefined;
    while (buffer.committing) await buffer.committing;
    if (buffer.fd !== undefined) await closeFile(buffer.fd);
    const file = buffer.file;
    const discard = (): Promise<void> => (file ? removeFile(file) : Promise.resolve());
    if (buffer.records.length === 0 && !buffer.meta) {
      await discard();
      return undefined;
    }
    const key = `${buffer.seq}-${buffer.firstArrival}`;
    return { firstArrival: buffer.firstArrival, records: buffer.records, bytes: buffer.bytes, key, ...(buffer.meta ? { meta: buffer.meta } : {}), discard };
  }

  private async commit(buffer: OpenBuffer): Promise<void> {
    while (buffer.queue.length > 0) {
      const batch = buffer.queue;
      buffer.queue = [];
      const chunks: Uint8Array[] = [];
      let length = 0;
      const frame = (r: Uint8Array, flag: number): void => {
        const header = Buffer.allocUnsafe(FRAME_HEADER);
        header.writeUInt32LE((r.length | flag) >>> 0, 0);
        header.writeUInt32LE(zlib.crc32(r), 4);
        chunks.push(header, r);
        length += FRAME_HEADER + r.length;
      };
      for (const p of batch) {
        for (const r of p.records) frame(r, 0);
        if (p.meta) frame(p.meta, META);
      }
      try {
        if (buffer.fd === undefined) {
          buffer.file = path.join(this.dir!, `buffer-${String(buffer.seq).padStart(12, '0')}-${buffer.firstArrival}.log`);
          buffer.fd = await openFile(buffer.file, 'w');
          await fsyncDir(this.dir!);
        }
        await writeAllAt(buffer.fd, chunks, buffer.fileLength);
        await fdatasync(buffer.fd);
        buffer.fileLength += length;
        for (const p of batch) {
          for (const r of p.records) buffer.records.push(r);
          buffer.bytes += sumBytes(p.records);
          if (p.meta) buffer.meta = p.meta;
          p.resolve();
        }
      } catch (err) {
        // Unacknowledged bytes must not come back after a restart: cut them off again.
        if (buffer.fd !== undefined) await ftruncate(buffer.fd, buffer.fileLength).catch(() => undefined);
        for (const p of batch) p.reject(err);
      }
    }
    buffer.committing = undefined;
  }
}

/** The records of the whole frames at the start of `data` (notes left out); stops at the first short or corrupt one. */
export function readFrames(data: Uint8Array): Uint8Array[] {
  return readBufferFile(data).records;
}

/** The records of a buffer file's whole frames, and the last note among them. */
export function readBufferFile(data: Uint8Array): { records: Uint8Array[]; meta: Uint8Array | undefined } {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const records: Uint8Array[] = [];
  let meta: Uint8Array | undefined;
  let at = 0;
  while (at + FRAME_HEADER <= view.length) {
    const word = view.readUInt32LE(at);
    const length = word & ~META;
    const end = at + FRAME_HEADER + length;
    if (end > view.length) break;
    const record = view.subarray(at + FRAME_HEADER, end);
    if (zlib.crc32(record) !== view.readUInt32LE(at + 4)) break;
    if (word & META) meta = record;
    else records.push(record);
    at = end;
  }
  return { records, meta };
}

function sumBytes(records: readonly Uint8Array[]): number {
  let n = 0;
  for (const r of records) n += r.length;
  return n;
}

async function removeFile(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
  await fsyncDir(path.dirname(file)).catch(() => undefined);
}
