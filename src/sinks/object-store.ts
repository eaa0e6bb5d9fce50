/**
 * Where delivered objects land: a local folder laid out like an S3 bucket (each key segment a
 * folder, through src/storage/data-paths.ts, so `..` cannot climb), or memory. A folder object is
 * written under a temporary name, fsynced, then renamed, so a reader never sees half of one.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { closeFile, fsyncDir, fsyncFile, openFile, writeAllAt } from '../ingest/log/fs-util.js';
import { assertInside, objectPath } from '../storage/data-paths.js';

export interface ObjectStore {
  put(key: string, body: Uint8Array): Promise<void>;
}

export class FolderObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = objectPath(this.root, key);
    const dir = path.dirname(file);
    await fs.promises.mkdir(assertInside(this.root, dir, true), { recursive: true });
    // Encoded names never start with a dot, so a temporary name cannot be an object's.
    const tmp = assertInside(this.root, path.join(dir, `.${path.basename(file)}.${crypto.randomUUID()}.tmp`));
    try {
      const fd = await openFile(tmp, 'wx');
      try {
        await writeAllAt(fd, [body], 0);
        await fsyncFile(fd);
      } finally {
        await closeFile(fd);
      }
      await fs.promises.rename(tmp, assertInside(this.root, file));
    } catch (err) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await fsyncDir(dir);
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();

  put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, body);
    return Promise.resolve();
  }
}

/** `arn:aws:s3:::NAME` → NAME; undefined for anything else. */
export function bucketName(bucketArn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(bucketArn);
  return match?.[1];
}
