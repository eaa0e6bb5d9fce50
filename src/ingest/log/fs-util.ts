/**
 * The few file operations the log needs, on raw descriptors: the callback API has less per-call
 * overhead than FileHandle, and every durability step (fsync of files and of directories) is
 * spelled out here rather than left implicit.
 */

import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const openFile = promisify(fs.open);
export const closeFile = promisify(fs.close);
export const fdatasync = promisify(fs.fdatasync);
export const fsyncFile = promisify(fs.fsync);
export const ftruncate = promisify(fs.ftruncate);

export function readAt(fd: number, buffer: Uint8Array, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/** Writes every byte of `chunks` at `position` (pwritev), looping over short writes. */
export async function writeAllAt(fd: number, chunks: readonly Uint8Array[], position: number): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    const written = await new Promise<number>((resolve, reject) => {
      fs.writev(fd, pending as Uint8Array[], position, (err, n) => (err ? reject(err) : resolve(n)));
    });
    position += written;
    pending = dropBytes(pending, written);
  }
}

function dropBytes(chunks: readonly Uint8Array[], n: number): readonly Uint8Array[] {
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.length) n -= chunks[i++]!.length;
  if (i === chunks.length) return [];
  const rest = chunks.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}

/** Makes a directory's entries (new, renamed or deleted files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await openFile(dir, 'r');
  try {
    await fsyncFile(fd);
  } finally {
    await closeFile(fd);
  }
}

/** Replaces `file` with `data` so a crash leaves either the old or the new content, never a mix. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fd = await openFile(tmp, 'w');
  try {
    await writeAllAt(fd, [typeof data === 'string' ? Buffer.from(data) : data], 0);
    await fsyncFile(fd);
  } finally {
    await closeFile(fd);
  }
  await fs.promises.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
