/**
 * Where a segment's bytes live: a file (durable once append resolves: it is written through an
 * O_DSYNC descriptor) or, for a store opened without a directory, a list of in-memory chunks.
 */

import fs from 'node:fs';
import { closeFile, fdatasync, fsyncFile, ftruncate, openFile, readAt, writeAllAt, writeFileAtomic } from './fs-util.js';

export interface SegmentStorage {
  /** Writes `chunks` at byte `position` (the current end); resolves once they are durable. */
  append(chunks: readonly Uint8Array[], position: number): Promise<void>;
  /** Up to `length` bytes from `position`; fewer only at the end of the segment. */
  read(position: number, length: number): Promise<Buffer>;
  /** Cuts the segment back to `length` bytes, durably: a torn tail at recovery, or a failed append's partial write. */
  truncate(length: number): Promise<void>;
  /** No more appends; `summary` (the encoded sparse index) is kept so a reopen need not rescan. */
  seal(summary: Uint8Array): Promise<void>;
  /** Releases descriptors; the data stays. */
  release(): Promise<void>;
  /** Deletes the data. Only called once no reader holds the segment. */
  remove(): Promise<void>;
}

/**
 * Appending descriptors are O_DSYNC: each write returns once its bytes (and the file size) are on
 * disk, as write + fdatasync would, but in one trip to the I/O thread pool instead of two, which
 * at hundreds of commits a second per shard is CPU the main thread gets back.
 */
const WRITE_THROUGH = fs.constants.O_DSYNC ?? 0;

export class FileSegmentStorage implements SegmentStorage {
  private fd: number | undefined;
  private opening: Promise<number> | undefined;
  /** Operations using the descriptor right now; it is only closed once they are done. */
  private users = 0;
  private closeWhenIdle = false;

  private constructor(
    readonly file: string,
    fd: number | undefined,
  ) {
    this.fd = fd;
  }

  /** A new, empty segment file; the caller fsyncs the directory that now names it. */
  static async create(file: string): Promise<FileSegmentStorage> {
    const { O_RDWR, O_CREAT, O_EXCL } = fs.constants;
    return new FileSegmentStorage(file, await openFile(file, O_RDWR | O_CREAT | O_EXCL | WRITE_THROUGH));
  }

  static async open(file: string, writable: boolean): Promise<FileSegmentStorage> {
    return new FileSegmentStorage(file, writable ? await openFile(file, fs.constants.O_RDWR | WRITE_THROUGH) : undefined);
  }

  get summaryFile(): string {
    return this.file.replace(/\.seg$/, '.idx');
  }

  append(chunks: readonly Uint8Array[], position: number): Promise<void> {
    return this.using(async (fd) => {
      await writeAllAt(fd, chunks, position);
      // Without O_DSYNC (not every platform has it) the write needs its own fdatasync.
      if (WRITE_THROUGH === 0) await fdatasync(fd);
    });
  }

  read(position: number, length: number): Promise<Buffer> {
    return this.using(async (fd) => {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const n = await readAt(fd, buffer.subarray(filled), length - filled, position + filled);
        if (n === 0) break;
        filled += n;
      }
      return filled === length ? buffer : buffer.subarray(0, filled);
    });
  }

  /** Through a descriptor of its own, so it works while the appending one is busy or closed. */
  async truncate(length: number): Promise<void> {
    const fd = await openFile(this.file, 'r+');
    try {
      await ftruncate(fd, length);
      await fsyncFile(fd);
    } finally {
      await closeFile(fd);
    }
  }

  async seal(summary: Uint8Array): Promise<void> {
    await writeFileAtomic(this.summaryFile, summary);
    await this.release();
  }

  /** The .idx file describes a finished segment; one that takes appends again must not keep it. */
  async forgetSummary(): Promise<void> {
    await fs.promises.rm(this.summaryFile, { force: true });
  }

  async release(): Promise<void> {
    if (this.users > 0) {
      this.closeWhenIdle = true;
      return;
    }
    const fd = this.fd;
    this.fd = undefined;
    this.opening = undefined;
    if (fd !== undefined) await closeFile(fd);
  }

  async remove(): Promise<void> {
    await this.release();
    await fs.promises.rm(this.file, { force: true });
    await fs.promises.rm(this.summaryFile, { force: true });
  }

  /** Sealed segments open their descriptor on first read, so idle ones cost none. */
  private async using<T>(work: (fd: number) => Promise<T>): Promise<T> {
    this.users++;
    this.closeWhenIdle = false;
    try {
      if (this.fd === undefined) {
        this.opening ??= openFile(this.file, 'r');
        const fd = await this.opening;
        this.fd ??= fd;
      }
      return await work(this.fd);
    } finally {
      if (--this.users === 0 && this.closeWhenIdle) void this.release().catch(() => undefined);
    }
  }
}

export class MemorySegmentStorage implements SegmentStorage {
  private chunks: Uint8Array[] = [];
  private starts: number[] = [];
  private size = 0;

  async append(chunks: readonly Uint8Array[], position: number): Promise<void> {
    if (position !== this.size) throw new Error(`append at ${position}, segment holds ${this.size} bytes`);
    for (const chunk of chunks) {
      this.chunks.push(chunk);
      this.starts.push(this.size);
      this.size += chunk.length;
    }
  }

  /** Copies, so a reader cannot change the log through the records it gets back. */
  async read(position: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, position + length);
    const out = Buffer.allocUnsafe(Math.max(0, end - position));
    let i = this.chunkAt(position);
    let at = position;
    while (at < end) {
      const chunk = this.chunks[i]!;
      const from = at - this.starts[i]!;
      const take = Math.min(chunk.length - from, end - at);
      out.set(chunk.subarray(from, from + take), at - position);
      at += take;
      i++;
    }
    return out;
  }

  async truncate(length: number): Promise<void> {
    while (this.starts.length > 0 && this.starts[this.starts.length - 1]! >= length) {
      this.chunks.pop();
      this.starts.pop();
    }
    const last = this.chunks.length - 1;
    if (last >= 0) this.chunks[last] = this.chunks[last]!.subarray(0, length - this.starts[last]!);
    this.size = Math.min(this.size, length);
  }

  async seal(): Promise<void> {}

  async release(): Promise<void> {}

  async remove(): Promise<void> {
    this.chunks = [];
    this.starts = [];
  }

  private chunkAt(position: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
